#include "protocols/pop3/client_session.hpp"

#include <set>

#include <array>
#include <utility>

#include "base/ascii.hpp"
#include "protocols/message/base64.hpp"
#include "protocols/pop3/command_line.hpp"
#include "protocols/pop3/md5.hpp"

namespace maillab::pop3 {
namespace {

// A reply line longer than this is a broken or hostile server, not mail.
constexpr std::size_t kMaxReplyLine = 1 << 20;
// RFC 2449 4 / RFC 5034 4: a command line, initial response included, fits in 255 octets;
// otherwise PLAIN's response goes after a "+ " continuation.
constexpr std::size_t kMaxCommandLine = 255;

using State = ClientSession::State;

bool status_is(std::string_view line, std::string_view indicator) {
  return line.substr(0, indicator.size()) == indicator &&
         (line.size() == indicator.size() || line[indicator.size()] == ' ');
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const std::size_t at = s.find(sep);
    const std::string_view piece = s.substr(0, at);
    if (!piece.empty()) out.push_back(piece);
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

// Body lines without their terminators.
std::vector<std::string_view> body_lines(std::string_view body) {
  std::vector<std::string_view> out;
  for (auto line : split(body, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// RFC 1939 7: the greeting's timestamp has msg-id syntax, "<...@...>".
std::string greeting_timestamp(std::string_view greeting) {
  for (std::size_t open = greeting.find('<'); open != std::string_view::npos;
       open = greeting.find('<', open + 1)) {
    const std::size_t close = greeting.find('>', open);
    if (close == std::string_view::npos) break;
    const std::string_view id = greeting.substr(open, close - open + 1);
    if (id.find('@') != std::string_view::npos) return std::string(id);
  }
  return {};
}

// "n token" listing lines of UIDL and LIST (RFC 1939 5, 7).
bool parse_listing(std::string_view body, std::vector<std::pair<std::size_t, std::string>>& out) {
  std::set<std::size_t> seen;
  for (auto line : body_lines(body)) {
    const auto fields = split(line, ' ');
    if (fields.size() < 2) return false;
    const auto n = CommandLine::number(fields[0]);
    // A message number listed twice is a broken listing (RFC 1939 7: one line each), not
    // a reason to retrieve and delete a message twice.
    if (!n || *n == 0 || !seen.insert(*n).second) return false;
    out.emplace_back(*n, std::string(fields[1]));
  }
  return true;
}

}  // namespace

// The client's script as data: in each state, whether a +OK reply is multi-line, what
// handles the reply, and the rule it follows.
struct ClientSteps {
  struct Step {
    State state;
    bool multiline;
    void (ClientSession::*on_reply)(const ClientSession::Reply&);
    std::string_view rfc;
  };

  static constexpr std::array<Step, 13> kTable{{
      {State::Greeting, false, &ClientSession::on_greeting, "RFC 1939 4"},
      {State::Capa, true, &ClientSession::on_capa, "RFC 2449 5"},
      {State::Stls, false, &ClientSession::on_stls, "RFC 2595 4"},
      {State::User, false, &ClientSession::on_user, "RFC 1939 7"},
      {State::Pass, false, &ClientSession::on_login, "RFC 1939 7"},
      {State::Apop, false, &ClientSession::on_login, "RFC 1939 7"},
      {State::AuthPlain, false, &ClientSession::on_auth_plain, "RFC 5034 4, RFC 4616 2"},
      {State::Stat, false, &ClientSession::on_stat, "RFC 1939 5"},
      {State::Uidl, true, &ClientSession::on_uidl, "RFC 1939 7"},
      {State::List, true, &ClientSession::on_list, "RFC 1939 5"},
      {State::Retr, true, &ClientSession::on_retr, "RFC 1939 5"},
      {State::Dele, false, &ClientSession::on_dele, "RFC 1939 5"},
      {State::Quit, false, &ClientSession::on_quit, "RFC 1939 6"},
  }};

  static const Step& find(State s) { return kTable[static_cast<std::size_t>(s)]; }
};

// find() indexes the table by State: keep them in the same order.
static_assert([] {
  for (std::size_t i = 0; i < ClientSteps::kTable.size(); ++i) {
    if (ClientSteps::kTable[i].state != static_cast<State>(i)) return false;
  }
  return ClientSteps::kTable.size() == static_cast<std::size_t>(State::Closed);
}());

ClientSession::ClientSession(ClientConfig config) : config_(std::move(config)), reader_(kMaxReplyLine) {}

void ClientSession::receive(std::string_view data) {
  if (closed() || wants_tls_) return;
  reader_.feed(data);
  while (!closed() && !wants_tls_) {
    auto line = reader_.next();
    if (!line) break;
    handle_line(*line);
  }
}

void ClientSession::receive_eof() {
  if (closed()) return;
  if (status_ == Status::InProgress) {
    status_ = Status::ConnectionLost;
    error_ = "connection closed by the server";
  }
  state_ = State::Closed;
}

void ClientSession::on_timeout() {
  if (closed()) return;
  if (status_ == Status::InProgress) {
    status_ = Status::TimedOut;
    error_ = "timed out waiting for the server";
  }
  state_ = State::Closed;
}

std::chrono::milliseconds ClientSession::timeout() const {
  return closed() ? std::chrono::milliseconds::zero() : config_.timeout;
}

std::string ClientSession::take_output() { return std::exchange(output_, std::string()); }

void ClientSession::send(std::string_view line, std::string_view shown) {
  output_.append(line);
  output_ += "\r\n";
  shown_ = shown.empty() ? line : shown;
}

void ClientSession::fail(Status status, std::string message) {
  if (status_ == Status::InProgress) {
    status_ = status;
    error_ = std::move(message);
  }
  send("QUIT");
  state_ = State::Quit;
}

void ClientSession::abort(Status status, std::string message) {
  if (status_ == Status::InProgress) {
    status_ = status;
    error_ = std::move(message);
  }
  state_ = State::Closed;
  reader_.clear();
}

void ClientSession::handle_line(const LineBuffer::Line& line) {
  if (line.too_long) return abort(Status::Error, "reply line too long");
  if (collecting_) {
    if (line.text == ".") {  // RFC 1939 3: end of a multi-line response
      collecting_ = false;
      return finish_reply();
    }
    std::string_view text = line.text;
    if (!text.empty() && text.front() == '.') text.remove_prefix(1);  // byte-stuffing
    reply_.body.append(text);
    reply_.body += line.crlf ? "\r\n" : "\n";
    return;
  }
  reply_ = Reply{};
  reply_.first = line.text;
  if (status_is(line.text, "+OK")) {
    reply_.kind = Reply::Kind::Ok;
  } else if (status_is(line.text, "-ERR")) {
    reply_.kind = Reply::Kind::Err;
  } else if (status_is(line.text, "+")) {  // RFC 5034 4: "+" SP challenge
    reply_.kind = Reply::Kind::Continue;
  } else {
    return abort(Status::Error, "malformed reply: " + line.text);
  }
  if (on_exchange) on_exchange(shown_, line.text);
  if (reply_.kind == Reply::Kind::Continue && state_ != State::AuthPlain) {
    return abort(Status::Error, "unexpected continuation: " + line.text);
  }
  if (reply_.kind == Reply::Kind::Ok && ClientSteps::find(state_).multiline) {
    collecting_ = true;
    return;
  }
  finish_reply();
}

void ClientSession::finish_reply() { (this->*(ClientSteps::find(state_).on_reply))(reply_); }

bool ClientSession::has_capability(std::string_view name, std::string_view arg) const {
  for (const auto& cap : capabilities_) {
    const auto words = split(cap, ' ');
    if (words.empty() || words[0] != name) continue;
    if (arg.empty()) return true;
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (words[i] == arg) return true;
    }
  }
  return false;
}

// --- AUTHORIZATION ---------------------------------------------------------------------

void ClientSession::on_greeting(const Reply& r) {
  if (r.kind != Reply::Kind::Ok) return abort(Status::Error, "server refused: " + r.first);
  timestamp_ = greeting_timestamp(r.first);
  send("CAPA");
  state_ = State::Capa;
}

void ClientSession::on_capa(const Reply& r) {
  capa_ok_ = r.kind == Reply::Kind::Ok;  // -ERR: an RFC 1939-only server
  capabilities_.clear();
  if (capa_ok_) {
    for (auto line : body_lines(r.body)) capabilities_.push_back(base::ascii_upper(line));
  }
  if (config_.require_tls && !tls_) {
    if (capa_ok_ && has_capability("STLS")) {
      send("STLS");
      state_ = State::Stls;
      return;
    }
    return fail(Status::NoTls, "the server offers no STLS: the password is not sent in clear");
  }
  start_auth();
}

void ClientSession::start_auth() {
  using Auth = ClientConfig::Auth;
  Auth method = config_.auth;
  if (method == Auth::Best) {
    if (!capa_ok_ || has_capability("USER")) {
      method = Auth::UserPass;
    } else if (has_capability("SASL", "PLAIN")) {
      method = Auth::SaslPlain;
    } else if (!timestamp_.empty()) {
      method = Auth::Apop;
    } else {
      method = Auth::UserPass;  // nothing announced: try the RFC 1939 way anyway
    }
  }
  switch (method) {
    case Auth::Apop:
      if (timestamp_.empty()) {
        auth_used_ = Auth::Apop;
        return fail(Status::AuthFailed, "the server offers no APOP (no timestamp in its greeting)");
      }
      return send_apop();
    case Auth::SaslPlain: return send_auth_plain();
    default:
      auth_used_ = Auth::UserPass;
      send("USER " + config_.user);
      state_ = State::User;
  }
}

void ClientSession::send_apop() {
  auth_used_ = ClientConfig::Auth::Apop;
  send("APOP " + config_.user + " " + Md5::hex(timestamp_ + config_.password));  // RFC 1939 7
  state_ = State::Apop;
}

void ClientSession::send_auth_plain() {
  auth_used_ = ClientConfig::Auth::SaslPlain;
  const std::string line = "AUTH PLAIN " + message::base64_encode(std::string(1, '\0') + config_.user +
                                                                   std::string(1, '\0') + config_.password);
  plain_response_sent_ = line.size() + 2 <= kMaxCommandLine;
  if (plain_response_sent_) {
    send(line, "AUTH PLAIN ****");
  } else {
    send("AUTH PLAIN");
  }
  state_ = State::AuthPlain;
}

void ClientSession::on_user(const Reply& r) {
  if (r.kind == Reply::Kind::Ok) {
    send("PASS " + config_.password, "PASS ****");
    state_ = State::Pass;
    return;
  }
  // USER refused before any password was sent: the server may do APOP only.
  if (config_.auth == ClientConfig::Auth::Best && !timestamp_.empty()) return send_apop();
  on_login(r);
}

void ClientSession::on_auth_plain(const Reply& r) {
  if (r.kind != Reply::Kind::Continue) return on_login(r);
  if (plain_response_sent_) return abort(Status::Error, "unexpected second PLAIN challenge");
  plain_response_sent_ = true;
  send(message::base64_encode(std::string(1, '\0') + config_.user + std::string(1, '\0') + config_.password),
       "****");
}

void ClientSession::on_login(const Reply& r) {
  if (r.kind == Reply::Kind::Ok) {
    send("STAT");
    state_ = State::Stat;
    return;
  }
  // RFC 2449 8.1.2 and RFC 3206: response codes tell a lock from bad credentials; a server
  // without them gets the benefit of the doubt as a credentials failure.
  if (r.first.find("[IN-USE]") != std::string::npos) return fail(Status::InUse, r.first);
  if (r.first.find("[SYS/") != std::string::npos) return fail(Status::Error, r.first);
  fail(Status::AuthFailed, r.first);
}

// --- TRANSACTION -------------------------------------------------------------------------

void ClientSession::on_stat(const Reply& r) {
  if (r.kind != Reply::Kind::Ok) return fail(Status::Error, "STAT: " + r.first);
  const auto fields = split(r.first, ' ');
  const auto count = fields.size() >= 3 ? CommandLine::number(fields[1]) : std::nullopt;
  if (!count) return fail(Status::Error, "malformed STAT reply: " + r.first);
  if (*count == 0) return plan_retrieval({});
  if (capa_ok_ && !has_capability("UIDL")) {
    send("LIST");
    state_ = State::List;
  } else {
    send("UIDL");
    state_ = State::Uidl;
  }
}

void ClientSession::on_uidl(const Reply& r) {
  if (r.kind != Reply::Kind::Ok) {  // UIDL is optional (RFC 1939 7): fall back to LIST
    send("LIST");
    state_ = State::List;
    return;
  }
  std::vector<std::pair<std::size_t, std::string>> listing;
  if (!parse_listing(r.body, listing)) return fail(Status::Error, "malformed UIDL listing");
  plan_retrieval(std::move(listing));
}

void ClientSession::on_list(const Reply& r) {
  if (r.kind != Reply::Kind::Ok) return fail(Status::Error, "LIST: " + r.first);
  std::vector<std::pair<std::size_t, std::string>> listing;
  if (!parse_listing(r.body, listing)) return fail(Status::Error, "malformed LIST listing");
  for (auto& entry : listing) entry.second.clear();  // octet counts, not uids
  plan_retrieval(std::move(listing));
}

void ClientSession::plan_retrieval(std::vector<std::pair<std::size_t, std::string>> listing) {
  queue_.clear();
  for (auto& entry : listing) {
    if (config_.only_new && !entry.second.empty() && config_.known_uids.count(entry.second) != 0) continue;
    queue_.push_back(std::move(entry));
  }
  next_ = 0;
  next_message();
}

void ClientSession::next_message() {
  if (next_ >= queue_.size()) {
    send("QUIT");
    state_ = State::Quit;
    return;
  }
  send("RETR " + std::to_string(queue_[next_].first));
  state_ = State::Retr;
}

void ClientSession::on_retr(const Reply& r) {
  const auto& [number, uid] = queue_[next_];
  if (r.kind != Reply::Kind::Ok) return fail(Status::Error, "RETR " + std::to_string(number) + ": " + r.first);
  retrieved_.push_back(Retrieved{number, uid, r.body});
  if (config_.delete_after_retrieve) {
    send("DELE " + std::to_string(number));
    state_ = State::Dele;
    return;
  }
  ++next_;
  next_message();
}

void ClientSession::on_dele(const Reply& r) {
  if (r.kind != Reply::Kind::Ok) {
    return fail(Status::Error, "DELE " + std::to_string(queue_[next_].first) + ": " + r.first);
  }
  ++deleted_;
  ++next_;
  next_message();
}

void ClientSession::on_quit(const Reply& r) {
  state_ = State::Closed;
  reader_.clear();
  if (r.kind == Reply::Kind::Ok) {
    deletions_committed_ = deleted_ > 0;  // RFC 1939 6: removed in UPDATE, after QUIT
    if (status_ == Status::InProgress) status_ = Status::Done;
    return;
  }
  if (status_ == Status::InProgress) {
    status_ = Status::Error;
    error_ = "QUIT: " + r.first;
  }
}

}  // namespace maillab::pop3
