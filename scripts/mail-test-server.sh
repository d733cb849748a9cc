#!/usr/bin/env bash
# Start (or stop) a throwaway Postfix (SMTP) and Dovecot (IMAP) on loopback for the mail
# end-to-end test.
#   scripts/mail-test-server.sh start   -> prints shell assignments for the test, e.g.
#       HIKESHI_TEST_SMTP=127.0.0.1:52525          (plain, and STARTTLS)
#       HIKESHI_TEST_IMAP=127.0.0.1:51143          (plain, and STARTTLS)
#       HIKESHI_TEST_IMAPS=127.0.0.1:51993         (TLS from the first byte)
#       HIKESHI_TEST_MAIL_CA=/tmp/…/tls/ca.pem     (the throwaway CA that signed both servers' certificate)
#   scripts/mail-test-server.sh stop
# Postfix accepts mail from loopback for csirt@example.org and reporter@example.jp and delivers
# it to Maildirs under the temp dir; Dovecot serves those Maildirs over IMAP (plain, STARTTLS
# and TLS; a throwaway CA signs the certificate) with plain passwords (loopback only): csirt@example.org / csirt-pw, reporter@example.jp /
# reporter-pw, and crash@example.org / crash-pw (a mailbox of its own for the kill-at-each-step
# test, whose server dies on the first message it reads). Installs Debian's postfix and dovecot-imapd when missing (needs root); the
# packages' own default instances are neither configured nor started.
set -euo pipefail
SMTP_PORT=${HIKESHI_MAIL_SMTP_PORT:-52525}
IMAP_PORT=${HIKESHI_MAIL_IMAP_PORT:-51143}
IMAPS_PORT=${HIKESHI_MAIL_IMAPS_PORT:-51993}
DIR=${HIKESHI_MAIL_DIR:-/tmp/hikeshi-mail-$SMTP_PORT}
VUID=$(id -u nobody 2>/dev/null || echo 65534)
VGID=$(getent group nogroup | cut -d: -f3 || echo 65534)

have() {
  command -v postfix >/dev/null 2>&1 && command -v dovecot >/dev/null 2>&1 \
    && command -v openssl >/dev/null 2>&1
}
export PATH="$PATH:/usr/sbin:/sbin"

wait_port() {
  local port=$1 i
  for i in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}

start() {
  if ! have; then
    if [ "$(id -u)" != 0 ]; then
      echo "Postfix/Dovecot/openssl not found and not root: install the 'postfix', 'dovecot-imapd' and 'openssl' packages" >&2
      exit 1
    fi
    echo "installing Postfix and Dovecot from Debian packages…" >&2
    # No default instance: it would listen on port 25 of every interface.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
      postfix dovecot-imapd openssl >/dev/null) >&2
    have || { echo "Postfix/Dovecot install failed" >&2; exit 1; }
  fi
  if [ -f "$DIR/running" ] && wait_port "$SMTP_PORT" && wait_port "$IMAP_PORT"; then
    print_env; return 0
  fi
  stop_servers
  rm -rf "$DIR"
  mkdir -p "$DIR/postfix" "$DIR/spool" "$DIR/data" "$DIR/mail" "$DIR/dovecot/run" "$DIR/dovecot/state"
  chown postfix: "$DIR/data"
  chown "$VUID:$VGID" "$DIR/mail"

  # --- A throwaway CA and a certificate for 127.0.0.1, for STARTTLS and TLS.
  mkdir -p "$DIR/tls"
  (
    cd "$DIR/tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3 \
      -keyout ca.key -out ca.pem -subj "/CN=hikeshi test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout server.key -out server.csr -subj "/CN=127.0.0.1"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' >ext.cnf
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3 \
      -out server.pem -extfile ext.cnf
    chmod 644 server.key
  ) >/dev/null 2>&1 || { echo "openssl could not make the test certificates" >&2; exit 1; }

  # --- Postfix: one smtpd on 127.0.0.1:$SMTP_PORT, virtual Maildir delivery, nothing else.
  cp /etc/postfix/master.cf "$DIR/postfix/master.cf" 2>/dev/null || cp /usr/share/postfix/master.cf.dist "$DIR/postfix/master.cf"
  cat >"$DIR/postfix/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $DIR/spool
data_directory = $DIR/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.hikeshi.test
mydomain = hikeshi.test
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
relayhost =
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
virtual_mailbox_domains = example.org, example.jp
virtual_mailbox_base = $DIR/mail
virtual_mailbox_maps = texthash:$DIR/postfix/vmailbox
virtual_uid_maps = static:$VUID
virtual_gid_maps = static:$VGID
maillog_file_prefixes = $DIR
maillog_file = $DIR/postfix.log
biff = no
smtputf8_enable = yes
smtpd_tls_cert_file = $DIR/tls/server.pem
smtpd_tls_key_file = $DIR/tls/server.key
smtpd_tls_security_level = may
EOF
  cat >"$DIR/postfix/vmailbox" <<EOF
csirt@example.org example.org/csirt/
crash@example.org example.org/crash/
reporter@example.jp example.jp/reporter/
EOF
  postconf -c "$DIR/postfix" -MX smtp/inet
  postconf -c "$DIR/postfix" -M "$SMTP_PORT/inet=$SMTP_PORT inet n - n - - smtpd"
  postconf -c "$DIR/postfix" -F '*/*/chroot = n'
  # The log goes to a file through postlogd, which must be in master.cf.
  postconf -c "$DIR/postfix" -M "postlog/unix-dgram=postlog unix-dgram n - n - 1 postlogd" 2>/dev/null || true
  postfix -c "$DIR/postfix" check >&2 || true
  # The daemons must not keep our stdout (the caller's $(…)) or stderr open: their output goes
  # to files.
  postfix -c "$DIR/postfix" start </dev/null >>"$DIR/start.log" 2>&1 \
    || { cat "$DIR/start.log" >&2; exit 1; }

  # --- Dovecot 2.3: IMAP on 127.0.0.1:$IMAP_PORT, plain passwords, the same Maildirs.
  cat >"$DIR/dovecot/users" <<EOF
csirt@example.org:{PLAIN}csirt-pw::::::
crash@example.org:{PLAIN}crash-pw::::::
reporter@example.jp:{PLAIN}reporter-pw::::::
EOF
  cat >"$DIR/dovecot/dovecot.conf" <<EOF
base_dir = $DIR/dovecot/run
state_dir = $DIR/dovecot/state
log_path = $DIR/dovecot/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$DIR/tls/server.pem
ssl_key = <$DIR/tls/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$DIR/mail/%d/%n
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DIR/dovecot/users
}
userdb {
  driver = static
  args = uid=$VUID gid=$VGID home=$DIR/mail/%d/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
  }
}
service anvil {
  chroot =
}
EOF
  dovecot -c "$DIR/dovecot/dovecot.conf" </dev/null >>"$DIR/start.log" 2>&1 \
    || { cat "$DIR/start.log" >&2; exit 1; }
  wait_port "$SMTP_PORT" || { echo "Postfix did not start; see $DIR/postfix.log" >&2; exit 1; }
  wait_port "$IMAP_PORT" || { echo "Dovecot did not start; see $DIR/dovecot/dovecot.log" >&2; exit 1; }
  wait_port "$IMAPS_PORT" || { echo "Dovecot (TLS) did not start; see $DIR/dovecot/dovecot.log" >&2; exit 1; }
  touch "$DIR/running"
  print_env
}

print_env() {
  echo "HIKESHI_TEST_SMTP=127.0.0.1:$SMTP_PORT"
  echo "HIKESHI_TEST_IMAP=127.0.0.1:$IMAP_PORT"
  echo "HIKESHI_TEST_IMAPS=127.0.0.1:$IMAPS_PORT"
  echo "HIKESHI_TEST_MAIL_CA=$DIR/tls/ca.pem"
}

stop_servers() {
  [ -f "$DIR/postfix/main.cf" ] && postfix -c "$DIR/postfix" stop >/dev/null 2>&1 || true
  [ -f "$DIR/dovecot/dovecot.conf" ] && dovecot -c "$DIR/dovecot/dovecot.conf" stop >/dev/null 2>&1 || true
  rm -f "$DIR/running"
}

case "${1:-start}" in
start) start ;;
stop) have && stop_servers || true ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
