# shellcheck shell=bash
# The three real servers `maillab check` is run against, shared by check_peers_test.sh
# and make_tables.sh (sourced after tools/peers.sh):
#   peers_lab_start WORK   Postfix smtpd (virtual domain pf.test) on $PF_PORT, Dovecot POP3
#                          on $DC_PORT and IMAP on $DC_IMAP_PORT serving the same Maildirs, smtp-sink on $SINK_PORT;
#                          then one message (swaks) through Postfix into alice's Maildir so
#                          that Dovecot has something to LIST, RETR and DELE.
#   PEERS_LAB_NAME         the Postfix instance's name (stop it with peers_stop_all)
# Every wait is bounded (tools/peers.sh); a failure returns 1 after saying why.

peers_lab_start() {  # WORK
  local work=$1
  PEERS_LAB_NAME=postfix   # its banner names postfix.peers.test; names are per shell
  PF_PORT=$(peers_free_port)
  DC_PORT=$(peers_free_port)
  DC_IMAP_PORT=$(peers_free_port)
  SINK_PORT=$(peers_free_port)
  peers_postfix_start "$PEERS_LAB_NAME" "$PF_PORT" "$work/peers" || return 1
  peers_dovecot_start "$DC_PORT" "$work/peers" "$DC_IMAP_PORT" || return 1
  peers_sink_start "$SINK_PORT" || return 1
  printf '%s\r\n' "From: Carol <carol@c.example>" "To: alice@pf.test" \
    "Subject: for the POP3 checks" "Message-ID: <peers-lab.$$@c.example>" \
    "Date: Mon, 02 Mar 2026 10:00:00 +0000" "" "Hello Alice," "this is the message RETR reads" |
    head -c -2 >"$work/seed.eml"
  if ! swaks --server "127.0.0.1:$PF_PORT" --from carol@c.example --to alice@pf.test \
       --data "$work/seed.eml" >"$work/seed.swaks" 2>&1; then
    echo "peers_lab: swaks could not deliver the seed message to Postfix:" >&2
    tail -n 15 "$work/seed.swaks" >&2
    return 1
  fi
  peers_wait_log "$work/peers/postfix.log" 'to=<alice@pf.test>, relay=virtual.*status=sent' \
    "Postfix delivering the seed message to alice" || return 1
  export PF_PORT DC_PORT DC_IMAP_PORT SINK_PORT PEERS_LAB_NAME
}
