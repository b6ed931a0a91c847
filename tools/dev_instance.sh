#!/usr/bin/env bash
# dev_instance.sh BUILD_DIR VAR_DIR : the local instance of `./dev run`.
# Creates VAR_DIR on first use (configuration, local CA and certificate, demo users, sample
# mail) and runs satcheld in the foreground on 127.0.0.1. Ctrl-C stops it.
set -euo pipefail
build=$1
var=$2
tools=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$var"
var=$(cd "$var" && pwd)
satcheld="$build/server/satcheld"
admin="$build/cli/satchel-admin"

mkdir -p "$var/mail" "$var/auth"
ca=$("$tools/make_dev_ca.sh" "$var")

# Workers drop to an unprivileged user when started as root; the instance is theirs.
run_user=""
run_group=""
if [ "$(id -u)" -eq 0 ]; then
  run_user=nobody
  run_group=nogroup
fi

conf="$var/satchel.conf"
if [ ! -f "$conf" ]; then
  cat >"$conf" <<CONF
# Local development instance made by ./dev run. Documented keys: docs/configuration.md.
[server]
user = $run_user
group = $run_group
workers = 2
log = stderr

[limits]
idle_timeout = 30m

[storage]
mail_root = $var/mail
mail_location = maildir:%h/Maildir

[auth]
userdb = $var/auth/users.db

[tls]
cert = $var/tls/server.pem
key = $var/tls/server.key

[listener imap]
protocol = imap
address = 127.0.0.1:1143
tls = starttls

[listener imaps]
protocol = imap
address = 127.0.0.1:1993
tls = implicit

[listener pop3]
protocol = pop3
address = 127.0.0.1:1110
tls = starttls

[listener pop3s]
protocol = pop3
address = 127.0.0.1:1995
tls = implicit
CONF
fi

if [ ! -f "$var/auth/users.db" ]; then
  for user in demo demo2; do
    echo demo | "$admin" -c "$conf" user add "$user" >/dev/null
  done
  # Sample mail, delivered the way an MTA does: straight into Maildir/new.
  for user in demo demo2; do
    maildir="$var/mail/$user/Maildir"
    mkdir -p "$maildir/cur" "$maildir/new" "$maildir/tmp"
    n=0
    for f in "$tools"/dev_messages/*.eml; do
      n=$((n + 1))
      cp "$f" "$maildir/new/$(date +%s).M${n}P$$.devinstance"
    done
  done
fi

if [ -n "$run_user" ]; then
  chown -R "$run_user:$run_group" "$var/mail" "$var/auth"
fi

cat <<TXT

Satchel is starting on 127.0.0.1 (Ctrl-C stops it):
  IMAP  127.0.0.1:1143 (STARTTLS)    IMAPS 127.0.0.1:1993
  POP3  127.0.0.1:1110 (STLS)        POP3S 127.0.0.1:1995
Users: demo / demo and demo2 / demo.   CA certificate to trust: $ca
Try:   curl --cacert $ca imaps://localhost:1993/INBOX -u demo:demo
       python3 -c "import imaplib; m=imaplib.IMAP4('127.0.0.1',1143); m.login('demo','demo'); print(m.select('INBOX'))"
       mutt -f imap://demo@127.0.0.1:1143/INBOX

TXT
exec "$satcheld" -f -c "$conf"
