#!/bin/sh
# make_dev_ca.sh VARDIR : a local CA and a localhost certificate for `./dev run`.
#
# Creates, only when missing, in VARDIR/tls/:
#   ca.pem, ca.key (0600)          a CA to trust in test clients (openssl s_client -CAfile ...)
#   server.pem, server.key (0600)  a certificate for DNS:localhost and IP:127.0.0.1, signed by it
# An existing pair is kept, so clients that already trust ca.pem keep working. On success it
# prints one line, the path of ca.pem; on failure it prints openssl's messages and exits 1.
set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 VARDIR" >&2
  exit 2
fi
dir=$1/tls
mkdir -p "$dir"
umask 077
log="$dir/.make_dev_ca.log"

run_openssl() {
  if ! openssl "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "$0: openssl $1 failed" >&2
    exit 1
  fi
}

if [ ! -s "$dir/ca.pem" ] || [ ! -s "$dir/ca.key" ]; then
  # A new CA invalidates any server certificate signed by an old one.
  rm -f "$dir/server.pem" "$dir/server.key"
  run_openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" -days 3650 -subj "/CN=Satchel development CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  chmod 0600 "$dir/ca.key"
  chmod 0644 "$dir/ca.pem"
fi

if [ ! -s "$dir/server.pem" ] || [ ! -s "$dir/server.key" ]; then
  ext="$dir/.server.ext"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth"
    echo "subjectAltName=DNS:localhost,IP:127.0.0.1"
  } >"$ext"
  run_openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/server.key" -out "$dir/.server.csr" -subj "/CN=localhost"
  run_openssl x509 -req -in "$dir/.server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -set_serial "0x$(openssl rand -hex 15)" -days 825 -sha256 -extfile "$ext" -out "$dir/server.pem"
  rm -f "$dir/.server.csr" "$ext"
  chmod 0600 "$dir/server.key"
  chmod 0644 "$dir/server.pem"
fi
rm -f "$log"
echo "$dir/ca.pem"
