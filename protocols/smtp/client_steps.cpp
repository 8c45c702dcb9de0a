// ClientSession: the step table (which reply answers which command, how long to wait,
// how Postfix names the phase) and the conversation: greeting, EHLO/HELO, AUTH, mail
// transactions, RSET, QUIT.
#include "protocols/smtp/client_session.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>

#include "protocols/message/base64.hpp"
#include "protocols/smtp/dot_stuff.hpp"
#include "protocols/smtp/text_scan.hpp"

namespace maillab::smtp {
namespace {

using detail::ascii_upper;

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_upper(c);
  return out;
}

// RFC 6531 3.2, as Postfix decides: a UTF-8 address needs SMTPUTF8; UTF-8 in the header
// section (RFC 6532) only when the sender asked for SMTPUTF8 (else it is legacy 8-bit
// text, which 8BITMIME carries).
bool needs_smtputf8(const OutgoingMessage& m, std::string_view content) {
  if (!m.from.ascii()) return true;
  for (const auto& r : m.rcpts)
    if (!r.path.ascii()) return true;
  if (!m.params.smtputf8) return false;
  const std::size_t blank = content.find("\r\n\r\n");
  return has_8bit(content.substr(0, blank == std::string_view::npos ? content.size() : blank));
}

}  // namespace

const ClientSession::Step& ClientSession::step(Cmd cmd) {
  using C = ClientConfig;
  // Reply classes a command may get (4.2.1, 4.3.2): anything else is a protocol error.
  constexpr unsigned k2 = 1u << 2, k3 = 1u << 3, k4 = 1u << 4, k5 = 1u << 5;
  constexpr unsigned k245 = k2 | k4 | k5, k345 = k3 | k4 | k5, k2345 = k2 | k3 | k4 | k5;
  static const std::array<Step, 12> table{{
      // 3.1, 4.3.1: 220 opens the session; 554/4xx refuse it.
      {Cmd::Greeting, k245, &C::greeting_timeout, "receiving the initial server greeting", &ClientSession::on_greeting},
      // 3.2, 4.1.1.1: EHLO; 500/502 means an old server: HELO.
      {Cmd::Ehlo, k245, &C::helo_timeout, "performing the EHLO handshake", &ClientSession::on_ehlo},
      {Cmd::Helo, k245, &C::helo_timeout, "performing the HELO handshake", &ClientSession::on_helo},
      // RFC 4954 4: 334 continues, 235 succeeds, anything else fails.
      {Cmd::Auth, k2345, &C::helo_timeout, "sending AUTH data", &ClientSession::on_auth},
      // 4.1.1.2, 4.5.3.2.2.
      {Cmd::Mail, k245, &C::mail_timeout, "sending MAIL FROM", &ClientSession::on_mail},
      // 4.1.1.3, 4.5.3.2.3.
      {Cmd::Rcpt, k245, &C::rcpt_timeout, "sending RCPT TO", &ClientSession::on_rcpt},
      // 4.1.1.4, 4.5.3.2.4: 354 then the content.
      {Cmd::Data, k345, &C::data_init_timeout, "sending DATA command", &ClientSession::on_data},
      // 4.5.3.2.6: the reply after the dot; without it the message may be duplicated
      // (RFC 1047).
      {Cmd::Dot, k245, &C::data_done_timeout, "sending end of data -- message may be sent more than once",
       &ClientSession::on_dot},
      // RFC 3030 2: the reply to the one chunk, BDAT <n> LAST, is the reply to the message.
      {Cmd::Bdat, k245, &C::data_done_timeout, "sending BDAT LAST -- message may be sent more than once",
       &ClientSession::on_bdat},
      // 4.1.1.5.
      {Cmd::Rset, k245, &C::rset_timeout, "sending RSET", &ClientSession::on_rset},
      // 4.1.1.10.
      {Cmd::Quit, k245, &C::quit_timeout, "sending QUIT", &ClientSession::on_quit},
      // RFC 3207 4: 220 then the handshake; 454/501 leave the session in clear.
      {Cmd::Starttls, k245, &C::helo_timeout, "receiving the STARTTLS response", &ClientSession::on_starttls},
  }};
  const Step& s = table[static_cast<std::size_t>(cmd)];
  assert(s.cmd == cmd);
  return s;
}

bool ClientSession::pipelining() const { return config_.pipelining && (extension_bits_ & ExtPipelining); }

const std::set<std::string>& ClientSession::extensions() const {
  if (!extensions_built_) {
    extensions_.clear();
    std::string_view rest = ehlo_keywords_;
    while (!rest.empty()) {
      const std::string_view keyword = rest.substr(0, rest.find(' '));
      extensions_.emplace(keyword);
      rest.remove_prefix(std::min(rest.size(), keyword.size() + 1));
    }
    extensions_built_ = true;
  }
  return extensions_;
}

void ClientSession::on_greeting(const Pending&, const Reply& r) {
  if (!r.positive_completion()) return hello_failed(r);
  send_ehlo();
}

void ClientSession::send_ehlo() {
  state_ = State::Hello;
  const std::size_t start = out_.size();
  out_ += "EHLO ";
  out_ += config_.helo_name;
  sent(Cmd::Ehlo, start);
}

void ClientSession::on_ehlo(const Pending&, const Reply& r) {
  if (r.code == 500 || r.code == 502) {
    // 3.2: "command not recognized": the server predates ESMTP.
    const std::size_t start = out_.size();
    out_ += "HELO ";
    out_ += config_.helo_name;
    sent(Cmd::Helo, start);
    return;
  }
  if (!r.positive_completion()) return hello_failed(r);
  esmtp_ = true;
  // 4.1.1.1 ehlo-ok-rsp: the first line greets, each further line is "keyword params".
  ehlo_keywords_.reserve(ehlo_keywords_.size() + 64);  // the usual keywords in one allocation
  for (std::size_t i = 1; i < r.lines.size(); ++i) {
    const std::string_view line = r.lines[i];
    std::string_view keyword = line.substr(0, line.find(' '));
    if (keyword.empty()) continue;
    const std::string_view params = line.size() > keyword.size() ? line.substr(keyword.size() + 1) : std::string_view{};
    if (!ehlo_keywords_.empty()) ehlo_keywords_ += ' ';
    const std::size_t at = ehlo_keywords_.size();
    ehlo_keywords_ += keyword;
    for (std::size_t k = at; k < ehlo_keywords_.size(); ++k) ehlo_keywords_[k] = ascii_upper(ehlo_keywords_[k]);
    keyword = std::string_view(ehlo_keywords_).substr(at);  // uppercased: plain comparisons below
    extensions_built_ = false;
    if (keyword == "PIPELINING") extension_bits_ |= ExtPipelining;
    if (keyword == "8BITMIME") extension_bits_ |= Ext8bitmime;
    if (keyword == "DSN") extension_bits_ |= ExtDsn;
    if (keyword == "CHUNKING") extension_bits_ |= ExtChunking;
    if (keyword == "SMTPUTF8") extension_bits_ |= ExtSmtputf8;
    if (keyword == "SIZE") {
      extension_bits_ |= ExtSize;
      // RFC 1870 4: "SIZE" [SP number]; 0 or absent means no fixed limit.
      size_limit_ = 0;
      for (char c : params) {
        if (c < '0' || c > '9' || size_limit_ > (UINT64_MAX - 9) / 10) {
          size_limit_ = 0;
          break;
        }
        size_limit_ = size_limit_ * 10 + static_cast<std::uint64_t>(c - '0');
      }
    } else if (keyword == "AUTH") {
      extension_bits_ |= ExtAuth;
      std::string_view rest = params;
      while (!rest.empty()) {
        const std::string_view mech = rest.substr(0, rest.find(' '));
        if (!mech.empty()) auth_mechanisms_.insert(upper(mech));
        rest.remove_prefix(std::min(rest.size(), mech.size() + 1));
      }
    }
  }
  after_hello();
}

void ClientSession::on_helo(const Pending&, const Reply& r) {
  if (!r.positive_completion()) return hello_failed(r);
  esmtp_ = false;
  extension_bits_ = 0;
  ehlo_keywords_.clear();
  extensions_built_ = false;
  after_hello();
}

void ClientSession::hello_failed(const Reply& r) {
  assert(!r.positive_completion());
  // The server's own reply is every recipient's outcome; then QUIT (3.1: after a 554
  // greeting the client SHOULD send QUIT), unless the server is closing (421).
  fail_remaining(r);
  if (r.code == 421) {
    state_ = State::Closed;
    return;
  }
  state_ = State::Quitting;
  send(Cmd::Quit, "QUIT");
}

void ClientSession::after_hello() {
  if (start_tls_if_needed()) return;
  if (config_.auth && esmtp_) {
    const auto& [user, password] = *config_.auth;
    if (config_.auth_needs_tls && !tls_on_ && (auth_mechanisms_.count("PLAIN") || auth_mechanisms_.count("LOGIN"))) {
      fail_remaining(Reply::make(421, "4.7.0", "cannot authenticate to server " + config_.peer_name +
                                                   ": no TLS, and the password is never sent in clear"));
      state_ = State::Quitting;
      send(Cmd::Quit, "QUIT");
      return;
    }
    if (auth_mechanisms_.count("PLAIN")) {
      // RFC 4616 with an initial response (RFC 4954 4): authzid empty.
      std::string creds;
      creds += '\0';
      creds += user;
      creds += '\0';
      creds += password;
      state_ = State::Auth;
      auth_mechanism_ = "PLAIN";
      auth_step_ = 0;
      send(Cmd::Auth, "AUTH PLAIN " + message::base64_encode(creds), 0, "AUTH PLAIN ****");
      return;
    }
    if (auth_mechanisms_.count("LOGIN")) {
      state_ = State::Auth;
      auth_mechanism_ = "LOGIN";
      auth_step_ = 0;
      send(Cmd::Auth, "AUTH LOGIN");
      return;
    }
  }
  if (config_.auth && config_.auth_required) return refuse_without_auth();
  state_ = State::Ready;
  advance();
}

void ClientSession::refuse_without_auth() {
  // msmtp: "the server does not support authentication"; Thunderbird refuses the same way.
  std::string why = "the server does not support authentication";
  if (esmtp_ && (extension_bits_ & ExtAuth)) {
    why = "none of the offered mechanisms (";
    for (const auto& m : auth_mechanisms_) why += (why.back() == '(' ? "" : " ") + m;
    why += ") is PLAIN or LOGIN";
  }
  for (auto& t : queue_) t.outcome.not_sent = true;
  fail_remaining(Reply::make(421, "4.7.0", "cannot authenticate to server " + config_.peer_name + ": " + why));
  state_ = State::Quitting;
  send(Cmd::Quit, "QUIT");
}

void ClientSession::on_auth(const Pending&, const Reply& r) {
  if (r.positive_completion()) {  // 235 (RFC 4954 6)
    authenticated_ = true;
    state_ = State::Ready;
    return advance();
  }
  if (r.code == 334) {
    const auto& [user, password] = *config_.auth;
    ++auth_step_;
    if (auth_mechanism_ == "PLAIN" && auth_step_ == 1) {
      // A server that ignored the initial response asks again with an empty challenge.
      std::string creds = std::string(1, '\0') + user + '\0' + password;
      return send(Cmd::Auth, message::base64_encode(creds), 0, "****");
    }
    if (auth_mechanism_ == "LOGIN" && auth_step_ <= 2) {
      return send(Cmd::Auth, message::base64_encode(auth_step_ == 1 ? user : password), 0, "****");
    }
    return send(Cmd::Auth, "*");  // RFC 4954 4: cancel an exchange we do not follow
  }
  if (config_.auth_soft_bounce && r.code != 421)
    return hello_failed(Reply::make(454, "4.7.0", "SASL authentication failed; server " + config_.peer_name +
                                                      " said: " + std::to_string(r.code) + " " + r.text()));
  hello_failed(r);
}

void ClientSession::advance() {
  if (state_ != State::Ready || !pending_.empty() || closing_) return;
  if (need_rset_ && (queue_.empty() || !pipelining())) {
    // The server may still be inside a transaction (MAIL accepted, no DATA reply was
    // final): RSET before anything else (4.1.1.5). With PIPELINING it goes in front of
    // the next MAIL instead.
    send(Cmd::Rset, "RSET");
    return;
  }
  if (!queue_.empty()) return start_transaction();
  if (finish_) {
    state_ = State::Quitting;
    send(Cmd::Quit, "QUIT");
  }
}

void ClientSession::start_transaction() {
  Transaction& t = queue_.front();
  const std::string_view content = t.message.content ? std::string_view(*t.message.content) : std::string_view{};
  // RFC 1870 5: do not send a message the server said it would refuse.
  if (size_limit_ != 0 && (extension_bits_ & ExtSize) && content.size() > size_limit_) {
    Reply too_big = Reply::make(552, "5.3.4",
                                "Message size exceeds fixed limit of " + config_.peer_name + " (" +
                                    std::to_string(content.size()) + " > " + std::to_string(size_limit_) + ")");
    t.outcome.not_sent = true;
    finalize(t, too_big);
    queue_.pop_front();
    return advance();
  }
  // RFC 6531 3.2: no downgrade. A message that needs SMTPUTF8 cannot go to a server that
  // does not offer it: X.6.7 (RFC 6531 3.5), Postfix's wording.
  const bool utf8 = needs_smtputf8(t.message, content);
  if (utf8 && !(extension_bits_ & ExtSmtputf8)) {
    t.outcome.not_sent = true;
    finalize(t, Reply::make(554, "5.6.7", "SMTPUTF8 is required, but was not offered by host " + config_.peer_name));
    queue_.pop_front();
    return advance();
  }
  ParamSupport support;
  support.esmtp = esmtp_;
  support.size = extension_bits_ & ExtSize;
  support.body = extension_bits_ & Ext8bitmime;
  support.dsn = extension_bits_ & ExtDsn;
  support.auth = extension_bits_ & ExtAuth;
  support.smtputf8 = extension_bits_ & ExtSmtputf8;
  MailParams params = t.message.params;
  params.smtputf8 = params.smtputf8 || utf8;  // passed on where offered (RFC 6531 3.4)
  if (!params.size) params.size = content.size();
  if (params.body == Body::Unspecified && has_8bit(content)) params.body = Body::EightBitMime;  // RFC 6152 3

  state_ = State::Transaction;
  t.pipelined = pipelining();
  if (need_rset_) {
    need_rset_ = false;
    send(Cmd::Rset, "RSET");
  }
  // Written in place: MAIL, the RCPTs and DATA usually leave together, in one buffer.
  if (out_.empty()) out_.reserve(256);
  const std::size_t start = out_.size();
  out_ += "MAIL FROM:";
  t.message.from.append_bracketed(out_);
  params.append_wire(out_, support);
  sent(Cmd::Mail, start);
  if (!t.pipelined) return;
  // RFC 2920 3.1: MAIL, the RCPTs and DATA in one group; DATA ends it.
  while (t.next_rcpt < t.message.rcpts.size()) send_rcpt(t);
  send_content_command(t);
}

void ClientSession::send_content_command(Transaction& t) {
  if (!config_.chunking || !(extension_bits_ & ExtChunking)) return send(Cmd::Data, "DATA");
  // RFC 3030 2: the message as one chunk, LAST; CRLF lines as DATA would carry them, but
  // with no dot-stuffing and no end mark. Pipelined it goes before the RCPT replies are
  // in: a server with no recipient accepted reads the octets and refuses them.
  const std::string_view content = t.message.content ? std::string_view(*t.message.content) : std::string_view{};
  std::string chunk;
  append_crlf_lines(chunk, content, config_.line_length_limit);
  std::string line = "BDAT " + std::to_string(chunk.size()) + " LAST";
  out_ += line;
  out_ += "\r\n";
  out_ += chunk;
  expect(Cmd::Bdat, 0, line);
  t.outcome.data_sent = true;
}

void ClientSession::send_rcpt(Transaction& t) {
  ParamSupport support;
  support.esmtp = esmtp_;
  support.dsn = extension_bits_ & ExtDsn;
  const Recipient& r = t.message.rcpts[t.next_rcpt];
  const std::size_t start = out_.size();
  out_ += "RCPT TO:";
  r.path.append_bracketed(out_);
  r.params.append_wire(out_, support);
  sent(Cmd::Rcpt, start, t.next_rcpt);
  ++t.next_rcpt;
}

void ClientSession::on_mail(const Pending&, const Reply& r) {
  Transaction& t = queue_.front();
  t.outcome.mail_reply = r;
  if (!r.positive_completion()) {
    // 3.3: the MAIL reply is every recipient's outcome.
    for (auto& o : t.outcome.rcpts) o.reply = r;
    if (!t.pipelined) complete_transaction();  // else wait for the RCPT/DATA replies
    return;
  }
  t.mail_ok = true;
  if (!t.pipelined) send_rcpt(t);
}

void ClientSession::on_rcpt(const Pending& p, const Reply& r) {
  Transaction& t = queue_.front();
  if (!t.mail_ok) return;  // pipelined after a refused MAIL: outcome already set
  if (r.positive_completion()) {
    ++t.accepted;
  } else {
    t.outcome.rcpts[p.rcpt].reply = r;
  }
  if (t.pipelined) return;
  if (t.next_rcpt < t.message.rcpts.size()) return send_rcpt(t);
  if (t.accepted > 0) return send_content_command(t);
  // No recipient accepted: no DATA; the transaction is over, RSET clears it (4.1.1.5).
  need_rset_ = true;
  complete_transaction();
}

void ClientSession::on_data(const Pending&, const Reply& r) {
  Transaction& t = queue_.front();
  if (r.positive_intermediate()) {  // 354 (4.3.2: the only 3yz DATA has)
    if (t.mail_ok && t.accepted > 0) {
      const std::string_view content = t.message.content ? std::string_view(*t.message.content) : std::string_view{};
      append_dot_stuffed(out_, content, config_.line_length_limit);
      expect(Cmd::Dot, 0, "<data>");
      t.outcome.data_sent = true;
    } else {
      // RFC 2920 3.1: DATA was accepted although nothing else was; end it with an empty
      // message, which reaches no one.
      t.aborting = true;
      out_ += ".\r\n";
      expect(Cmd::Dot, 0, "<data>");
    }
    return;
  }
  // DATA refused: the accepted recipients (all RCPT replies are in: those without a
  // reply yet) get this reply.
  if (t.mail_ok)
    for (auto& o : t.outcome.rcpts)
      if (o.reply.code == 0) o.reply = r;
  if (t.mail_ok) need_rset_ = true;
  complete_transaction();
}

void ClientSession::on_dot(const Pending&, const Reply& r) {
  Transaction& t = queue_.front();
  if (!t.aborting) {
    t.outcome.data_acknowledged = true;
    for (auto& o : t.outcome.rcpts)  // the accepted ones (see Transaction::accepted)
      if (o.reply.code == 0) o.reply = r;
  }
  if (config_.rset_between_transactions) need_rset_ = true;
  complete_transaction();
}

void ClientSession::on_bdat(const Pending&, const Reply& r) {
  Transaction& t = queue_.front();
  if (t.mail_ok && t.accepted > 0) {
    t.outcome.data_acknowledged = true;
    for (auto& o : t.outcome.rcpts)  // the accepted ones, as on_dot
      if (o.reply.code == 0) o.reply = r;
    // RFC 3030 3: after a refused BDAT the server's state is not known: RSET first.
    if (!r.positive_completion()) need_rset_ = true;
  }
  complete_transaction();
}

void ClientSession::on_rset(const Pending&, const Reply&) {
  need_rset_ = false;
  if (state_ == State::Ready) advance();
}

void ClientSession::on_quit(const Pending&, const Reply&) { state_ = State::Closed; }

void ClientSession::complete_transaction() {
  Transaction& t = queue_.front();
  // Recipients whose reply never came (cannot happen with a well-behaved server).
  bool unanswered = t.outcome.mail_reply.code == 0;
  for (const auto& o : t.outcome.rcpts) unanswered = unanswered || o.reply.code == 0;
  if (unanswered) {
    finalize(t, Reply::make(451, "4.3.0", "no reply from " + config_.peer_name));
  } else {
    outcomes_.push_back(std::move(t.outcome));
  }
  queue_.pop_front();
  state_ = State::Ready;
  advance();
}

}  // namespace maillab::smtp
