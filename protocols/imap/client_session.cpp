#include "protocols/imap/client_session.hpp"

#include <algorithm>
#include <utility>

#include "protocols/imap/ascii_case.hpp"
#include "protocols/imap/parser.hpp"
#include "protocols/imap/sequence_set.hpp"
#include "protocols/imap/wire_format.hpp"
#include "protocols/message/base64.hpp"

namespace maillab::imap {
namespace {

constexpr int kMaxDepth = 32;

// Skips one value of a response (atom, number, string, NIL, list); false if malformed.
bool skip_value(Parser& p, int depth) {
  if (depth > kMaxDepth) return false;
  if (p.peek() == '(') {
    p.take('(');
    bool first = true;
    while (!p.take(')')) {
      if (p.at_end()) return false;
      if (!first && !p.take(' ')) return false;
      first = false;
      if (!skip_value(p, depth + 1)) return false;
    }
    return true;
  }
  if (p.peek() == '"') return p.quoted().has_value();
  if (p.peek() == '{') return p.literal().has_value();
  if (p.peek() == '~') return p.literal8().has_value();
  return p.fetch_att_name().has_value() || (p.take('\\') && p.atom().has_value());
}

// "[CODE args] text" -> the code and its arguments (empty when there is none).
std::string_view response_code(std::string_view text) {
  if (text.empty() || text.front() != '[') return {};
  const std::size_t close = text.find(']');
  return close == std::string_view::npos ? std::string_view() : text.substr(1, close - 1);
}

}  // namespace

ClientSession::ClientSession(ClientConfig config) : config_(std::move(config)), reader_(config_.limits) {}

bool ClientSession::has_capability(std::string_view name) const {
  const std::string u = upper(name);
  return std::find(caps_.begin(), caps_.end(), u) != caps_.end();
}

std::string ClientSession::take_output() { return std::exchange(output_, std::string()); }

std::chrono::milliseconds ClientSession::timeout() const {
  if (closed()) return std::chrono::milliseconds::zero();
  return state_ == State::Idle ? config_.idle_refresh : config_.timeout;
}

void ClientSession::on_timeout() {
  if (closed()) return;
  if (state_ == State::Idle) {  // RFC 2177 3: end IDLE and start it again
    if (idle_confirmed_) end_idle();
    return;
  }
  abort(Status::TimedOut, "the server did not answer in time");
}

void ClientSession::receive_eof() {
  if (closed()) return;
  if (state_ == State::Logout) {
    state_ = State::Closed;
    if (status_ == Status::InProgress) status_ = Status::Done;
    return;
  }
  abort(Status::ConnectionLost, "the server closed the connection");
}

void ClientSession::stop() {
  if (closed() || stopping_) return;
  stopping_ = true;
  if (state_ == State::Idle && idle_confirmed_) end_idle();
}

void ClientSession::on_tls_started(const tls::HandshakeInfo& info) {
  const bool implicit = state_ == State::Greeting && !starttls_requested_;
  tls_ = true;
  starttls_requested_ = false;
  reader_.clear();
  if (config_.require_tls && !info.verified()) {
    const std::string why = "server certificate not verified: " + std::string(tls::to_string(info.verification));
    if (implicit) return abort(Status::NoTls, why);
    return finish(Status::NoTls, why);  // LOGOUT inside TLS; no password was sent
  }
  if (implicit) return;  // the greeting comes inside TLS
  caps_.clear();  // RFC 9051 6.2.1: capabilities from before TLS are forgotten
  caps_known_ = false;
  send("CAPABILITY");
  state_ = State::Capability;
}

void ClientSession::receive(std::string_view data) {
  if (closed() || starttls_requested_) return;
  reader_.feed(data);
  while (!closed() && !starttls_requested_) {
    auto item = reader_.next();
    if (!item) break;
    if (item->error) return abort(Status::Error, "the server's response broke the limits");
    handle(item->text);
  }
}

void ClientSession::send(std::string command, std::string shown) {
  tag_ = 'A';
  tag_ += std::to_string(++tag_counter_);
  shown_ = tag_ + " " + (shown.empty() ? command.substr(0, command.find('\r')) : shown);
  output_ += tag_ + " " + command + "\r\n";
}

void ClientSession::abort(Status status, std::string why) {
  if (status_ == Status::InProgress) {
    status_ = status;
    error_ = std::move(why);
  }
  state_ = State::Closed;
  reader_.clear();
}

void ClientSession::finish(Status status, std::string why) {
  if (status_ == Status::InProgress) {
    status_ = status;
    error_ = std::move(why);
  }
  state_ = State::Logout;
  send("LOGOUT");
}

// --- responses ---------------------------------------------------------------------------------

void ClientSession::handle(const std::string& r) {
  if (r == "+" || r.rfind("+ ", 0) == 0) return continuation();
  if (r.rfind("* ", 0) == 0) return untagged(std::string_view(r).substr(2));
  const std::size_t sp = r.find(' ');
  if (sp == std::string::npos || r.compare(0, sp, tag_) != 0 || tag_.empty()) return;  // not ours: ignored
  std::string_view rest = std::string_view(r).substr(sp + 1);
  const std::size_t sp2 = rest.find(' ');
  const std::string status = upper(rest.substr(0, sp2));
  const std::string_view text = sp2 == std::string_view::npos ? std::string_view() : rest.substr(sp2 + 1);
  if (on_exchange) on_exchange(shown_, r);
  tag_.clear();
  tagged(status, text);
}

void ClientSession::capabilities_from(std::string_view list) {
  caps_.clear();
  std::size_t start = 0;
  while (start < list.size() && caps_.size() < kMaxCapabilities) {
    std::size_t sp = list.find(' ', start);
    if (sp == std::string_view::npos) sp = list.size();
    if (sp > start) caps_.push_back(upper(list.substr(start, sp - start)));
    start = sp + 1;
  }
  caps_known_ = true;
}

void ClientSession::untagged(std::string_view rest) {
  if (state_ == State::Greeting) {
    if (on_exchange) on_exchange("", "* " + std::string(rest));
    if (starts_with_ci(rest, "BYE") || !starts_with_ci(rest, "OK")) {
      return abort(Status::Error, "the server refused the connection");
    }
    const std::string_view code = response_code(rest.substr(std::min<std::size_t>(rest.size(), 3)));
    if (starts_with_ci(code, "CAPABILITY ")) capabilities_from(code.substr(11));
    if (caps_known_) return next_step();
    state_ = State::Capability;
    return send("CAPABILITY");
  }
  if (starts_with_ci(rest, "CAPABILITY ")) return capabilities_from(rest.substr(11));
  if (starts_with_ci(rest, "SEARCH")) {
    if (state_ != State::Search) return;
    std::string_view list = rest.substr(6);
    Parser p(list);
    while (p.take(' ')) {
      auto n = p.nz_number();
      if (!n) break;
      if (to_fetch_.size() >= kMaxUidsPerRound) {
        capped_ = true;
        break;
      }
      to_fetch_.push_back(*n);
    }
    return;
  }
  if (starts_with_ci(rest, "ESEARCH")) {
    if (state_ != State::Search) return;
    const std::size_t all = upper(rest).find(" ALL ");
    if (all == std::string::npos) return;
    std::string_view set_text = rest.substr(all + 5);
    set_text = set_text.substr(0, set_text.find(' '));
    SequenceSet set;
    if (!SequenceSet::parse(set_text, set)) return;
    for (const auto& r : set.ranges) {
      if (r.lo == SequenceSet::kStar || r.hi == SequenceSet::kStar) continue;
      for (std::uint64_t u = std::min(r.lo, r.hi); u <= std::max(r.lo, r.hi); ++u) {
        if (to_fetch_.size() >= kMaxUidsPerRound) {
          capped_ = true;
          return;
        }
        to_fetch_.push_back(static_cast<std::uint32_t>(u));
      }
    }
    return;
  }
  Parser p(rest);
  auto n = p.number();
  if (!n || !p.take(' ')) return;
  auto word = p.atom();
  if (!word) return;
  const std::string w = upper(*word);
  if (w == "EXISTS") {
    if (*n > exists_ && state_ == State::Idle) {
      new_mail_ = true;
      if (idle_confirmed_) end_idle();  // else at the "+" (RFC 2177: DONE only after it)
    }
    exists_ = *n;
  } else if (w == "EXPUNGE") {
    if (exists_ > 0) --exists_;
  } else if (w == "FETCH" && state_ == State::Fetch && p.take(' ') && p.take('(')) {
    std::uint32_t uid = 0;
    std::optional<std::string> body;
    bool first = true;
    while (!p.take(')')) {
      if (p.at_end() || (!first && !p.take(' '))) return;
      first = false;
      auto name = p.fetch_att_name();
      if (!name || !p.take(' ')) return;
      const std::string item = upper(*name);
      if (item == "UID") {
        auto u = p.nz_number();
        if (!u) return;
        uid = *u;
      } else if (item == "BODY[]" || item == "RFC822") {
        auto v = p.nstring();
        if (!v) return;
        body = std::move(*v);
      } else if (!skip_value(p, 0)) {
        return;
      }
    }
    // Only what was asked for, once: a server cannot make the client keep more.
    if (uid == 0 || !body || !std::binary_search(to_fetch_.begin(), to_fetch_.end(), uid)) return;
    auto at = std::lower_bound(seen_uids_.begin(), seen_uids_.end(), uid);
    if (at != seen_uids_.end() && *at == uid) return;
    if (kept_ + body->size() > config_.max_kept) return finish(Status::Error, "too much mail to keep");
    seen_uids_.insert(at, uid);
    kept_ += body->size();
    fetched_.push_back({uid, std::move(*body)});
  }
}

void ClientSession::continuation() {
  if (state_ == State::Append && !pending_.empty()) {
    output_ += std::exchange(pending_, std::string());
    output_ += "\r\n";
  } else if (state_ == State::Authenticate && !pending_.empty()) {
    output_ += std::exchange(pending_, std::string());
    output_ += "\r\n";
  }
  if (state_ == State::Idle && !idle_confirmed_) {
    idle_confirmed_ = true;
    if (new_mail_ || stopping_) end_idle();
  }
  // Anything unexpected: nothing to send.
}

void ClientSession::end_idle() {
  state_ = State::IdleDone;
  output_ += "DONE\r\n";
}

void ClientSession::tagged(std::string_view status, std::string_view text) {
  const bool ok = status == "OK";
  const std::string_view code = response_code(text);
  switch (state_) {
    case State::Capability:
      if (!ok) return finish(Status::Error, "CAPABILITY failed");
      return next_step();
    case State::StartTls:
      if (ok) {
        starttls_requested_ = true;
        reader_.clear();  // nothing the server sent in clear after this counts
        return;
      }
      if (config_.require_tls) return finish(Status::NoTls, "STARTTLS refused");
      return login();
    case State::Login:
    case State::Authenticate:
      if (!ok) return finish(Status::AuthFailed, "login refused: " + std::string(text));
      if (starts_with_ci(code, "CAPABILITY ")) capabilities_from(code.substr(11));
      return append_next();
    case State::Append:
      if (!ok) return finish(Status::Error, "APPEND refused: " + std::string(text));
      if (starts_with_ci(code, "APPENDUID ")) {
        Parser p(code.substr(10));
        if (p.nz_number() && p.take(' ')) {
          if (auto uid = p.nz_number()) appended_uids_.push_back(*uid);
        }
      }
      return append_next();
    case State::Select:
      if (!ok) return finish(Status::Error, "SELECT refused: " + std::string(text));
      return search();
    case State::Search:
      if (!ok) return finish(Status::Error, "SEARCH refused: " + std::string(text));
      return fetch_round();
    case State::Fetch:
      if (!ok && !starts_with_ci(code, "EXPUNGEISSUED")) return finish(Status::Error, "FETCH refused: " + std::string(text));
      return fetch_round();
    case State::Move:
      if (!ok) return finish(Status::Error, "MOVE refused: " + std::string(text));
      to_fetch_.clear();
      return fetch_round();
    case State::Copy:
      if (!ok) return finish(Status::Error, "COPY refused: " + std::string(text));
      state_ = State::Store;
      return send("UID STORE " + SequenceSet::format(moving_) + " +FLAGS.SILENT (\\Deleted)");
    case State::Store:
      if (!ok) return finish(Status::Error, "STORE refused: " + std::string(text));
      state_ = State::Expunge;
      return send("EXPUNGE");
    case State::Expunge:
      if (!ok) return finish(Status::Error, "EXPUNGE refused: " + std::string(text));
      to_fetch_.clear();
      return fetch_round();
    case State::Idle:
    case State::IdleDone:
      if (!ok) return finish(Status::Error, "IDLE refused: " + std::string(text));
      if (stopping_) return finish(Status::Done, {});
      return search();  // new mail (or a refresh): fetch it, then IDLE again
    case State::Logout:
      state_ = State::Closed;
      if (status_ == Status::InProgress) status_ = Status::Done;
      return;
    default:
      return;
  }
}

// --- steps -------------------------------------------------------------------------------------

void ClientSession::next_step() {
  if (!tls_ && config_.starttls && has_capability("STARTTLS")) {
    state_ = State::StartTls;
    return send("STARTTLS");
  }
  if (!tls_ && config_.require_tls) return finish(Status::NoTls, "the server offers no STARTTLS");
  login();
}

void ClientSession::login() {
  const bool plain_offered = has_capability("AUTH=PLAIN");
  const bool plain = config_.auth == ClientConfig::Auth::Plain ||
                     (config_.auth == ClientConfig::Auth::Best && plain_offered) ||
                     (config_.auth == ClientConfig::Auth::Best && needs_literal(config_.user + config_.password, false));
  if (has_capability("LOGINDISABLED") && !plain_offered) {
    return finish(Status::AuthFailed, "the server refuses passwords before TLS");
  }
  if (plain) {
    const std::string response = message::base64_encode(std::string(1, '\0') + config_.user + '\0' + config_.password);
    state_ = State::Authenticate;
    if (has_capability("SASL-IR")) return send("AUTHENTICATE PLAIN " + response, "AUTHENTICATE PLAIN ****");
    pending_ = response;
    return send("AUTHENTICATE PLAIN", "AUTHENTICATE PLAIN ****");
  }
  std::string command = "LOGIN ";
  append_string(command, config_.user, false);
  command += ' ';
  append_string(command, config_.password, false);
  state_ = State::Login;
  send(command, "LOGIN " + config_.user + " ****");
}

void ClientSession::append_next() {
  if (next_append_ < config_.append.size()) {
    const std::string& msg = config_.append[next_append_++];
    std::string command = "APPEND ";
    append_astring(command, config_.append_to, false);
    command += " (\\Seen) {" + std::to_string(msg.size());
    state_ = State::Append;
    if (has_capability("LITERAL+")) {
      command += "+}\r\n" + msg;
      return send(command);  // shown up to the literal: the flag list too
    }
    command += "}";
    pending_ = msg;
    return send(command);
  }
  if (config_.fetch || config_.idle) {
    std::string command = "SELECT ";
    append_astring(command, config_.mailbox, false);
    state_ = State::Select;
    return send(command);
  }
  finish(Status::Done, {});
}

void ClientSession::search() {
  to_fetch_.clear();
  capped_ = false;
  state_ = State::Search;
  send("UID SEARCH UNSEEN");
}

void ClientSession::fetch_round() {
  // Leave out what this session already has.
  std::sort(to_fetch_.begin(), to_fetch_.end());
  to_fetch_.erase(std::unique(to_fetch_.begin(), to_fetch_.end()), to_fetch_.end());
  std::vector<std::uint32_t> wanted;
  for (std::uint32_t uid : to_fetch_)
    if (!std::binary_search(seen_uids_.begin(), seen_uids_.end(), uid)) wanted.push_back(uid);
  if (state_ != State::Fetch && !wanted.empty()) {
    to_fetch_ = wanted;
    state_ = State::Fetch;
    return send("UID FETCH " + SequenceSet::format(to_fetch_) + " (UID BODY[])");
  }
  if (state_ == State::Fetch && config_.delete_after_fetch) {
    std::vector<std::uint32_t> done;
    for (std::uint32_t uid : to_fetch_)
      if (std::binary_search(seen_uids_.begin(), seen_uids_.end(), uid)) done.push_back(uid);
    if (!done.empty() && !config_.delete_to.empty()) {
      std::string target;
      append_astring(target, config_.delete_to, false);
      moving_ = done;
      state_ = has_capability("MOVE") ? State::Move : State::Copy;
      return send(std::string(state_ == State::Move ? "UID MOVE " : "UID COPY ") + SequenceSet::format(done) + " " +
                  target);
    }
    if (!done.empty()) {
      state_ = State::Store;
      return send("UID STORE " + SequenceSet::format(done) + " +FLAGS.SILENT (\\Deleted)");
    }
  }
  // More unseen mail than one round takes: what was fetched is \Seen now, ask again.
  if (capped_ && state_ != State::Search) return search();
  if (config_.idle && !stopping_ && has_capability("IDLE")) {
    state_ = State::Idle;
    new_mail_ = false;
    idle_confirmed_ = false;
    return send("IDLE");
  }
  finish(config_.idle && !stopping_ ? Status::Error : Status::Done, config_.idle && !stopping_ ? "no IDLE" : "");
}

}  // namespace maillab::imap
