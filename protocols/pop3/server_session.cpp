#include "protocols/pop3/server_session.hpp"

#include <array>
#include <cassert>
#include <utility>

#include "base/ascii.hpp"
#include "protocols/message/base64.hpp"
#include "protocols/message/sasl_plain.hpp"
#include "protocols/pop3/dot_stuffing.hpp"
#include "protocols/pop3/md5.hpp"

namespace maillab::pop3 {
namespace {

constexpr unsigned kAuthorization = 1u << 0;
constexpr unsigned kTransaction = 1u << 1;
constexpr int kRestOfLine = -1;  // the one argument is the rest of the line (PASS)

// RFC 5034 4: SASL responses are not bound by the 255-octet command limit; PLAIN with
// long names and passwords fits easily in this.
constexpr std::size_t kMaxSaslLine = 4096;

unsigned state_bit(ServerSession::State s) {
  switch (s) {
    case ServerSession::State::Authorization: return kAuthorization;
    case ServerSession::State::Transaction: return kTransaction;
    default: return 0;  // UPDATE is transient and Closed ignores input: no command is valid
  }
}

std::string_view state_name(ServerSession::State s) {
  return s == ServerSession::State::Authorization ? "AUTHORIZATION" : "TRANSACTION";
}

}  // namespace

// The state machine as data (DESIGN.md): keyword, the states it is valid in, its argument
// count, its action, and where the rule comes from. UPDATE has no commands: QUIT enters
// it and it ends at once (RFC 1939 6).
struct ServerCommands {
  struct Command {
    std::string_view keyword;
    unsigned states;
    int min_args;
    int max_args;
    void (ServerSession::*act)(const CommandLine&);
    std::string_view usage;
    std::string_view rfc;
  };

  static constexpr std::array<Command, 15> kTable{{
      {"USER", kAuthorization, 1, 1, &ServerSession::cmd_user, "USER name", "RFC 1939 7"},
      {"PASS", kAuthorization, kRestOfLine, kRestOfLine, &ServerSession::cmd_pass, "PASS string",
       "RFC 1939 7"},
      {"APOP", kAuthorization, 2, 2, &ServerSession::cmd_apop, "APOP name digest", "RFC 1939 7"},
      {"AUTH", kAuthorization, 1, 2, &ServerSession::cmd_auth, "AUTH mechanism [initial-response]",
       "RFC 5034 4"},
      {"STLS", kAuthorization, 0, 0, &ServerSession::cmd_stls, "STLS", "RFC 2595 4"},
      {"CAPA", kAuthorization | kTransaction, 0, 0, &ServerSession::cmd_capa, "CAPA", "RFC 2449 5"},
      {"QUIT", kAuthorization | kTransaction, 0, 0, &ServerSession::cmd_quit, "QUIT",
       "RFC 1939 4, 6"},
      {"STAT", kTransaction, 0, 0, &ServerSession::cmd_stat, "STAT", "RFC 1939 5"},
      {"LIST", kTransaction, 0, 1, &ServerSession::cmd_list, "LIST [msg]", "RFC 1939 5"},
      {"RETR", kTransaction, 1, 1, &ServerSession::cmd_retr, "RETR msg", "RFC 1939 5"},
      {"DELE", kTransaction, 1, 1, &ServerSession::cmd_dele, "DELE msg", "RFC 1939 5"},
      {"NOOP", kTransaction, 0, 0, &ServerSession::cmd_noop, "NOOP", "RFC 1939 5"},
      {"RSET", kTransaction, 0, 0, &ServerSession::cmd_rset, "RSET", "RFC 1939 5"},
      {"TOP", kTransaction, 2, 2, &ServerSession::cmd_top, "TOP msg n", "RFC 1939 7"},
      {"UIDL", kTransaction, 0, 1, &ServerSession::cmd_uidl, "UIDL [msg]", "RFC 1939 7"},
  }};

  static const Command* find(std::string_view keyword) {
    for (const auto& c : kTable) {
      if (c.keyword == keyword) return &c;
    }
    return nullptr;
  }

  static bool arguments_fit(const Command& c, const CommandLine& cmd) {
    if (c.min_args == kRestOfLine) return !cmd.rest.empty();
    const auto n = static_cast<int>(cmd.args.size());
    if (n < c.min_args || n > c.max_args) return false;
    for (const auto& a : cmd.args) {
      if (a.empty()) return false;  // RFC 1939 3: separated by a *single* space
    }
    return true;
  }
};

std::string_view ServerSession::command_rfc(std::string_view keyword) {
  const auto* c = ServerCommands::find(base::ascii_upper(keyword));
  return c ? c->rfc : std::string_view{};
}

ServerSession::ServerSession(ServerConfig config, ServerHandler& handler)
    : config_(std::move(config)), handler_(handler), reader_(config_.max_line), tls_(config_.tls_active) {}

void ServerSession::start() {
  assert(!started_);
  started_ = true;
  std::string text = handler_.banner();
  if (text.empty()) text = config_.hostname + " POP3 server ready";
  std::string line = "+OK " + text;
  if (!config_.apop_timestamp.empty()) line += " " + config_.apop_timestamp;  // RFC 1939 7
  reply(line);
  handler_.on_exchange("", line);
}

void ServerSession::receive(std::string_view data) {
  assert(started_);
  if (closed() || wants_tls_) return;
  reader_.feed(data);
  if (paused_) {
    // Read once the held reply is out; a client that keeps sending meanwhile is cut off.
    if (reader_.buffered() > kMaxHeldInput) close();
    return;
  }
  while (!closed() && !paused_ && !wants_tls_) {
    auto line = reader_.next();
    if (!line) break;
    handle_line(*line);
  }
}

std::size_t ServerSession::receive_some(std::string_view data, std::size_t output_limit) {
  // Fed a line at a time, so what stays unconsumed stays with the caller.
  std::size_t used = 0;
  // A pause (auth_failure_delay) stops it too: the rest waits with the caller.
  while (used < data.size() && !closed() && !paused_ && !wants_tls_ && output_.size() < output_limit) {
    const std::size_t lf = data.find('\n', used);
    const std::size_t end = lf == std::string_view::npos ? data.size() : lf + 1;
    receive(data.substr(used, end - used));
    used = end;
  }
  // After STLS the rest was sent in clear behind it: consumed unread (CVE-2011-0411).
  return closed() || wants_tls_ ? data.size() : used;
}

void ServerSession::receive_eof() {
  if (!closed()) close();  // no UPDATE: nothing is removed (RFC 1939 6)
}

void ServerSession::on_timeout() {
  if (closed()) return;
  if (paused_) {
    // auth_failure_delay is over: the -ERR goes out, then what came meanwhile is read.
    paused_ = false;
    output_ += held_;
    held_.clear();
    const auto [line, reply] = std::exchange(held_exchange_, {});
    handler_.on_exchange(line, reply);
    if (close_after_pause_) return close();
    return receive({});
  }
  // RFC 1939 3: the autologout timer closes the connection without entering UPDATE and
  // without a response.
  close();
}

std::chrono::milliseconds ServerSession::timeout() const {
  if (closed()) return std::chrono::milliseconds::zero();
  return paused_ ? config_.auth_failure_delay : config_.idle_timeout;
}

std::string ServerSession::take_output() { return std::exchange(output_, std::string()); }

void ServerSession::reply(std::string_view line) {
  output_.append(line);
  output_ += "\r\n";
}

void ServerSession::close() {
  state_ = State::Closed;
  paused_ = false;
  held_.clear();
  held_exchange_ = {};
  maildrop_.reset();  // releases the lock
  messages_ = MessageList();
  reader_.clear();
  awaiting_sasl_ = false;
  pending_user_.clear();
}

void ServerSession::handle_line(const LineBuffer::Line& line) {
  const std::size_t mark = output_.size();
  std::string shown;
  if (awaiting_sasl_) {
    awaiting_sasl_ = false;
    reader_.set_max_line(config_.max_line);
    shown = "****";
    if (line.too_long) {
      reply("-ERR authentication response too long");
    } else {
      sasl_response(line.text);
    }
  } else if (line.too_long) {
    shown = "<line too long>";
    reply("-ERR line too long");  // RFC 2449 4
  } else {
    const CommandLine cmd = CommandLine::parse(line.text);
    shown = line.text;
    if (cmd.keyword == "PASS" && !cmd.rest.empty()) shown = "PASS ****";
    if (cmd.keyword == "AUTH" && cmd.args.size() > 1) shown = "AUTH " + cmd.args[0] + " ****";
    dispatch(cmd);
  }
  const std::size_t eol = output_.find("\r\n", mark);
  const std::string_view first_line = std::string_view(output_).substr(mark, eol - mark);
  if (!paused_) return handler_.on_exchange(shown, first_line);
  // This line's reply waits (auth_failed): held, not sent, and traced when it goes.
  held_exchange_ = {shown, std::string(first_line)};
  held_.append(output_, mark);
  output_.resize(mark);
}

void ServerSession::dispatch(const CommandLine& cmd) {
  // RFC 1939 7: after USER the client may give PASS (or QUIT); anything else forgets USER.
  if (cmd.keyword != "PASS") pending_user_.clear();
  if (!cmd.valid) return reply("-ERR invalid character in command");
  if (cmd.keyword.empty()) return reply("-ERR empty command");
  const auto* c = ServerCommands::find(cmd.keyword);
  if (c == nullptr) return reply("-ERR unknown command");
  if ((c->states & state_bit(state_)) == 0) {
    return reply("-ERR " + cmd.keyword + " not valid in the " + std::string(state_name(state_)) +
                 " state");
  }
  if (!ServerCommands::arguments_fit(*c, cmd)) return reply("-ERR syntax: " + std::string(c->usage));
  (this->*(c->act))(cmd);
}

// --- AUTHORIZATION ---------------------------------------------------------------------

void ServerSession::cmd_user(const CommandLine& cmd) {
  if (!config_.user_pass) return reply("-ERR USER not available, use AUTH or APOP");
  if (plaintext_refused()) return;
  if (!handler_.user_exists(cmd.args[0])) return auth_failed(cmd.args[0], "no such mailbox");
  pending_user_ = cmd.args[0];
  reply("+OK send PASS");
}

void ServerSession::cmd_pass(const CommandLine& cmd) {
  if (!config_.user_pass) return reply("-ERR PASS not available, use AUTH or APOP");
  if (plaintext_refused()) return;
  if (pending_user_.empty()) return reply("-ERR give USER first");
  const std::string user = std::exchange(pending_user_, std::string());
  if (!handler_.check_password(user, cmd.rest)) {
    return auth_failed(user, "invalid user name or password");
  }
  login(user);
}

void ServerSession::cmd_apop(const CommandLine& cmd) {
  if (config_.apop_timestamp.empty()) return reply("-ERR APOP not available");
  const std::string& user = cmd.args[0];
  const auto secret = handler_.apop_secret(user);
  // RFC 1939 7: the digest is MD5(timestamp + secret) in lowercase hex; upper case is
  // accepted too, as most servers do.
  // An empty secret is no secret: MD5(timestamp) alone is public (issue 15 item 1).
  if (!secret || secret->empty() || base::ascii_lower(cmd.args[1]) != Md5::hex(config_.apop_timestamp + *secret)) {
    return auth_failed(user, "invalid user name or digest");
  }
  login(user);
}

void ServerSession::cmd_auth(const CommandLine& cmd) {
  if (!config_.sasl_plain || base::ascii_lower(cmd.args[0]) != "plain") {
    return reply("-ERR unsupported authentication mechanism");
  }
  if (plaintext_refused()) return;
  if (cmd.args.size() == 2) {
    // RFC 5034 4: "=" is an empty initial response.
    return sasl_plain(cmd.args[1] == "=" ? std::string_view() : std::string_view(cmd.args[1]));
  }
  awaiting_sasl_ = true;
  reader_.set_max_line(kMaxSaslLine);
  reply("+ ");  // PLAIN's server challenge is empty
}

void ServerSession::sasl_response(std::string_view line) {
  if (line == "*") return reply("-ERR authentication cancelled");  // RFC 5034 4
  sasl_plain(line);
}

void ServerSession::sasl_plain(std::string_view base64) {
  const auto decoded = message::base64_decode(base64);
  if (!decoded) return auth_failed("", "invalid base64 in authentication response");
  const auto plain = message::parse_sasl_plain(*decoded);
  if (!plain) return auth_failed("", "malformed PLAIN response");
  const std::string authcid(plain->user);
  if (authcid.empty() || plain->password.empty() || plain->proxy() || !handler_.check_password(authcid, plain->password))
    return auth_failed(authcid, "authentication failed");
  login(authcid);
}

void ServerSession::auth_failed(std::string_view user, std::string_view why) {
  ++auth_failures_;
  handler_.on_auth_failure(user);
  // Dovecot's auth_failure_delay: the answer to a failed login waits, so guessing costs
  // time (handle_line holds the reply, on_timeout sends it).
  paused_ = config_.auth_failure_delay.count() > 0;
  if (config_.max_auth_failures > 0 && auth_failures_ >= config_.max_auth_failures) {
    reply("-ERR [AUTH] too many failures");
    if (paused_) {
      close_after_pause_ = true;
      return;
    }
    return close();
  }
  reply("-ERR [AUTH] " + std::string(why));  // RFC 3206 4
}

void ServerSession::login(const std::string& user) {
  std::unique_ptr<Maildrop> drop;
  const auto result = handler_.open_maildrop(user, drop);
  if (result == ServerHandler::OpenResult::InUse) {
    return reply("-ERR [IN-USE] maildrop already locked");  // RFC 2449 8.1.2
  }
  if (result != ServerHandler::OpenResult::Ok || !drop) {
    return reply("-ERR [SYS/TEMP] unable to open maildrop");  // RFC 3206 4
  }
  maildrop_ = std::move(drop);
  messages_ = MessageList(maildrop_->messages());
  user_ = user;
  state_ = State::Transaction;
  reply("+OK maildrop has " + std::to_string(messages_.visible_count()) + " messages (" +
        std::to_string(messages_.visible_octets()) + " octets)");
}

// --- both states -------------------------------------------------------------------------

void ServerSession::cmd_capa(const CommandLine&) {
  // RFC 2449 5: what is offered in AUTHORIZATION is announced in both states.
  reply("+OK capability list follows");
  reply("TOP");
  reply("UIDL");
  reply("RESP-CODES");
  reply("AUTH-RESP-CODE");  // RFC 3206 3
  reply("PIPELINING");
  const bool clear_ok = config_.plaintext_auth || tls_;
  if (config_.user_pass && clear_ok) reply("USER");
  if (config_.sasl_plain && clear_ok) reply("SASL PLAIN");  // RFC 5034 3
  if (config_.stls && !tls_ && state_ == State::Authorization) reply("STLS");  // RFC 2595 4
  if (!config_.implementation.empty()) reply("IMPLEMENTATION " + config_.implementation);
  reply(".");
}

void ServerSession::cmd_quit(const CommandLine&) {
  if (state_ == State::Transaction) return update();
  reply("+OK " + config_.hostname + " POP3 server signing off");  // RFC 1939 4
  close();
}

void ServerSession::update() {
  state_ = State::Update;
  std::size_t removed = 0;
  bool all_removed = true;
  for (const auto& uid : messages_.deleted_uids()) {
    if (maildrop_->remove(uid)) {
      ++removed;
    } else {
      all_removed = false;
    }
  }
  const std::size_t left = messages_.highest() - removed;
  if (!all_removed) {
    reply("-ERR [SYS/TEMP] some deleted messages not removed");  // RFC 1939 6
  } else if (left == 0) {
    reply("+OK " + config_.hostname + " POP3 server signing off (maildrop empty)");
  } else {
    reply("+OK " + config_.hostname + " POP3 server signing off (" + std::to_string(left) +
          " messages left)");
  }
  close();
}

// --- TRANSACTION -------------------------------------------------------------------------

std::size_t ServerSession::message_arg(std::string_view text) {
  const auto n = CommandLine::number(text);
  if (!n) {
    reply("-ERR invalid message number");
    return 0;
  }
  switch (messages_.find(*n)) {
    case MessageList::Lookup::Ok: return *n;
    case MessageList::Lookup::Deleted:
      reply("-ERR message " + std::to_string(*n) + " already deleted");
      return 0;
    case MessageList::Lookup::NoSuchMessage: break;
  }
  reply("-ERR no such message");
  return 0;
}

void ServerSession::cmd_stat(const CommandLine&) {
  reply("+OK " + std::to_string(messages_.visible_count()) + " " +
        std::to_string(messages_.visible_octets()));
}

void ServerSession::cmd_list(const CommandLine& cmd) {
  if (!cmd.args.empty()) {
    const std::size_t n = message_arg(cmd.args[0]);
    if (n != 0) reply("+OK " + std::to_string(n) + " " + std::to_string(messages_.octets(n)));
    return;
  }
  reply("+OK " + std::to_string(messages_.visible_count()) + " messages (" +
        std::to_string(messages_.visible_octets()) + " octets)");
  for (std::size_t n = 1; n <= messages_.highest(); ++n) {
    if (!messages_.deleted(n)) reply(std::to_string(n) + " " + std::to_string(messages_.octets(n)));
  }
  reply(".");
}

void ServerSession::cmd_retr(const CommandLine& cmd) {
  const std::size_t n = message_arg(cmd.args[0]);
  if (n == 0) return;
  reply("+OK " + std::to_string(messages_.octets(n)) + " octets");
  append_dot_stuffed(output_, messages_.content(n));
}

void ServerSession::cmd_dele(const CommandLine& cmd) {
  const std::size_t n = message_arg(cmd.args[0]);
  if (n == 0) return;
  messages_.mark_deleted(n);
  reply("+OK message " + std::to_string(n) + " deleted");
}

void ServerSession::cmd_noop(const CommandLine&) { reply("+OK"); }

void ServerSession::cmd_rset(const CommandLine&) {
  messages_.undelete_all();
  reply("+OK maildrop has " + std::to_string(messages_.visible_count()) + " messages (" +
        std::to_string(messages_.visible_octets()) + " octets)");
}

void ServerSession::cmd_top(const CommandLine& cmd) {
  const std::size_t n = message_arg(cmd.args[0]);
  if (n == 0) return;
  const auto lines = CommandLine::number(cmd.args[1]);
  if (!lines) return reply("-ERR invalid number of lines");
  reply("+OK top of message follows");
  append_dot_stuffed(output_, top_of(messages_.content(n), *lines));
}

void ServerSession::cmd_uidl(const CommandLine& cmd) {
  if (!cmd.args.empty()) {
    const std::size_t n = message_arg(cmd.args[0]);
    if (n != 0) reply("+OK " + std::to_string(n) + " " + messages_.uid(n));
    return;
  }
  reply("+OK unique-id listing follows");
  for (std::size_t n = 1; n <= messages_.highest(); ++n) {
    if (!messages_.deleted(n)) reply(std::to_string(n) + " " + messages_.uid(n));
  }
  reply(".");
}

}  // namespace maillab::pop3
