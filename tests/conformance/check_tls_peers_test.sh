#!/usr/bin/env bash
# `maillab check` over TLS against real servers (docs/check.md "TLS"): Postfix's smtpd with
# smtpd_tls_security_level = may and a test certificate made here with openssl (its own CA,
# names pf.peers.test and localhost), Dovecot with ssl = yes (STLS and STARTTLS on the plain
# ports, pop3s and imaps), and `maillab serve` with a tls host (--ca-out as --cafile). Every
# probe must pass every MUST; the TLS rows must say TLS 1.2/1.3, the names, the dates and a
# verified chain, that the command pipelined after STARTTLS got no answer (CVE-2011-0411),
# and what the servers do about AUTH before STARTTLS. Without --cafile the chain row warns.
# TABLES=1 prints the markdown tables of docs/conformance.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
source "$here/check_lib.sh"

peers_test_certificate "$work/cert" pf.peers.test || fail "no test certificate"
cert=$work/cert/pf.peers.test.pem key=$work/cert/pf.peers.test.key ca=$work/cert/ca.pem
_peers_traversable "$work/cert"
chmod 755 "$work/cert"

DC_PORT=$(peers_free_port) DC_IMAP=$(peers_free_port) DC_POP3S=$(peers_free_port) DC_IMAPS=$(peers_free_port)
DC_AUTH=$(peers_free_port)
peers_dovecot_tls_start "$DC_PORT" "$work/dc" "$DC_IMAP" "$DC_POP3S" "$DC_IMAPS" "$cert" "$key" "$DC_AUTH" ||
  fail "Dovecot with TLS did not start"
# Postfix's AUTH is Dovecot's SASL (alice / secret); smtpd_tls_auth_only = yes: AUTH only
# inside TLS (the second instance, below, offers it in clear).
sasl="smtpd_sasl_auth_enable = yes; smtpd_sasl_type = dovecot; smtpd_sasl_path = inet:127.0.0.1:$DC_AUTH"
PF_PORT=$(peers_free_port)
PEERS_POSTFIX_EXTRA="$sasl; smtpd_tls_auth_only = yes" \
  peers_postfix_tls_start postfix "$PF_PORT" "$work/pf" "$cert" "$key" || fail "Postfix with TLS did not start"
FAIL_LOGS+=("$work/pf/postfix.log")
FAIL_LOGS+=("$work/dc/dovecot.log")
echo "postfix $(postconf -d -h mail_version) on $PF_PORT; dovecot $(dovecot --version | awk '{print $1}')" \
  "pop3 $DC_PORT imap $DC_IMAP pop3s $DC_POP3S imaps $DC_IMAPS"

tables=""
tolerated=""
probe() {  # WHAT ARGS...: run_check, then the TLS rows every probe must have ($tolerated:
  local what=$1 legacy=pass  # MUST rows that may fail, run_check's TOLERATED)
  shift
  if [ -n "$tolerated" ]; then
    run_check "$what" "$tolerated" -- "$@"
    legacy=FAIL
  else
    run_check "$what" -- "$@"
  fi
  [ -n "${TABLES:-}" ] && tables+=$'\n'"### $what: \`maillab check $*\`"$'\n\n'"$("$MAILLAB" check "$@" --timeout 10 --format markdown || true)"$'\n'
  expect_row "TLS handshake (TLS 1.2 or 1.3)" pass "TLSv1."
  expect_row "TLS 1.0 and 1.1 refused" "$legacy"
  expect_row "certificate names match the host" pass "localhost matches localhost"
  expect_row "certificate dates valid" pass
  expect_row "certificate chain verified" pass "chains to --cafile"
}

# Postfix 3.7 with its defaults (smtpd_tls_protocols = >=TLSv1) completes a TLS 1.1
# handshake: RFC 8996 forbids it, the row fails, and only that row may. With
# smtpd_tls_protocols = >=TLSv1.2 (the second instance) it passes.
tolerated="TLS 1.0 and 1.1 refused"
probe "Postfix, STARTTLS" "smtp://localhost:$PF_PORT" --starttls --cafile "$ca" --rcpt alice@pf.test --from carol@c.example \
  --user alice --password secret
tolerated=""
expect_row "TLS 1.0 and 1.1 refused" FAIL "accepted TLSv1"
expect_row "STARTTLS offered and accepted" pass
expect_row "AUTH only after STARTTLS" pass "only after STARTTLS"
expect_row "AUTH (--user/--password)" pass "235"
PF2_PORT=$(peers_free_port)
PEERS_POSTFIX_EXTRA="$sasl; smtpd_tls_auth_only = no; smtpd_tls_protocols = >=TLSv1.2" \
  peers_postfix_tls_start postfix2 "$PF2_PORT" "$work/pf2" "$cert" "$key" || fail "the second Postfix did not start"
probe "Postfix, STARTTLS, smtpd_tls_protocols = >=TLSv1.2, smtpd_tls_auth_only = no" \
  "smtp://localhost:$PF2_PORT" --starttls --cafile "$ca"
expect_row "plaintext pipelined after STARTTLS discarded" pass "no answer"
expect_row "AUTH only after STARTTLS" warn "offered in clear"
expect_row "plaintext pipelined after STARTTLS discarded" pass "no answer"
# Dovecot reads the bytes pipelined after STLS/STARTTLS as the start of the handshake and
# drops the connection: the command never runs (the row passes on that).
probe "Dovecot POP3, STLS" "pop3://alice:secret@localhost:$DC_PORT" --starttls --cafile "$ca"
expect_row "plaintext pipelined after STLS discarded" pass "never run"
probe "Dovecot pop3s" "pop3s://alice:secret@localhost:$DC_POP3S" --cafile "$ca"
probe "Dovecot IMAP, STARTTLS" "imap://alice:secret@localhost:$DC_IMAP" --cafile "$ca"
expect_row "STARTTLS offered and accepted" pass
expect_row "plaintext pipelined after STARTTLS discarded" pass "never run"
probe "Dovecot imaps" "imaps://alice:secret@localhost:$DC_IMAPS" --cafile "$ca"

# Without --cafile: the chain is not verified (a warning), everything else the same.
run_check "Dovecot imaps, no --cafile" -- "imaps://alice:secret@localhost:$DC_IMAPS"
expect_row "certificate chain verified" warn "not verified: no --cafile"

# The lab under serve, trusted through --ca-out.
cat >"$work/lab.yaml" <<'YAML'
scenario: check-tls
duration: 1d
hosts:
  mx.b.example:
    address: 192.0.2.20
    tls: {names: [localhost, mx.b.example]}
    mta:
      domains: [b.example]
      mynetworks: [127.0.0.0/8]
      submission: true
      smtps: true
      auth_failure_delay: 100ms
    pop3: true
    pop3s: true
    imap: true
    imaps: true
    users:
      bob: {password: builder}
YAML
"$MAILLAB" serve "$work/lab.yaml" --ca-out "$work/lab-ca.pem" --listen mx.b.example:submission=127.0.0.1:0 \
  --listen mx.b.example:smtps=127.0.0.1:0 --listen mx.b.example:pop3s=127.0.0.1:0 \
  --listen mx.b.example:imap=127.0.0.1:0 >"$work/timeline" 2>"$work/serve.err" &
serve_pid=$!
FAIL_LOGS+=("$work/serve.err")
peers_wait_log "$work/serve.err" "mx.b.example imap on" "maillab serve" || fail "serve did not start"
lab_port() { sed -n "s/^listening: mx.b.example $1 on 127.0.0.1:\([0-9]*\)\$/\1/p" "$work/serve.err"; }
probe "maillab serve, submission STARTTLS" "smtp://localhost:$(lab_port submission)" --starttls \
  --cafile "$work/lab-ca.pem" --user bob --password builder --from bob@b.example --rcpt bob@b.example
expect_row "AUTH only after STARTTLS" pass "only after STARTTLS"
probe "maillab serve, smtps" "smtps://localhost:$(lab_port smtps)" --cafile "$work/lab-ca.pem" \
  --user bob --password builder --from bob@b.example --rcpt bob@b.example
probe "maillab serve, pop3s" "pop3s://bob:builder@localhost:$(lab_port pop3s)" --cafile "$work/lab-ca.pem"
probe "maillab serve, IMAP STARTTLS" "imap://bob:builder@localhost:$(lab_port imap)" --starttls --cafile "$work/lab-ca.pem"

[ -n "${TABLES:-}" ] && printf '%s\n' "$tables" >"${TABLES_OUT:-/dev/stdout}"
[ "$failed" -eq 0 ] || fail "a TLS check failed (see the tables above)"
echo "check_tls_peers: all checks passed"
