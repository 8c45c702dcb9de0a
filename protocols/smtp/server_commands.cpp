// ServerSession: the command table (the state machine as data) and the commands other
// than AUTH. RFC 5321 section numbers beside each rule.
#include "protocols/smtp/server_session.hpp"

#include <array>
#include <memory>
#include <unordered_map>
#include <utility>

#include "protocols/smtp/mail_params.hpp"
#include "protocols/smtp/path.hpp"
#include "protocols/smtp/rcpt_params.hpp"
#include "protocols/smtp/text_scan.hpp"

namespace maillab::smtp {
namespace {

using S = ServerSession::State;

bool istarts_with(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != prefix[i]) return false;
  }
  return true;
}

Reply syntax(std::string_view usage) { return Reply::make(501, "5.5.4", "Syntax: " + std::string(usage)); }

}  // namespace

std::span<const ServerSession::Command> ServerSession::commands() {
  constexpr unsigned session = bit(S::connected) | bit(S::ready) | bit(S::mail) | bit(S::rcpt);
  constexpr unsigned transaction = bit(S::mail) | bit(S::rcpt);
  static constexpr std::array<Command, 13> table{{
      // 4.1.1.1 HELO/EHLO: allowed at any time; a later one resets the transaction
      // (4.1.4). A 554 greeting leaves only QUIT (3.1).
      {"EHLO", session, &ServerSession::cmd_ehlo},
      {"HELO", session, &ServerSession::cmd_helo},
      // 4.1.1.2, 4.1.4: MAIL after HELO/EHLO, not inside a transaction.
      {"MAIL", bit(S::ready), &ServerSession::cmd_mail},
      // 4.1.1.3: RCPT after a successful MAIL; repeated for every recipient.
      {"RCPT", transaction, &ServerSession::cmd_rcpt},
      // 4.1.1.4: DATA after at least one successful RCPT (checked in cmd_data for 554).
      {"DATA", transaction, &ServerSession::cmd_data},
      // 4.1.1.5 RSET, 4.1.1.9 NOOP, 4.1.1.10 QUIT: any time (QUIT even after a 554, 3.1).
      {"RSET", session, &ServerSession::cmd_rset},
      {"NOOP", session, &ServerSession::cmd_noop},
      {"QUIT", session | bit(S::rejected), &ServerSession::cmd_quit},
      // 4.1.1.6 VRFY, 4.1.1.7 EXPN, 4.1.1.8 HELP: any time, no effect on the transaction.
      {"VRFY", session, &ServerSession::cmd_vrfy},
      {"EXPN", session, &ServerSession::cmd_expn},
      {"HELP", session, &ServerSession::cmd_help},
      // RFC 4954 4: AUTH after EHLO, not during a mail transaction.
      {"AUTH", bit(S::ready), &ServerSession::cmd_auth},
      // RFC 3207: no TLS in the lab, so 454 wherever it is asked.
      {"STARTTLS", session, &ServerSession::cmd_starttls},
  }};
  return table;
}

ParamSupport ServerSession::param_support() const {
  ParamSupport s;
  s.esmtp = envelope_.esmtp;
  s.size = true;
  s.body = config_.eightbitmime;
  s.dsn = config_.dsn;
  s.auth = !config_.auth_mechanisms.empty();
  return s;
}

void ServerSession::cmd_helo(std::string_view args) { hello(args, false); }
void ServerSession::cmd_ehlo(std::string_view args) { hello(args, true); }

void ServerSession::hello(std::string_view args, bool esmtp) {
  // 4.1.1.1: "EHLO" SP ( Domain / address-literal ). Like Postfix, the name is not
  // checked further (that is the handler's policy), but a domain or address literal never
  // holds a control byte (a bare CR would become a header line in Received, issue 15
  // item 5) nor exceeds 255 octets (4.5.3.1.2).
  if (args.empty() || args.size() > 255 || !detail::printable_ascii(args))
    return reply(syntax(esmtp ? "EHLO hostname" : "HELO hostname"));
  Reply r = handler_.on_helo(args, esmtp);
  if (!r.positive_completion()) return reply(std::move(r));
  reset_transaction();  // 4.1.4: as if RSET
  envelope_.helo.assign(args);
  envelope_.esmtp = esmtp;
  state_ = State::ready;
  r.enhanced.clear();
  if (r.lines.empty()) r.lines.push_back(config_.hostname);
  if (!esmtp) return reply(std::move(r));
  // The EHLO reply depends only on the handler's reply and the configuration: one built
  // earlier for the same ones is sent again, with its wire form (no Reply to build, no
  // keyword strings per session). Per thread, as the engines may run in several.
  struct Ehlo {
    Reply handler_reply;
    ServerConfig config;  // the fields ehlo_keywords reads
    Reply reply;
    std::string wire;
  };
  // By the reply's first line. Shared, so that an entry replaced while a hook looks at
  // its reply (another session's EHLO on this thread) outlives the look.
  // Looked up by string_view: no key string per EHLO.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  thread_local std::unordered_map<std::string, std::shared_ptr<const Ehlo>, Hash, std::equal_to<>> cache;
  const auto same_keywords = [](const ServerConfig& a, const ServerConfig& b) {
    return a.pipelining == b.pipelining && a.size_limit == b.size_limit && a.auth_mechanisms == b.auth_mechanisms &&
           a.enhanced_status_codes == b.enhanced_status_codes && a.eightbitmime == b.eightbitmime && a.dsn == b.dsn;
  };
  std::shared_ptr<const Ehlo> ehlo;
  if (auto it = cache.find(r.lines.front()); it != cache.end()) ehlo = it->second;
  if (!ehlo || ehlo->handler_reply != r || !same_keywords(ehlo->config, config_)) {
    if (cache.size() >= 1024) cache.clear();  // bounded, whatever the number of servers
    auto e = std::make_shared<Ehlo>(Ehlo{r, config_, std::move(r), {}});
    append_ehlo_keywords(e->reply.lines);
    e->reply.append_wire(e->wire);
    ehlo = e;
    cache.insert_or_assign(std::string(e->reply.lines.front()), std::move(e));
  }
  respond(ehlo->reply, ehlo->wire);
}

void ServerSession::append_ehlo_keywords(ReplyLines& lines) const {
  // 4.1.1.1 ehlo-ok-rsp: one keyword line per extension (Postfix's order).
  if (config_.pipelining) lines.push_back("PIPELINING");
  lines.push_back(config_.size_limit ? "SIZE " + std::to_string(config_.size_limit) : "SIZE");
  if (!config_.auth_mechanisms.empty()) {
    std::string auth = "AUTH";
    for (const auto& m : config_.auth_mechanisms) auth += ' ' + m;
    lines.push_back(auth);
  }
  if (config_.enhanced_status_codes) lines.push_back("ENHANCEDSTATUSCODES");
  if (config_.eightbitmime) lines.push_back("8BITMIME");
  if (config_.dsn) lines.push_back("DSN");
}

void ServerSession::cmd_mail(std::string_view args) {
  // RFC 4954 6 / submission (RFC 6409 4.3): 530 until authenticated.
  if (config_.auth_required && envelope_.auth_user.empty())
    return reply(Reply::make(530, "5.7.0", "Authentication required"));
  // 4.1.1.2: "MAIL FROM:" Reverse-path [SP Mail-parameters]. A space after the colon is
  // tolerated (Postfix does); the angle brackets are required.
  if (!istarts_with(args, "FROM:")) return reply(syntax("MAIL FROM:<address>"));
  args.remove_prefix(5);
  while (!args.empty() && args.front() == ' ') args.remove_prefix(1);
  PathResult path = parse_reverse_path(args);
  if (!path.ok()) return reply(path_error_reply(path.error, true));
  MailParams params;
  if (auto error = MailParams::parse(path.rest, param_support(), params)) return reply(*error);
  // RFC 1870 6.1: a declared size over the limit is refused before any recipient.
  if (config_.size_limit && params.size && *params.size > config_.size_limit)
    return reply(Reply::make(552, "5.3.4", "Message size exceeds fixed limit"));
  Reply r = handler_.on_mail(envelope_, path.path, params);
  if (r.positive_completion()) {
    envelope_.mail_from = std::move(path.path);
    envelope_.mail_params = std::move(params);
    envelope_.rcpts.clear();
    rcpt_attempts_ = 0;
    state_ = State::mail;
  }
  reply(std::move(r), "Ok");
}

void ServerSession::cmd_rcpt(std::string_view args) {
  // 4.1.1.3: "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path )
  // [SP Rcpt-parameters].
  if (!istarts_with(args, "TO:")) return reply(syntax("RCPT TO:<address>"));
  args.remove_prefix(3);
  while (!args.empty() && args.front() == ' ') args.remove_prefix(1);
  ++rcpt_attempts_;
  PathResult path = parse_forward_path(args);
  if (!path.ok()) return reply(path_error_reply(path.error, false));
  Recipient rcpt{std::move(path.path), {}};
  if (auto error = RcptParams::parse(path.rest, param_support(), rcpt.params)) return reply(*error);
  // 4.5.3.1.8 / Postfix smtpd_recipient_limit: 452 asks the client to send the rest in
  // another transaction (4.5.3.1.10).
  if (envelope_.rcpts.size() >= config_.max_recipients)
    return reply(Reply::make(452, "4.5.3", "Error: too many recipients"));
  Reply r = handler_.on_rcpt(envelope_, rcpt);
  if (r.positive_completion()) {
    envelope_.rcpts.push_back(std::move(rcpt));
    state_ = State::rcpt;
  }
  reply(std::move(r), "Ok");
}

void ServerSession::cmd_data(std::string_view args) {
  if (!args.empty()) return reply(syntax("DATA"));
  if (state_ == State::mail) {
    // 3.3: no valid recipient. Postfix: 554 when recipients were tried and refused,
    // 503 (bad sequence) when none was even given.
    if (rcpt_attempts_ > 0) return reply(Reply::make(554, "5.5.1", "Error: no valid recipients"));
    return reply(ordering_error("DATA"));
  }
  Reply r = handler_.on_data(envelope_);
  if (r.code != 354) return reply(std::move(r));
  data_.reset(config_.max_text_line, config_.size_limit);
  state_ = State::data;
  if (r.lines.empty() && r.enhanced.empty()) {
    // The usual 354 comes from a constant: no Reply to build per message.
    static const Reply standard = Reply::make(354, "", "End data with <CR><LF>.<CR><LF>");
    static const std::string wire = standard.wire();
    return respond(standard, wire);
  }
  reply(std::move(r), "End data with <CR><LF>.<CR><LF>");
}

void ServerSession::cmd_rset(std::string_view args) {
  // 4.1.1.5: no arguments; clears the transaction, keeps HELO/EHLO.
  if (!args.empty()) return reply(syntax("RSET"));
  reset_transaction();
  reply(Reply::make(250, "2.0.0", "Ok"));
}

void ServerSession::cmd_noop(std::string_view) {
  // 4.1.1.9: a parameter, if any, is ignored.
  reply(Reply::make(250, "2.0.0", "Ok"));
}

void ServerSession::cmd_quit(std::string_view) {
  // 4.1.1.10: 221, then the server closes.
  static const Reply bye = Reply::make(221, "2.0.0", "Bye");
  static const std::string wire = bye.wire();
  respond(bye, wire);
  close();
}

void ServerSession::cmd_vrfy(std::string_view args) {
  // 4.1.1.6, 3.5.3: 252 "cannot verify, will accept and attempt delivery".
  if (args.empty()) return reply(syntax("VRFY address"));
  reply(Reply::make(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery"));
}

void ServerSession::cmd_expn(std::string_view) {
  // 4.1.1.7, 3.5.2: lists are not disclosed (7.3).
  reply(Reply::make(502, "5.5.1", "Error: command not implemented"));
}

void ServerSession::cmd_help(std::string_view) {
  // 4.1.1.8.
  reply(Reply::make(214, "2.0.0",
                    "Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP AUTH\n"
                    "See RFC 5321"));
}

void ServerSession::cmd_starttls(std::string_view) {
  // RFC 3207 4: "454 TLS not available due to temporary reason".
  reply(Reply::make(454, "4.7.0", "TLS not available"));
}

}  // namespace maillab::smtp
