#!/bin/sh
# gen_test_cert.sh DIR NAME... : throwaway certificates for tests (never for production).
#
# Creates DIR (if missing) holding a test CA, DIR/ca.pem and DIR/ca.key, and for each NAME a
# certificate signed by that CA with NAME as its only DNS subjectAltName and as its CN:
#   DIR/FILE.pem   the certificate (leaf only; clients trust DIR/ca.pem)
#   DIR/FILE.key   its private key, mode 0600
# FILE is NAME with a leading "*" written as "_" (underscores cannot occur in host names), so
# "*.example.com" gives DIR/_.example.com.pem with subjectAltName DNS:*.example.com.
# A NAME of the form "cn:HOST" gives DIR/HOST.pem with CN=HOST and no subjectAltName at all
# (to test the CN fallback of SNI selection).
#
# Certificates carry both serverAuth and clientAuth, so one can serve as a client certificate.
# Keys are EC P-256 (fast to generate). Validity is $GEN_TEST_CERT_DAYS days (default 365; a
# small value makes an "expiring soon" certificate). Idempotent: the CA and any NAME whose .pem
# and .key already exist are kept as they are. Needs the openssl command-line tool.
set -eu

if [ $# -lt 1 ]; then
  echo "usage: $0 DIR [NAME...]" >&2
  exit 2
fi
dir=$1
shift
days=${GEN_TEST_CERT_DAYS:-365}
umask 077
mkdir -p "$dir"
log="$dir/.gen_test_cert.log"

# Runs openssl quietly; on failure shows what it said and stops.
run_openssl() {
  if ! openssl "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "$0: openssl $1 failed" >&2
    exit 1
  fi
}

if [ ! -s "$dir/ca.pem" ] || [ ! -s "$dir/ca.key" ]; then
  run_openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" -days 3650 -subj "/CN=Satchel test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  chmod 0600 "$dir/ca.key"
  chmod 0644 "$dir/ca.pem"
fi

for name in "$@"; do
  san=yes
  case $name in
    cn:*) name=${name#cn:}; san=no ;;
  esac
  case $name in
    \**) file="_${name#\*}" ;;
    *) file=$name ;;
  esac
  if [ -s "$dir/$file.pem" ] && [ -s "$dir/$file.key" ]; then
    continue
  fi
  ext="$dir/.$file.ext"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"
    if [ "$san" = yes ]; then echo "subjectAltName=DNS:$name"; fi
  } >"$ext"
  run_openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/$file.key" -out "$dir/.$file.csr" -subj "/CN=$name"
  run_openssl x509 -req -in "$dir/.$file.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -set_serial "0x$(openssl rand -hex 15)" -days "$days" -sha256 -extfile "$ext" -out "$dir/$file.pem"
  rm -f "$dir/.$file.csr" "$ext"
  chmod 0600 "$dir/$file.key"
  chmod 0644 "$dir/$file.pem"
done
rm -f "$log"
