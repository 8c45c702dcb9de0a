// ServerSession: the command table (the state machine as data) and the commands other
// than AUTH. RFC 5321 section numbers in the table and beside each rule.
#include "base/ascii.hpp"
#include "protocols/smtp/server_session.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "protocols/smtp/mail_params.hpp"
#include "protocols/smtp/path.hpp"
#include "protocols/smtp/rcpt_params.hpp"
#include "protocols/smtp/text_scan.hpp"

namespace maillab::smtp {
namespace {

using S = ServerSession::State;


// RFC 6531 3.5: a UTF-8 address in a transaction that did not declare SMTPUTF8 is
// "mailbox name not allowed", X.6.7 "non-ASCII addresses not permitted" (Postfix's text).
Reply undeclared_utf8() { return Reply::make(553, "5.6.7", "Must declare SMTPUTF8 to send unicode address"); }

}  // namespace

std::span<const ServerSession::Command> ServerSession::commands() {
  // HELO/EHLO, RSET, NOOP, QUIT, VRFY, EXPN, HELP: any time once greeted, with no effect
  // on the state but their own (4.1.4); a 554 greeting leaves only QUIT (3.1). Before
  // HELO/EHLO, the others answer "send HELO/EHLO first" (ordering_error()).
  constexpr unsigned session = bit(S::Connected) | bit(S::Ready) | bit(S::Mail) | bit(S::Rcpt) | bit(S::Bdat);
  constexpr unsigned transaction = bit(S::Mail) | bit(S::Rcpt);
  constexpr std::string_view any_time = "Error: bad sequence of commands";  // only after a 554
  using A = Args;
  static constexpr std::array<Command, 14> table{{
      {"EHLO", session, A::Required, &ServerSession::cmd_ehlo, "EHLO hostname", "RFC 5321 4.1.1.1, 4.1.4", any_time},
      {"HELO", session, A::Required, &ServerSession::cmd_helo, "HELO hostname", "RFC 5321 4.1.1.1, 4.1.4", any_time},
      // MAIL after HELO/EHLO, not inside a transaction.
      {"MAIL", bit(S::Ready), A::Parsed, &ServerSession::cmd_mail, "MAIL FROM:<address>", "RFC 5321 4.1.1.2, 4.1.4",
       "Error: nested MAIL command"},
      // RCPT after a successful MAIL; repeated for every recipient.
      {"RCPT", transaction, A::Parsed, &ServerSession::cmd_rcpt, "RCPT TO:<address>", "RFC 5321 4.1.1.3, 3.3",
       "Error: need MAIL command"},
      // DATA after at least one successful RCPT (cmd_data: 554 when all were refused).
      {"DATA", transaction, A::None, &ServerSession::cmd_data, "DATA", "RFC 5321 4.1.1.4, 3.3",
       "Error: need RCPT command"},
      // BDAT wherever commands are read: its octets follow the line whatever the state, and
      // cmd_bdat reads them before it answers (server_bdat.cpp).
      {"BDAT", session | bit(S::Rejected), A::Parsed, &ServerSession::cmd_bdat, "BDAT count [LAST]",
       "RFC 3030 2, 3", "Error: need RCPT command"},
      {"RSET", session, A::None, &ServerSession::cmd_rset, "RSET", "RFC 5321 4.1.1.5", any_time},
      {"NOOP", session, A::Any, &ServerSession::cmd_noop, "NOOP", "RFC 5321 4.1.1.9", any_time},
      // QUIT even after a 554 greeting (3.1).
      {"QUIT", session | bit(S::Rejected), A::Any, &ServerSession::cmd_quit, "QUIT", "RFC 5321 4.1.1.10, 3.1",
       any_time},
      {"VRFY", session, A::Required, &ServerSession::cmd_vrfy, "VRFY address", "RFC 5321 4.1.1.6, 3.5.3", any_time},
      {"EXPN", session, A::Any, &ServerSession::cmd_expn, "EXPN list", "RFC 5321 4.1.1.7, 3.5.2", any_time},
      {"HELP", session, A::Any, &ServerSession::cmd_help, "HELP [command]", "RFC 5321 4.1.1.8", any_time},
      // AUTH after EHLO, not during a mail transaction.
      {"AUTH", bit(S::Ready), A::Parsed, &ServerSession::cmd_auth, "AUTH mechanism", "RFC 4954 4",
       "Error: MAIL transaction in progress"},
      // Outside a mail transaction (server_starttls.cpp); no argument (RFC 3207 4).
      {"STARTTLS", bit(S::Connected) | bit(S::Ready), A::None, &ServerSession::cmd_starttls, "STARTTLS",
       "RFC 3207 4, 4.2", "Error: MAIL transaction in progress"},
  }};
  return table;
}

std::string_view ServerSession::command_rfc(std::string_view verb) {
  for (const auto& c : commands())
    if (c.verb.size() == verb.size() &&
        std::equal(verb.begin(), verb.end(), c.verb.begin(), [](char a, char b) { return (a & ~0x20) == b; }))
      return c.rfc;
  return {};
}

ParamSupport ServerSession::param_support() const {
  ParamSupport s;
  s.esmtp = envelope_.esmtp;
  s.size = true;
  s.body = config_.eightbitmime;
  s.dsn = config_.dsn;
  s.auth = !config_.auth_mechanisms.empty();
  s.smtputf8 = config_.smtputf8;
  return s;
}

void ServerSession::cmd_helo(std::string_view args) { hello(args, false); }
void ServerSession::cmd_ehlo(std::string_view args) { hello(args, true); }

void ServerSession::hello(std::string_view args, bool esmtp) {
  // 4.1.1.1: "EHLO" SP ( Domain / address-literal ). Like Postfix, the name is not
  // checked further (that is the handler's policy), but a domain or address literal never
  // holds a control byte (a bare CR would become a header line in Received, issue 15
  // item 5) nor exceeds 255 octets (4.5.3.1.2).
  if (args.size() > 255 || !detail::printable_ascii(args)) return answer(syntax_error());
  Reply r = handler_.on_helo(args, esmtp);
  if (is_pending(r)) {
    Awaited& a = await(Awaiting::Helo);
    a.helo.assign(args);
    a.esmtp = esmtp;
    return;
  }
  helo_decided(std::move(r), args, esmtp);
}

void ServerSession::helo_decided(Reply r, std::string_view domain, bool esmtp) {
  if (!r.positive_completion()) return answer(std::move(r));
  reset_transaction();  // 4.1.4: as if RSET
  envelope_.helo.assign(domain);
  envelope_.esmtp = esmtp;
  state_ = State::Ready;
  r.enhanced.clear();
  if (r.lines.empty()) r.lines.push_back(config_.hostname);
  if (!esmtp) return answer(std::move(r));
  // The usual reply (250 and the host name, then the keywords) is the listener's, built
  // once; a handler's own text gets the keywords here.
  if (r.code == 250 && r.lines.size() == 1 && r.lines.front() == config_.hostname)
    return answer(tls_on_ ? config_.replies->ehlo_tls : config_.replies->ehlo);
  append_ehlo_keywords(config_, r.lines, tls_on_);
  answer(std::move(r));
}

void ServerSession::cmd_mail(std::string_view args) {
  // RFC 4954 6 / submission (RFC 6409 4.3): 530 until authenticated.
  if (config_.tls_required && !tls_on_)  // smtpd_tls_security_level = encrypt
    return answer(Reply::make(530, "5.7.0", "Must issue a STARTTLS command first"));
  if (config_.auth_required && envelope_.auth_user.empty())
    return answer(Reply::make(530, "5.7.0", "Authentication required"));
  // 4.1.1.2: "MAIL FROM:" Reverse-path [SP Mail-parameters]. A space after the colon is
  // tolerated (Postfix does); the angle brackets are required.
  if (!base::istarts_with(args, "FROM:")) return answer(syntax_error());
  args.remove_prefix(5);
  while (!args.empty() && args.front() == ' ') args.remove_prefix(1);
  PathResult path = parse_reverse_path(args, config_.smtputf8);
  if (!path.ok()) return answer(path_error_reply(path.error, true));
  MailParams params;
  if (auto error = MailParams::parse(path.rest, param_support(), params)) return answer(*error);
  if (!path.path.ascii() && !params.smtputf8) return answer(undeclared_utf8());
  // RFC 1870 6.1: a declared size over the limit is refused before any recipient.
  if (config_.size_limit && params.size && *params.size > config_.size_limit)
    return answer(Reply::make(552, "5.3.4", "Message size exceeds fixed limit"));
  Reply r = handler_.on_mail(envelope_, path.path, params);
  if (is_pending(r)) {
    Awaited& a = await(Awaiting::Mail);
    a.from = std::move(path.path);
    a.params = std::move(params);
    return;
  }
  mail_decided(std::move(r), std::move(path.path), std::move(params));
}

void ServerSession::mail_decided(Reply r, Path from, MailParams params) {
  if (r.positive_completion()) {
    envelope_.mail_from = std::move(from);
    envelope_.mail_params = std::move(params);
    envelope_.rcpts.clear();
    rcpt_attempts_ = 0;
    state_ = State::Mail;
  }
  answer(std::move(r), "Ok");
}

void ServerSession::cmd_rcpt(std::string_view args) {
  // 4.1.1.3: "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path )
  // [SP Rcpt-parameters].
  if (!base::istarts_with(args, "TO:")) return answer(syntax_error());
  args.remove_prefix(3);
  while (!args.empty() && args.front() == ' ') args.remove_prefix(1);
  ++rcpt_attempts_;
  PathResult path = parse_forward_path(args, config_.smtputf8);
  if (!path.ok()) return answer(path_error_reply(path.error, false));
  if (!path.path.ascii() && !envelope_.mail_params.smtputf8) return answer(undeclared_utf8());
  Recipient rcpt{std::move(path.path), {}};
  if (auto error = RcptParams::parse(path.rest, param_support(), rcpt.params)) return answer(*error);
  // 4.5.3.1.8 / Postfix smtpd_recipient_limit: 452 asks the client to send the rest in
  // another transaction (4.5.3.1.10).
  if (envelope_.rcpts.size() >= config_.max_recipients)
    return answer(Reply::make(452, "4.5.3", "Error: too many recipients"));
  Reply r = handler_.on_rcpt(envelope_, rcpt);
  if (is_pending(r)) {
    await(Awaiting::Rcpt).rcpt = std::move(rcpt);
    return;
  }
  rcpt_decided(std::move(r), std::move(rcpt));
}

void ServerSession::rcpt_decided(Reply r, Recipient rcpt) {
  if (r.positive_completion()) {
    envelope_.rcpts.push_back(std::move(rcpt));
    state_ = State::Rcpt;
  }
  answer(std::move(r), "Ok");
}

void ServerSession::cmd_data(std::string_view) {
  if (state_ == State::Mail) {
    // 3.3: no valid recipient. Postfix: 554 when recipients were tried and refused,
    // 503 (bad sequence) when none was even given.
    if (rcpt_attempts_ > 0) return answer(Reply::make(554, "5.5.1", "Error: no valid recipients"));
    return answer(ordering_error());
  }
  Reply r = handler_.on_data(envelope_);
  if (is_pending(r)) {
    await(Awaiting::Data);
    return;
  }
  data_decided(std::move(r));
}

void ServerSession::data_decided(Reply r) {
  if (r.code != 354) return answer(std::move(r));
  data_.reset(config_.max_text_line, config_.size_limit);
  state_ = State::Data;
  // The usual 354 is the listener's: no Reply to build per message.
  if (r.lines.empty() && r.enhanced.empty()) return answer(config_.replies->go_ahead);
  answer(std::move(r), config_.replies->go_ahead.reply.lines.front());
}

void ServerSession::cmd_rset(std::string_view) {
  // 4.1.1.5: no arguments (Args::None); clears the transaction, keeps HELO/EHLO.
  reset_transaction();
  answer(Reply::make(250, "2.0.0", "Ok"));
}

void ServerSession::cmd_noop(std::string_view) {
  // 4.1.1.9: a parameter, if any, is ignored.
  answer(Reply::make(250, "2.0.0", "Ok"));
}

void ServerSession::cmd_quit(std::string_view) {
  // 4.1.1.10: 221, then the server closes.
  answer(config_.replies->bye);
  close();
}

void ServerSession::cmd_vrfy(std::string_view) {
  // 4.1.1.6, 3.5.3: 252 "cannot verify, will accept and attempt delivery".
  answer(Reply::make(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery"));
}

void ServerSession::cmd_expn(std::string_view) {
  // 4.1.1.7, 3.5.2: lists are not disclosed (7.3).
  answer(Reply::make(502, "5.5.1", "Error: command not implemented"));
}

void ServerSession::cmd_help(std::string_view) {
  // 4.1.1.8.
  answer(Reply::make(214, "2.0.0",
                     "Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP AUTH\n"
                     "See RFC 5321"));
}


}  // namespace maillab::smtp
