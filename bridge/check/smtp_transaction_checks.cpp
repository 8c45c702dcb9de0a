// The SMTP checks that open transactions or use extensions (the table and the session
// checks are in smtp_checks.cpp): AUTH with --user/--password (RFC 4954), Postmaster
// (RFC 5321 4.5.1), the DSN parameters (RFC 3461), PIPELINING (RFC 2920), the --rcpt
// transactions run by the client engine (998-octet line, dot-stuffing, the --fetch round
// trip), enhanced status codes (RFC 2034) and QUIT.
#include <array>
#include <chrono>
#include <ctime>
#include <thread>
#include <vector>

#include "bridge/check/pop3_probe.hpp"
#include "bridge/check/smtp_ctx.hpp"
#include "protocols/smtp/esmtp_param.hpp"
#include "protocols/smtp/path.hpp"

namespace maillab::check {

namespace {

std::string date_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

smtp::OutgoingMessage message(SmtpCtx& c, const std::string& what, const std::string& body) {
  smtp::OutgoingMessage m;
  m.from = smtp::parse_reverse_path(c.from()).path;
  m.rcpts.push_back({smtp::parse_forward_path("<" + c.opt.rcpt + ">").path, {}});
  std::string content = "From: <" + c.opt.from + ">\r\nTo: <" + c.opt.rcpt + ">\r\nSubject: maillab check: " + what +
                        "\r\nDate: " + date_now() + "\r\nMessage-ID: <" + what + "." + c.token +
                        "@maillab.check>\r\n\r\n" + body;
  m.content = std::make_shared<const std::string>(std::move(content));
  return m;
}

// Both --rcpt transactions, on one ClientSession connection.
const SmtpSessionLog* transactions(SmtpCtx& c) {
  if (c.opt.rcpt.empty()) return nullptr;
  if (!c.tx) {
    // One connection at a time: a server that serves connections one after the other
    // (smtp-sink with a small backlog, a test double) must not keep the engine waiting.
    if (c.line && c.line->alive()) {
      c.line->command("QUIT");
      c.keep_replies();
      c.line->close();
    }
    std::vector<smtp::OutgoingMessage> ms;
    ms.push_back(message(c, "long-line", "A 998-octet line follows (RFC 5321 4.5.3.1.6).\r\n" +
                                             std::string(998, 'x') + "\r\nend\r\n"));
    c.dot_body = "Dot-stuffing (RFC 5321 4.5.2): lines below start with dots.\r\n.\r\n..\r\n.leading dot\r\n"
                 "...three\r\n. \r\n.\r\nend\r\n";
    ms.push_back(message(c, "dot-stuffing", c.dot_body));
    c.tx = run_smtp_session(c.url, c.opt.timeout, c.helo, std::move(ms), c.auth());
  }
  return &*c.tx;
}

Result outcome(SmtpCtx& c, std::size_t i) {
  const SmtpSessionLog* tx = transactions(c);
  if (!tx) return Result::skip("needs --rcpt (a recipient the server accepts)");
  if (i >= tx->outcomes.size()) return Result::fail(tx->error.empty() ? "no outcome" : tx->error);
  const auto& o = tx->outcomes[i];
  if (!o.mail_reply.positive_completion()) return *mail_refused(c, o.mail_reply);
  const smtp::Reply& r = o.rcpts.at(0).reply;
  if (!o.data_sent && !r.positive_completion()) return Result::skip("--rcpt refused: " + first_line(r));
  return r.code == 250 ? Result::pass(first_line(r)) : Result::fail(first_line(r));
}

}  // namespace

Result auth(SmtpCtx& c) {
  if (c.opt.user.empty()) return Result::skip("no --user/--password");
  const auto& ext = c.base.extensions;
  if (!ext.count("AUTH")) {
    if (ext.count("STARTTLS")) return Result::skip("AUTH is offered only after STARTTLS: the probe has no TLS yet");
    return Result::skip("AUTH not announced");
  }
  std::size_t i = 0;
  while (i < c.base.exchanges.size() && c.base.exchanges[i].sent.rfind("AUTH", 0) != 0) ++i;
  if (i == c.base.exchanges.size()) {
    const SmtpExchange* e = c.base.find("EHLO");
    std::string mechanisms;
    for (std::size_t k = 1; e && k < e->reply.lines.size(); ++k)
      if (e->reply.lines[k].substr(0, 5) == "AUTH " || e->reply.lines[k].substr(0, 5) == "auth ")
        mechanisms = std::string(e->reply.lines[k].substr(5));
    return Result::skip("no PLAIN or LOGIN among the mechanisms [" + mechanisms + "]");
  }
  const std::string mechanism = c.base.exchanges[i].sent.substr(5, c.base.exchanges[i].sent.find(' ', 5) - 5);
  while (i + 1 < c.base.exchanges.size() && c.base.exchanges[i].reply.code == 334) ++i;
  const smtp::Reply& r = c.base.exchanges[i].reply;
  if (r.code == 235) return Result::pass(first_line(r) + " (" + mechanism + ")");
  if (r.code == 535) return Result::fail("credentials refused (" + mechanism + "): " + first_line(r));
  return Result::fail(mechanism + ": " + first_line(r));
}

// 4.5.1: "RCPT TO:<Postmaster>" (no domain) and postmaster at every domain the server
// serves MUST be accepted; the domain is --rcpt's when there is one.
Result postmaster(SmtpCtx& c) {
  std::string why;
  if (!cmd(c, "RSET", &why)) return Result::fail(why);
  auto m = cmd(c, "MAIL FROM:" + c.from(), &why);
  if (!m) return Result::fail(why);
  if (auto refused = mail_refused(c, *m)) {
    cmd(c, "RSET", &why);
    return *refused;
  }
  std::vector<std::string> paths{"Postmaster"};
  if (const auto at = c.opt.rcpt.rfind('@'); at != std::string::npos) paths.push_back("postmaster" + c.opt.rcpt.substr(at));
  std::string said, refusal;
  Outcome worst = Outcome::Pass;
  for (const std::string& p : paths) {
    auto r = cmd(c, "RCPT TO:<" + p + ">", &why);
    if (!r) return Result::fail(said + why);
    said += (said.empty() ? "" : ", ") + p + " " + std::to_string(r->code);
    if (r->positive_completion()) continue;
    if (refusal.empty()) refusal = first_line(*r);
    worst = r->permanent() ? Outcome::Fail : worst == Outcome::Pass ? Outcome::Warn : worst;
  }
  cmd(c, "RSET", &why);
  return {worst, refusal.empty() ? said : said + ": " + refusal};
}

// RFC 3461 4.1-4.4: a server announcing DSN accepts RET and ENVID on MAIL, NOTIFY and
// ORCPT on RCPT. A refusal counts only when the same command without them is accepted.
Result dsn_parameters(SmtpCtx& c) {
  if (!c.base.extensions.count("DSN")) return Result::skip("DSN not announced");
  std::string why;
  if (!cmd(c, "RSET", &why)) return Result::fail(why);
  auto m = cmd(c, "MAIL FROM:" + c.from() + " RET=HDRS ENVID=maillab-check." + c.token, &why);
  if (!m) return Result::fail(why);
  if (!m->positive_completion()) {
    cmd(c, "RSET", &why);
    auto plain = cmd(c, "MAIL FROM:" + c.from(), &why);
    cmd(c, "RSET", &why);
    if (!plain) return Result::fail(why);
    if (auto refused = mail_refused(c, *plain)) return *refused;
    return Result::fail("MAIL with RET, ENVID: " + first_line(*m) + " (without: " + std::to_string(plain->code) + ")");
  }
  const std::string domain = c.opt.from.substr(c.opt.from.rfind('@') + 1);
  const std::string orcpt = c.opt.rcpt.empty() ? "postmaster@" + domain : c.opt.rcpt;
  auto r = cmd(c, "RCPT TO:" + c.rcpt() + " NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;" + smtp::xtext_encode(orcpt), &why);
  if (!r) return Result::fail(why);
  if (!r->positive_completion()) {
    auto plain = cmd(c, "RCPT TO:" + c.rcpt(), &why);
    cmd(c, "RSET", &why);
    if (!plain) return Result::fail(why);
    if (!plain->positive_completion()) return Result::skip("the recipient is refused anyway: " + first_line(*plain));
    return Result::fail("RCPT with NOTIFY, ORCPT: " + first_line(*r) + " (without: " + std::to_string(plain->code) + ")");
  }
  cmd(c, "RSET", &why);
  return Result::pass("MAIL " + std::to_string(m->code) + ", RCPT " + first_line(*r));
}

Result pipelining(SmtpCtx& c) {
  if (!c.base.extensions.count("PIPELINING")) return Result::skip("PIPELINING not announced");
  std::string why;
  if (!cmd(c, "RSET", &why)) return Result::fail(why);
  SmtpLine* l = c.conn(&why);
  if (!l || !l->send("MAIL FROM:" + c.from() + "\r\nRCPT TO:" + c.rcpt() + "\r\nDATA\r\n"))
    return Result::fail(l ? l->error() : why);
  std::array<smtp::Reply, 3> r;
  std::string said;
  for (std::size_t i = 0; i < r.size(); ++i) {
    auto got = l->read_reply();
    if (!got) {
      if (!said.empty()) said += " / ";
      return Result::fail(said + "reply " + std::to_string(i + 1) + ": " + l->error());
    }
    r[i] = *got;
    said += (i ? " / " : "") + std::to_string(r[i].code);
  }
  const bool data_open = r[2].code == 354;
  if (data_open) l->close();  // cut the message: it must not be delivered
  else cmd(c, "RSET", &why);
  if (r[0].positive_intermediate() || r[1].positive_intermediate())
    return Result::fail(said + " (a 3xx to MAIL or RCPT: replies out of order)");
  if (data_open && !(r[0].positive_completion() && r[1].positive_completion()))
    return Result::fail(said + " (354 to DATA though no recipient was accepted)");
  if (!data_open && r[2].positive_completion()) return Result::fail(said + " (2xx to DATA)");
  return Result::pass(said);
}

Result long_text_line(SmtpCtx& c) { return outcome(c, 0); }
Result dot_stuffing(SmtpCtx& c) { return outcome(c, 1); }

Result round_trip(SmtpCtx& c) {
  if (!c.fetch) return Result::skip("needs --fetch pop3://USER:PASS@HOST:PORT");
  Result sent = outcome(c, 1);
  if (sent.outcome != Outcome::Pass) return Result::skip("the dot-stuffing message was not accepted");
  const std::string marker = "Message-ID: <dot-stuffing." + c.token + "@maillab.check>";
  auto end = std::chrono::steady_clock::now() + c.opt.timeout;
  std::string last_error;
  for (;;) {
    std::string error;
    auto messages = pop3_fetch_all(*c.fetch, c.opt.timeout, &error);
    if (!messages) last_error = error;
    for (const auto& m : messages ? *messages : std::vector<std::string>{}) {
      if (m.find(marker) == std::string::npos) continue;
      const auto sep = m.find("\r\n\r\n");
      const std::string body = sep == std::string::npos ? std::string() : m.substr(sep + 4);
      if (body == c.dot_body) return Result::pass("body identical (" + std::to_string(body.size()) + " octets)");
      std::size_t at = 0;
      while (at < body.size() && at < c.dot_body.size() && body[at] == c.dot_body[at]) ++at;
      return Result::fail("body differs at octet " + std::to_string(at) + ": got '" +
                          body.substr(at > 8 ? at - 8 : 0, 24) + "'");
    }
    if (std::chrono::steady_clock::now() >= end)
      return Result::fail(last_error.empty() ? "the message did not arrive in the POP3 mailbox" : last_error);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
}

Result enhanced_codes(SmtpCtx& c) {
  if (!c.base.extensions.count("ENHANCEDSTATUSCODES")) return Result::skip("ENHANCEDSTATUSCODES not announced");
  c.keep_replies();
  std::vector<smtp::Reply> all = c.replies_after_ehlo;
  for (const SmtpSessionLog* log : {&c.base, c.tx ? &*c.tx : nullptr}) {
    if (!log) continue;
    bool after = false;
    for (const auto& e : log->exchanges) {
      const bool ehlo = e.sent.rfind("EHLO", 0) == 0;  // again inside TLS after STARTTLS
      if (after && !ehlo) all.push_back(e.reply);
      after = after || ehlo;
    }
  }
  std::size_t checked = 0, missing = 0;
  std::string example;
  for (const auto& r : all) {
    if (r.positive_intermediate()) continue;  // RFC 2034 4: 3xx are not included
    ++checked;
    if (r.enhanced.empty()) {
      if (!missing++) example = first_line(r);
    }
  }
  if (checked == 0) return Result::skip("no reply to look at");
  if (missing)
    return Result::fail(std::to_string(missing) + " of " + std::to_string(checked) + " replies without a code: " + example);
  return Result::pass(std::to_string(checked) + " replies, all with a code");
}

Result quit(SmtpCtx& c) {
  if (c.line && c.line->alive()) c.line->command("QUIT");
  if (c.line) c.line->close();
  const SmtpExchange* q = c.base.find("QUIT");
  if (!q) return Result::fail("no QUIT reply: " + c.base.error);
  if (q->reply.code != 221) return Result::fail(first_line(q->reply));
  if (!c.base.closed_after_quit) return Result::fail(first_line(q->reply) + "; " + c.base.after_quit);
  return Result::pass(first_line(q->reply) + ", then closed");
}


}  // namespace maillab::check
