#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/ (the files are committed; rerun
only to refresh them). Session targets get the 8-byte header of fuzz/fuzz_support.hpp
(flags, then 7 chunk sizes) before the bytes the peer sends. The DNS packets come from
the lab's own encoder and the TLS ClientHellos from its own client: pass the build
directory to run fuzz_make_dns_seeds and fuzz_make_tls_seeds too.

usage: fuzz/make_seeds.py [BUILD_DIR]
"""
import base64
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "corpus")

WHOLE = [0] * 7                   # the whole payload in one receive()
SMALL = [1, 2, 3, 5, 7, 11, 13]   # many small reads
LINES = [17, 64, 9, 128, 1, 33, 4]


def header(flags, sizes):
    return bytes([flags]) + bytes(sizes)


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("latin-1")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def crlf(text):
    return text.replace("\n", "\r\n")


def session(target, name, flags, sizes, payload):
    write(target, name, header(flags, sizes) + (payload.encode("latin-1") if isinstance(payload, str) else payload))


# ---- SMTP server: what a client sends ---------------------------------------------------
PLAIN = base64.b64encode(b"\0alice\0wonderland").decode()
smtp_server = {
    "simple": (0, WHOLE, crlf(
        "EHLO client.a.example\nMAIL FROM:<alice@a.example>\nRCPT TO:<bob@b.example>\nDATA\n"
        "From: alice@a.example\nTo: bob@b.example\nSubject: hi\n\nHello Bob.\n..a stuffed dot line\n.\nQUIT\n")),
    "pipelined": (0, SMALL, crlf(
        "EHLO client.a.example\n") + crlf(
        "MAIL FROM:<alice@a.example> SIZE=120 BODY=8BITMIME RET=HDRS ENVID=ENV42\n"
        "RCPT TO:<bob@b.example> NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob@b.example\n"
        "RCPT TO:<carol@c.example>\nDATA\nSubject: one\n\n.\n..\n...\nend\n.\n"
        "MAIL FROM:<>\nRCPT TO:<Postmaster>\nDATA\n.\nRSET\nNOOP\nQUIT\n")),
    "helo_two_messages": (0, LINES, crlf(
        "HELO client.a.example\nMAIL FROM:<alice@a.example>\nRCPT TO:<bob@b.example>\nDATA\nline 1\n.\n"
        "MAIL FROM:<\"quoted local\"@a.example>\nRCPT TO:<@relay.example:bob@[192.0.2.20]>\nDATA\n"
        "Subject: second\n\nbody\n.\nQUIT\n")),
    "auth_plain": (0x01, WHOLE, crlf(
        "EHLO pc.alice\nAUTH PLAIN " + PLAIN + "\nMAIL FROM:<alice@a.example> AUTH=<>\n"
        "RCPT TO:<bob@b.example>\nDATA\nSubject: submitted\n\nx\n.\nQUIT\n")),
    "auth_login_required": (0x03, SMALL, crlf(
        "EHLO pc.alice\nMAIL FROM:<alice@a.example>\nAUTH LOGIN\n" + base64.b64encode(b"alice").decode() + "\n"
        + base64.b64encode(b"wonderland").decode() + "\nAUTH PLAIN\n" + PLAIN + "\nAUTH PLAIN\n*\n"
        "MAIL FROM:<alice@a.example>\nRCPT TO:<bob@b.example>\nDATA\nhi\n.\nQUIT\n")),
    "smuggling": (0, WHOLE,
        "EHLO attacker.example\r\nMAIL FROM:<a@a.example>\r\nRCPT TO:<b@b.example>\r\nDATA\r\n"
        "Subject: smuggle\r\n\r\nbare lf\n.\nMAIL FROM:<admin@b.example>\r\n"
        "bare cr\r.\r\nRCPT TO:<victim@b.example>\r\n"
        "mixed\r\n.\nDATA\r\n"
        "cr-lf-cr\r\n.\r\r\n"
        "end\r\n.\r\nQUIT\r\n"),
    "errors": (0x20, LINES, crlf(
        "MAIL FROM:<a@a.example>\nDATA\nHELO\nEHLO\nEHLO x\nRCPT TO:<b@b.example>\n"
        "MAIL FROM:<a@a.example\nMAIL FROM:<a@a.example> SIZE=abc\nMAIL FROM:<a@a.example> FOO=bar\n"
        "MAIL FROM:<" + "l" * 70 + "@a.example>\nRCPT TO:<>\nRCPT TO:<b@" + "d" * 260 + ">\n"
        "VRFY bob\nEXPN list\nHELP\nSTARTTLS\nBDAT 10 LAST\n" + "X" * 600 + "\nNUL\0here\n\n   \n"
        "MAIL FROM:<a@a.example>\nMAIL FROM:<a@a.example>\nRSET\nQUIT\n")),
    "oversize": (0x04, [1, 0, 0, 0, 0, 0, 0], crlf(
        "EHLO c.example\nMAIL FROM:<a@a.example> SIZE=100000\nMAIL FROM:<a@a.example>\nRCPT TO:<b@b.example>\n"
        "DATA\n" + ("0123456789" * 12 + "\n") * 12 + ".\nQUIT\n")),
    "plain_no_extensions": (0x18, [3, 0, 0, 0, 0, 0, 0], crlf(
        "ehlo lower.example\nmail from:<a@a.example>\nrcpt to:<b@b.example>\ndata\n.\nquit\n")),
    "timeout_in_data": (0x40, SMALL, crlf(
        "EHLO c.example\nMAIL FROM:<a@a.example>\nRCPT TO:<b@b.example>\nDATA\nunfinished\n")),
    "bdat": (0, SMALL,
        "EHLO c.example\r\nMAIL FROM:<a@a.example>\r\nRCPT TO:<b@b.example>\r\n"
        "BDAT 15\r\nab\r\n.\r\nQUIT\r\nx\nBDAT 0\r\nBDAT 3 LAST\r\nc\rdDATA\r\nRSET\r\n"
        "MAIL FROM:<a@a.example>\r\nRCPT TO:<b@b.example>\r\nBDAT 4 last\r\nd\r\n\nBDAT x\r\n"),
    "smtputf8": (0, LINES,
        "EHLO c.example\r\nMAIL FROM:<jos\xc3\xa9@ex\xc3\xa4mple.org> SMTPUTF8\r\n"
        "RCPT TO:<\"q \xc3\xa9\"@b.example>\r\nRCPT TO:<b@\xff.example>\r\nDATA\r\nSubject: \xc3\xa9\r\n\r\n.\r\n"
        "MAIL FROM:<jos\xc3\xa9@x.example>\r\nMAIL FROM:<a@a.example> SMTPUTF8=1\r\nQUIT\r\n"),
    "long_text_lines": (0, [0] * 7, crlf(
        "EHLO c.example\nMAIL FROM:<a@a.example>\nRCPT TO:<b@b.example>\nDATA\n" + "y" * 1500 + "\n.\nQUIT\n")),
}
for name, (flags, sizes, payload) in smtp_server.items():
    session("smtp_server_fuzz", name, flags, sizes, payload)

# ---- SMTP client: what a server answers ---------------------------------------------------
EHLO_FULL = crlf("250-mx.b.example\n250-PIPELINING\n250-SIZE 10240000\n250-8BITMIME\n250-DSN\n"
                 "250-AUTH PLAIN LOGIN\n250 ENHANCEDSTATUSCODES\n")
OK_TX = crlf("250 2.1.0 Ok\n250 2.1.5 Ok\n250 2.1.5 Ok\n354 End data with <CR><LF>.<CR><LF>\n250 2.0.0 Ok: queued as 4F2A\n")
smtp_client = {
    "pipelined_ok": (0x08, WHOLE, crlf("220 mx.b.example ESMTP Postfix\n") + EHLO_FULL + OK_TX + crlf("221 2.0.0 Bye\n")),
    "two_messages": (0x09, SMALL, crlf("220 mx.b.example ESMTP\n") + EHLO_FULL + OK_TX + OK_TX + crlf("221 2.0.0 Bye\n")),
    "no_pipelining": (0x0c, LINES, crlf("220 mx ESMTP\n250-mx\n250 8BITMIME\n250 Ok\n250 Ok\n250 Ok\n354 go\n250 Ok\n221 Bye\n")),
    "one_rejected": (0x08, WHOLE, crlf("220 mx ESMTP\n") + EHLO_FULL +
                     crlf("250 2.1.0 Ok\n550 5.1.1 <bob1@b.example>: Recipient address rejected: User unknown\n"
                          "250 2.1.5 Ok\n354 End\n250 2.0.0 Ok: queued\n221 2.0.0 Bye\n")),
    "all_rejected": (0x08, WHOLE, crlf("220 mx ESMTP\n") + EHLO_FULL +
                     crlf("250 2.1.0 Ok\n550 5.1.1 unknown\n450 4.2.0 greylisted\n554 5.5.1 Error: no valid recipients\n"
                          "250 2.0.0 Ok\n221 2.0.0 Bye\n")),
    "helo_fallback": (0x00, SMALL, crlf("220 old.example SMTP\n502 5.5.2 Error: command not recognized\n250 old.example\n"
                                         "250 Ok\n250 Ok\n250 Ok\n354 go ahead\n250 Ok\n")),
    "auth": (0x0a, WHOLE, crlf("220 mail.a.example ESMTP\n") + EHLO_FULL +
             crlf("235 2.7.0 Authentication successful\n") + OK_TX + crlf("221 2.0.0 Bye\n")),
    "auth_login": (0x0e, WHOLE, crlf("220 mail ESMTP\n250-mail\n250 AUTH LOGIN\n334 VXNlcm5hbWU6\n334 UGFzc3dvcmQ6\n"
                                      "235 2.7.0 Ok\n250 Ok\n250 Ok\n250 Ok\n354 go\n250 Ok\n221 Bye\n")),
    "greeting_554": (0x00, WHOLE, crlf("554 5.7.1 No SMTP service here\n221 Bye\n")),
    "shutdown_421": (0x01, LINES, crlf("220 mx ESMTP\n") + EHLO_FULL +
                     crlf("250 2.1.0 Ok\n421 4.3.2 Service shutting down\n")),
    "data_452_then_garbage": (0x08, WHOLE, crlf("220 mx ESMTP\n") + EHLO_FULL +
                              crlf("250 2.1.0 Ok\n250 2.1.5 Ok\n250 2.1.5 Ok\n354 End\n452 4.3.1 Insufficient system storage\n"
                                   "garbage line\n250 extra\n")),
    "multiline_replies": (0x10, SMALL, crlf("220-mx.b.example ESMTP\n220-welcome\n220 mx\n") + EHLO_FULL +
                          crlf("250-2.1.0 first\n250 2.1.0 Ok\n250 2.1.5 Ok\n250 2.1.5 Ok\n354 End\n250 2.0.0 Ok\n")),
    "lost_after_dot": (0x20, WHOLE, crlf("220 mx ESMTP\n") + EHLO_FULL +
                       crlf("250 2.1.0 Ok\n250 2.1.5 Ok\n250 2.1.5 Ok\n354 End\n")),
}
for name, (flags, sizes, payload) in smtp_client.items():
    session("smtp_client_fuzz", name, flags, sizes, payload)

# ---- POP3 server: what a client sends ---------------------------------------------------
POP_PLAIN = base64.b64encode(b"\0bob\0secret").decode()
pop3_server = {
    "user_pass_full": (0, WHOLE, crlf("CAPA\nUSER bob\nPASS secret\nSTAT\nLIST\nLIST 2\nUIDL\nUIDL 1\nRETR 1\n"
                                       "RETR 2\nRETR 3\nTOP 1 1\nTOP 4 0\nDELE 1\nDELE 1\nRETR 1\nNOOP\nQUIT\n")),
    "auth_plain_rset": (0, SMALL, crlf("AUTH PLAIN " + POP_PLAIN + "\nDELE 2\nRSET\nDELE 3\nQUIT\n")),
    "auth_plain_continuation": (0, LINES, crlf("AUTH PLAIN\n" + POP_PLAIN + "\nLIST\nQUIT\n")),
    "apop": (0x01, WHOLE, crlf("APOP mrose c4c9334bac560ecc979e58001b3e22fb\nSTAT\nRETR 1\nDELE 1\nQUIT\n")),
    "in_use": (0x08, WHOLE, crlf("USER mrose\nPASS pw\nUSER bob\nPASS secret\nQUIT\n")),
    "failures": (0, SMALL, crlf("STAT\nPASS x\nUSER bob\nPASS wrong\nAUTH PLAIN =\nAUTH CRAM-MD5\nUSER bob\nPASS nope\n")),
    "unlimited_failures": (0x10, LINES, crlf("USER a\nPASS b\nUSER c\nPASS d\nUSER e\nPASS f\nAUTH PLAIN *\n"
                                              "APOP bob 0123\nuser bob\npass secret\nlist  1\nlist 1 \nretr +1\n"
                                              "top 1 -1\nuidl 99999999999999999999999\n" + "Z" * 300 + "\nquit\n")),
    "bare_lf_fail_removes": (0x20, WHOLE, "USER bob\nPASS secret\nDELE 1\nDELE 4\nQUIT\n"),
    "no_user_pass": (0x02, WHOLE, crlf("USER bob\nCAPA\nAUTH PLAIN " + POP_PLAIN + "\nQUIT\n")),
    "timeout": (0x40, SMALL, crlf("USER bob\nPASS secret\nDELE 1\n")),
}
for name, (flags, sizes, payload) in pop3_server.items():
    session("pop3_server_fuzz", name, flags, sizes, payload)

# ---- POP3 client: what a server answers --------------------------------------------------
GREET = "+OK pop.b.example POP3 server ready <1896.697170952@dbc.mtview.ca.us>\n"
CAPA = "+OK capability list follows\nTOP\nUIDL\nUSER\nSASL PLAIN\nRESP-CODES\nPIPELINING\n.\n"
MSG1 = "+OK 120 octets\nFrom: alice@a.example\nSubject: one\n\nHello\n..\n..two dots\n\n.\n"
MSG2 = "+OK 20 octets\nSubject: two\n\n.\n"
pop3_client = {
    "user_pass": (0x01, WHOLE, crlf(GREET + CAPA + "+OK send PASS\n+OK maildrop has 2 messages (140 octets)\n"
                                    "+OK 2 140\n+OK\n1 u1\n2 u2\n.\n" + MSG1 + MSG2 + "+OK bye\n")),
    "delete": (0x05, SMALL, crlf(GREET + CAPA + "+OK\n+OK logged in\n+OK 2 140\n+OK\n1 u1\n2 u2\n.\n" + MSG1 +
                                 "+OK message 1 deleted\n" + MSG2 + "+OK message 2 deleted\n+OK bye (maildrop empty)\n")),
    "only_new": (0x08, LINES, crlf(GREET + CAPA + "+OK\n+OK\n+OK 2 140\n+OK\n1 u1\n2 u2\n.\n" + MSG2 + "+OK bye\n")),
    "rfc1939_list": (0x00, WHOLE, crlf("+OK ready\n-ERR unknown command\n+OK\n+OK\n+OK 1 20\n-ERR no UIDL\n"
                                       "+OK 1 messages\n1 20\n.\n" + MSG2 + "+OK\n")),
    "sasl_plain": (0x03, WHOLE, crlf(GREET + CAPA + "+OK logged in\n+OK 0 0\n+OK\n.\n+OK bye\n")),
    "sasl_plain_challenge": (0x03, SMALL, crlf(GREET + CAPA + "+ \n+OK logged in\n+OK 0 0\n+OK\n.\n+OK bye\n")),
    "apop": (0x02, SMALL, crlf(GREET + CAPA + "+OK mrose's maildrop has 1 message\n+OK 1 20\n+OK\n1 u1\n.\n" + MSG2 + "+OK\n")),
    "auth_failed": (0x01, WHOLE, crlf(GREET + CAPA + "+OK\n-ERR [AUTH] invalid user name or password\n+OK bye\n")),
    "in_use": (0x00, LINES, crlf(GREET + CAPA + "+OK\n-ERR [IN-USE] maildrop already locked\n+OK\n")),
    "garbage": (0x10, WHOLE, crlf("+OK hi\n+OK\nUSER\n.\n+OK\n+OK\n+OK two 3\nhello\n")),
}
for name, (flags, sizes, payload) in pop3_client.items():
    session("pop3_client_fuzz", name, flags, sizes, payload)

# ---- HTTP server: what a browser, curl or an attacker sends ----------------------------------
H = "Host: lab.example\n"
http_server = {
    "get_keepalive": (0, WHOLE, crlf("GET /hello HTTP/1.1\n" + H + "\nHEAD /hello HTTP/1.1\n" + H + "\n"
                                     "GET /m/abc%20d HTTP/1.1\n" + H + "Accept: */*\n\nGET /close HTTP/1.1\n" + H + "\n")),
    "pipelined_posts": (0, SMALL, crlf("POST /echo HTTP/1.1\n" + H + "Content-Length: 5\n\n") + "hello" +
                        crlf("POST /echo HTTP/1.1\n" + H + "Transfer-Encoding: chunked\n\n") +
                        "3;x=1\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n" +
                        crlf("GET /hello HTTP/1.1\n" + H + "Connection: close\n\n")),
    "http10": (0, LINES, crlf("GET /hello HTTP/1.0\nConnection: keep-alive\n\nGET /stream HTTP/1.0\n\n")),
    "expect_continue": (0, SMALL, crlf("POST /echo HTTP/1.1\n" + H + "Expect: 100-continue\nContent-Length: 3\n\n") + "abc"),
    "late_and_stream": (0x22, LINES, crlf("GET /later HTTP/1.1\n" + H + "\nGET /stream HTTP/1.1\n" + H + "\n"
                                          "GET /later HTTP/1.1\n" + H + "\n")),
    "driver_bounded": (0x08, WHOLE, crlf(("GET /m/x HTTP/1.1\n" + H + "\n") * 20)),
    "traversal": (0, WHOLE, crlf("GET /m/../../etc/passwd HTTP/1.1\n" + H + "\n")),
    "encoded_traversal": (0, SMALL, crlf("GET /m/%2e%2e HTTP/1.1\n" + H + "\nGET /m/a%0d%0aSet-Cookie:x HTTP/1.1\n" + H + "\n")),
    "smuggling": (0, WHOLE, crlf("POST /echo HTTP/1.1\n" + H + "Content-Length: 4\nTransfer-Encoding: chunked\n\n"
                                 "0\n\nGET /hello HTTP/1.1\n" + H + "\n")),
    "small_limits_header": (0x01, SMALL, crlf("GET /hello HTTP/1.1\n" + H + "X-Big: " + "a" * 300 + "\n\n")),
    "small_limits_body": (0x01, WHOLE, crlf("POST /echo HTTP/1.1\n" + H + "Transfer-Encoding: chunked\n\n") +
                          "40\r\n" + "b" * 64 + "\r\n1\r\nc\r\n0\r\n\r\n"),
    "broken_chunks": (0, SMALL, crlf("POST /echo HTTP/1.1\n" + H + "Transfer-Encoding: chunked\n\n") + "zz\r\nabc\r\n"),
    "bad_method_405": (0x10, WHOLE, crlf("PUT /hello HTTP/1.1\n" + H + "Content-Length: 0\n\nOPTIONS /m/1 HTTP/1.1\n" + H +
                                         "\nGET /nowhere HTTP/1.1\n" + H + "\nGET /hello HTTP/1.1\n" + H + "\n")),
    "timeout_mid_body": (0x04, WHOLE, crlf("POST /echo HTTP/1.1\n" + H + "Content-Length: 10\n\n") + "abc"),
    "http2_preface": (0, WHOLE, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
}
for name, (flags, sizes, payload) in http_server.items():
    session("http_server_fuzz", name, flags, sizes, payload)

# ---- IMAP server: what a client sends -----------------------------------------------------
IMAP_PLAIN = base64.b64encode(b"\0bob\0builder").decode()
IMAP_MSG = "From: a@a.example\r\nSubject: saved\r\n\r\nbody\r\n"
imap_server = {
    "login_fetch": (0x00, WHOLE, crlf(
        "a1 CAPABILITY\na2 LOGIN bob builder\na3 SELECT INBOX\na4 FETCH 1:* (FLAGS UID RFC822.SIZE ENVELOPE)\n"
        "a5 FETCH 2 (BODYSTRUCTURE BODY.PEEK[1.MIME] BODY[2.HEADER] BINARY[1] BINARY.SIZE[1] BODY[]<0.10>)\n"
        "a6 UID SEARCH UNSEEN\na7 SEARCH RETURN (MIN MAX COUNT ALL) OR FROM alice NOT SEEN\na8 LOGOUT\n")),
    "literals": (0x00, SMALL, "b1 LOGIN {3}\r\nbob {7+}\r\nbuilder\r\nb2 APPEND Sent (\\Seen $k) "
                              "\"17-Jul-1996 02:44:25 -0700\" {%d}\r\n%s\r\nb3 STATUS Sent (MESSAGES UIDNEXT SIZE)\r\n"
                              % (len(IMAP_MSG), IMAP_MSG)),
    "mailboxes": (0x01, LINES, crlf(
        "c1 AUTHENTICATE PLAIN " + IMAP_PLAIN + "\nc2 CREATE Work.Projects\nc3 LIST \"\" *\n"
        "c4 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (CHILDREN STATUS (MESSAGES))\nc5 RENAME Work Old\n"
        "c6 SUBSCRIBE Old.Projects\nc7 LSUB \"\" *\nc8 DELETE Old.Projects\nc9 NAMESPACE\nca ENABLE IMAP4rev2 UTF8=ACCEPT\n"
        "cb SELECT Trash\ncc EXAMINE INBOX\ncd ID NIL\nce LOGOUT\n")),
    "store_copy_move": (0x00, WHOLE, crlf(
        "d1 LOGIN bob builder\nd2 SELECT INBOX\nd3 STORE 1:2 +FLAGS (\\Seen $Label)\nd4 UID STORE 3 FLAGS.SILENT (\\Deleted)\n"
        "d5 COPY 1 Trash\nd6 UID MOVE 2 Junk\nd7 UID EXPUNGE 3\nd8 EXPUNGE\nd9 CLOSE\nda LOGOUT\n")),
    "idle": (0x20, SMALL, crlf("e1 LOGIN bob builder\ne2 SELECT INBOX\ne3 IDLE\nDONE\ne4 NOOP\ne5 UNSELECT\n")),
    "auth_failures": (0x04, WHOLE, crlf("f1 LOGIN bob wrong\nf2 LOGIN bob \"\"\nf3 AUTHENTICATE PLAIN\n*\n"
                                        "f4 AUTHENTICATE PLAIN =\nf5 LOGIN bob builder\n")),
    "starttls": (0x02, WHOLE, crlf("g1 CAPABILITY\ng2 LOGIN bob builder\ng3 STARTTLS\ng4 LOGIN bob builder\n")),
    "limits": (0x08, SMALL, "h1 LOGIN {100}\r\nh2 APPEND INBOX {600+}\r\n" + "x" * 600 + "\r\nh3 NOOP " + "y" * 300 +
                            "\r\nh4 FROB\r\nh5 NOOP\r\n"),
    "timeout": (0x40, LINES, crlf("i1 LOGIN bob builder\ni2 SELECT INBOX\n")),
}
for name, (flags, sizes, payload) in imap_server.items():
    session("imap_server_fuzz", name, flags, sizes, payload)

# ---- IMAP client: what a server answers ----------------------------------------------------
IMAP_GREET = "* OK [CAPABILITY IMAP4rev1 IMAP4rev2 SASL-IR LITERAL+ IDLE AUTH=PLAIN STARTTLS] ready\n"
IMAP_BODY = "Subject: hi\r\n\r\nhello\r\n"
imap_client = {
    "fetch": (0x00, WHOLE, crlf(IMAP_GREET + "A1 OK [CAPABILITY IMAP4rev1 IDLE] in\n* 2 EXISTS\nA2 OK [READ-WRITE] sel\n"
                                "* SEARCH 1 2\nA3 OK\n") + "* 1 FETCH (UID 1 BODY[] {%d}\r\n%s FLAGS (\\Seen))\r\n"
                                % (len(IMAP_BODY), IMAP_BODY) + crlf("* 2 FETCH (UID 2 BODY[] \"x\")\nA4 OK\n* BYE\nA5 OK\n")),
    "delete_idle": (0x03, SMALL, crlf(IMAP_GREET + "A1 OK in\n* 1 EXISTS\nA2 OK\n* ESEARCH (TAG \"A3\") UID ALL 4\nA3 OK\n"
                                      "* 1 FETCH (UID 4 BODY[] NIL)\nA4 OK\nA5 OK\n* 1 EXPUNGE\nA6 OK\n+ idling\n"
                                      "* 1 EXISTS\nA7 OK\n* SEARCH\nA8 OK\n+ idling\n")),
    "append_login": (0x0c, LINES, crlf("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\n* CAPABILITY IMAP4rev1\nA1 OK\n"
                                       "A2 OK\n+ go\nA3 OK [APPENDUID 5 9] done\nA4 OK\n* SEARCH\nA5 OK\nA6 OK\n")),
    "starttls": (0x10, WHOLE, crlf(IMAP_GREET + "A1 OK begin\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\nA2 OK\nA3 OK in\n")),
    "hostile": (0xa0, SMALL, "* OK hi\r\n* CAPABILITY\r\nA1 OK\r\n* 1 FETCH (BODY[] {99999}\r\n" + "z" * 200),
    "timeout": (0x40, WHOLE, crlf(IMAP_GREET + "A1 NO [AUTHENTICATIONFAILED] no\n")),
}
for name, (flags, sizes, payload) in imap_client.items():
    session("imap_client_fuzz", name, flags, sizes, payload)

# ---- zones --------------------------------------------------------------------------------
def shared_zone(name):
    """A zone of tests/support/dns_zones.hpp (the tests' fixtures), its raw string's text."""
    with open(os.path.join(ROOT, "tests", "support", "dns_zones.hpp"), encoding="utf-8") as f:
        text = f.read()
    start = text.index(name + ' = R"(') + len(name + ' = R"(')
    return text[start:text.index(')";', start)]


zones = {
    "b_example": shared_zone("kZoneB"),
    "c_example": """$ORIGIN c.example.
$TTL 300
@         SOA ns hostmaster 7 3600 600 604800 60
@         NS ns
ns        A 192.0.2.53
www       CNAME web
web       CNAME mx1.b.example.
*.wild    MX 5 mx1.b.example.
sub       NS ns.sub
ns.sub    A 192.0.2.54
null      MX 0 .
""",
    "parentheses_units": """$TTL 1h30m
example.org.  IN  SOA  ns1.example.org. hostmaster.example.org. (
                  2024010101 ; serial
                  1h         ; refresh
                  15m        ; retry
                  1w         ; expire
                  5m )       ; minimum
              IN  NS   ns1
              3600 IN MX 10 mail
ns1           A    192.0.2.1
mail    IN 60 A    192.0.2.25
        IN    AAAA 2001:db8::25
""",
    "txt_generic": """$ORIGIN t.example.
@  TXT "v=spf1 ip4:192.0.2.0/24 -all"
@  TXT "quoted \\"escape\\"" "two strings" "\\065\\066C" ""
@  TYPE99 \\# 3 010203
_srv._tcp  TYPE33 \\# 6 000a0005 0019
ptr        PTR   host.example.
escaped\\.label  A 192.0.2.7
""",
    "relative_before_origin": "host A 192.0.2.1\n$ORIGIN x.example.\nhost2 A 192.0.2.2\n",
    "errors": "$ORIGIN e.example.\n$INCLUDE other.zone\n@ MX ten mx\n@ A 192.0.2\n@ CNAME a\n@ CNAME b\n",
    "cname_conflict": "$ORIGIN e.example.\nwww CNAME web\nwww A 192.0.2.1\n",
}
for name, text in zones.items():
    write("dns_zone_fuzz", name, text)

# ---- messages and DSNs ------------------------------------------------------------------------
DSN = crlf("""From: Mail Delivery System <MAILER-DAEMON@mx.a.example>
To: alice@a.example
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="=_ml_1a2b3c"
Message-ID: <dsn.1@mx.a.example>

This is a MIME-encapsulated message.

--=_ml_1a2b3c
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.a.example.

--=_ml_1a2b3c
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.a.example
Original-Envelope-Id: ENV42
Arrival-Date: Mon, 02 Mar 2026 09:00:00 +0000

Final-Recipient: rfc822; bob@b.example
Original-Recipient: rfc822;bob@b.example
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.b.example
Diagnostic-Code: smtp; 550 5.1.1 <bob@b.example>: Recipient address
    rejected: User unknown
Last-Attempt-Date: Mon, 02 Mar 2026 09:00:01 +0000

Final-Recipient: rfc822; carol@c.example
Action: delayed
Status: 4.4.1
Will-Retry-Until: Mon, 07 Mar 2026 09:00:00 +0000

--=_ml_1a2b3c
Content-Type: text/rfc822-headers

From: alice@a.example
Subject: hello

--=_ml_1a2b3c--
""")
messages = {
    "simple": crlf("From: Alice <alice@a.example>\nTo: bob@b.example\nSubject: Hello\nDate: Tue, 1 Jul 2025 10:00:00 +0000\n"
                   "Message-ID: <1@a.example>\n\nHi Bob,\n\n.a dot line\n"),
    "folded_received": crlf("Received: from mail.a.example (mail.a.example [192.0.2.10])\n\tby mx.b.example (maillab)\n"
                            "\twith ESMTP id 4F2A for <bob@b.example>;\n\tTue, 1 Jul 2025 10:00:01 +0000\n"
                            "Subject: =?UTF-8?B?SGVsbG8=?=\nX-Empty:\nbad header line\n  continuation\n\nbody\n"),
    "bare_lf": "Subject: lf\nFrom: a@a.example\n\nline\n",
    "no_separator": "Subject: only headers\r\nX-A: b\r\n",
    "body_only": "not a header\r\nSubject: x\r\n\r\nbody\r\n",
    "empty_header": "\r\nbody after an empty header section\r\n",
    "mime": crlf("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\n"
                 "text\n--b1\nContent-Type: message/rfc822\n\nSubject: inner\n\ninner body\n--b1--\n"),
    "dsn": DSN,
    "dsn_lf_nested": DSN.replace("\r\n", "\n").replace("multipart/report", "multipart/mixed"),
}
for name, text in messages.items():
    write("message_fuzz", name, text)

# ---- scenarios ------------------------------------------------------------------------------
lib = os.path.join(ROOT, "scenarios", "library")
os.makedirs(os.path.join(CORPUS, "scenario_loader_fuzz"), exist_ok=True)
for f in sorted(os.listdir(lib)):
    if f.endswith(".yaml"):
        shutil.copyfile(os.path.join(lib, f), os.path.join(CORPUS, "scenario_loader_fuzz", f))
write("scenario_loader_fuzz", "broken_tab.yaml", "scenario: x\nhosts:\n\ta: {}\n")
write("scenario_loader_fuzz", "broken_unknown_host.yaml",
      "scenario: x\nduration: 1m\nhosts:\n  a.example: {address: 192.0.2.1}\nevents:\n  - at: 1s\n    crash: b.example\n")
write("scenario_loader_fuzz", "two_documents.yaml", "scenario: x\n---\nscenario: y\n")

# ---- sender authentication (protocols/auth) ---------------------------------------------------
SPF_SEEDS = {
    "ip4_all": (0, "v=spf1 ip4:192.0.2.0/24 -all\n"),
    "include_mx": (0, "v=spf1 include:_spf.fuzz.example mx:mail.fuzz.example/24//64 ~all\n"
                      "_spf.fuzz.example TXT v=spf1 a:%{d2} ?all\n"
                      "mail.fuzz.example MX 10 mx1.fuzz.example\n"
                      "mx1.fuzz.example A 192.0.2.25\nmx1.fuzz.example AAAA 2001:db8::25\n"),
    "redirect_exp": (1, "v=spf1 redirect=r.fuzz.example\n"
                        "r.fuzz.example TXT v=spf1 -ip6:2001:db8::/32 exp=why.%{d}\n"
                        "why.r.fuzz.example TXT %{i} (%{c}) is not %{l} of %{o}, %{r} at %{t}\n"),
    "ptr_macros": (4, "v=spf1 ptr:fuzz.example exists:%{ir}.%{l1r+-}.%{v}.%{p}.bl.fuzz.example -all\n"
                      "25.2.0.192.in-addr.arpa PTR host.fuzz.example\n"
                      "host.fuzz.example A 192.0.2.25\n"),
    "limits": (2, "v=spf1 a:x1.fuzz.example a:x2.fuzz.example a:x3.fuzz.example include:t.fuzz.example -all\n"
                  "t.fuzz.example TIMEOUT\n"),
    "bad_syntax": (0, "v=spf1 ip4:1.2.3.4/33 moo.cow/x=1 %{z} -all.\n"),
}
for name, (flags, text) in SPF_SEEDS.items():
    write("spf_fuzz", name, bytes([flags]) + text.encode())

MAIL = crlf("From: Alice <alice@a.example>\nTo: bob@b.example\nSubject: hello\n  folded\n"
            "Date: Mon, 02 Mar 2026 09:00:00 +0000\n\nHi  Bob,\t\n\n\n")
DKIM_FIELD = crlf("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple; d=a.example; s=s1;\n"
                  "\tt=1772442000; x=1772445600; l=12; i=alice@a.example; h=From:To:Subject:From;\n"
                  "\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\n"
                  "\tb=dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ==\n")
for name, flags, text in [("plain_relaxed", 0, MAIL), ("simple_simple_l", 7, MAIL),
                          ("signed_field", 0, DKIM_FIELD + MAIL), ("bare_lf", 8, MAIL.replace("\r\n", "\n")),
                          ("empty_body", 3, crlf("From: a@a.example\n\n"))]:
    write("dkim_fuzz", name, bytes([flags]) + text.encode())

for name, text in [("full", "v=DMARC1; p=quarantine; sp=reject; pct=25; adkim=s; aspf=r; "
                            "rua=mailto:r@a.example,mailto:x@b.example!10m; ruf=mailto:f@a.example; fo=1:d; ri=3600"),
                   ("minimal", "v=DMARC1;p=reject"),
                   ("rua_only", "v=DMARC1; p=bogus; rua=mailto:r@a.example"),
                   ("name", "Mail.Sub.Example.CO.UK."),
                   ("from_message", crlf("From: \"Smith, J\" <j@mail.a.example> (x@y)\nTo: b@b.example\n\nbody\n"))]:
    write("dmarc_fuzz", name, text)

# ---- DNS packets, from the lab's encoder ------------------------------------------------------
if len(sys.argv) > 1:
    tool = os.path.join(sys.argv[1], "fuzz", "fuzz_make_dns_seeds")
    for t in ("dns_decode_fuzz", "dns_authority_fuzz"):
        os.makedirs(os.path.join(CORPUS, t), exist_ok=True)
    subprocess.run([tool, os.path.join(CORPUS, "dns_decode_fuzz"), os.path.join(CORPUS, "dns_authority_fuzz")],
                   check=True)
    # ---- TLS ClientHellos, from the lab's own client -------------------------------------------
    os.makedirs(os.path.join(CORPUS, "tls_server_fuzz"), exist_ok=True)
    subprocess.run([os.path.join(sys.argv[1], "fuzz", "fuzz_make_tls_seeds"),
                    os.path.join(CORPUS, "tls_server_fuzz")], check=True)
