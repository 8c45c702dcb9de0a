// ServerSession: the commands of any state and of the not-authenticated state
// (RFC 9051 6.1, 6.2), ENABLE (6.3.1), ID (RFC 2971), IDLE's end (RFC 2177).
#include "protocols/imap/server_session.hpp"

#include "protocols/imap/ascii_case.hpp"
#include "protocols/imap/wire_format.hpp"
#include "protocols/message/base64.hpp"
#include "protocols/message/sasl_plain.hpp"

namespace maillab::imap {
namespace {

constexpr std::size_t kMaxIdPairs = 30;  // RFC 2971 3.3

}  // namespace

void ServerSession::cmd_capability(Parser& p) {
  if (!p.end()) return syntax_error(p);
  untagged("CAPABILITY " + capabilities());
  complete("OK", "Capability completed.");
}

void ServerSession::cmd_noop(Parser& p) {
  if (!p.end()) return syntax_error(p);
  complete("OK", "NOOP completed.");
}

void ServerSession::cmd_check(Parser& p) {
  if (!p.end()) return syntax_error(p);
  complete("OK", "Check completed.");
}

void ServerSession::cmd_logout(Parser& p) {
  if (!p.end()) return syntax_error(p);
  untagged("BYE Logging out");
  tagged("OK", "Logout completed.");
  close();
}

void ServerSession::cmd_id(Parser& p) {
  // RFC 2971 3.1: ID ("name" "value" ...) or ID NIL; the values are only for logs.
  if (!p.sp()) return syntax_error(p);
  if (!p.take_word("NIL")) {
    if (!p.take('(')) return syntax_error(p);
    std::size_t pairs = 0;
    while (!p.take(')')) {
      if (pairs > 0 && !p.sp()) return syntax_error(p);
      auto field = p.string();
      if (!field || !p.sp() || !p.nstring() || ++pairs > kMaxIdPairs) return syntax_error(p);
    }
  }
  if (!p.end()) return syntax_error(p);
  if (config_.implementation.empty()) {
    untagged("ID NIL");
  } else {
    std::string line = "ID (\"name\" ";
    append_string(line, config_.implementation, false);
    line += ")";
    untagged(line);
  }
  complete("OK", "ID completed.");
}

void ServerSession::cmd_starttls(Parser& p) {
  if (!p.end()) return syntax_error(p);
  if (tls_) return bad("TLS is already active.");
  if (!config_.starttls) return bad("TLS support isn't enabled.");
  tagged("OK", "Begin TLS negotiation now.");
  // RFC 9051 6.2.1 / CVE-2011-0411: nothing the client sent before the handshake counts.
  reader_.clear();
  starttls_requested_ = true;
}

void ServerSession::cmd_login(Parser& p) {
  std::optional<std::string> user, password;
  if (!p.sp() || !(user = p.astring()) || !p.sp() || !(password = p.astring()) || !p.end()) return syntax_error(p);
  if (!config_.plaintext_auth && !tls_) {
    return tagged("NO", "[PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.");
  }
  if (user->empty() || password->empty() || !handler_.check_password(*user, *password)) return auth_failed(*user);
  login(*user);
}

void ServerSession::cmd_authenticate(Parser& p) {
  if (!p.sp()) return syntax_error(p);
  auto mechanism = p.atom();
  if (!mechanism) return syntax_error(p);
  std::optional<std::string> initial;
  if (p.take(' ')) {
    // SASL-IR (RFC 4959): base64 (atom characters) or "=" for an empty response.
    auto word = p.atom();
    if (!word) return syntax_error(p);
    initial = *word == "=" ? std::string() : std::string(*word);
  }
  if (!p.end()) return syntax_error(p);
  if (!iequals(*mechanism, "PLAIN")) return tagged("NO", "Unsupported authentication mechanism.");
  if (!config_.plaintext_auth && !tls_) {
    return tagged("NO", "[PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.");
  }
  if (initial) return sasl_plain(*initial);
  mode_ = Mode::SaslResponse;
  reader_.set_line_mode(true);
  output_ += "+ \r\n";  // PLAIN's challenge is empty (RFC 4616)
}

void ServerSession::handle_line(const std::string& line) {
  if (mode_ == Mode::SaslResponse) {
    mode_ = Mode::Command;
    reader_.set_line_mode(false);
    if (line == "*") tagged("BAD", "Authentication aborted by client.");  // RFC 9051 6.2.2
    else sasl_plain(line);
    finish_command();
    return;
  }
  if (mode_ == Mode::Idle) {
    mode_ = Mode::Command;
    reader_.set_line_mode(false);
    // RFC 2177 3: the client ends IDLE with DONE; anything else is a protocol error.
    if (iequals(line, "DONE")) complete("OK", "Idle completed.");
    else bad("Expected DONE.");
    finish_command();
  }
}

void ServerSession::sasl_plain(std::string_view base64) {
  const auto decoded = message::base64_decode(base64);
  if (!decoded) return tagged("BAD", "Invalid base64 data in continued response.");
  const auto plain = message::parse_sasl_plain(*decoded);
  if (!plain) return auth_failed("");
  const std::string authcid(plain->user);
  if (authcid.empty() || plain->password.empty() || plain->proxy() || !handler_.check_password(authcid, plain->password))
    return auth_failed(authcid);
  login(authcid);
}

void ServerSession::auth_failed(std::string_view user) {
  ++auth_failures_;
  handler_.on_auth_failure(user);
  if (config_.auth_failure_delay.count() > 0) {
    // Dovecot's auth_failure_delay: the NO waits, and so does anything sent after it.
    mode_ = Mode::Delaying;
    held_until_ = handler_.now_ns() + static_cast<std::int64_t>(config_.auth_failure_delay.count()) * 1'000'000;
  }
  tagged("NO", "[AUTHENTICATIONFAILED] Authentication failed.");
  if (mode_ != Mode::Delaying && config_.max_auth_failures > 0 && auth_failures_ >= config_.max_auth_failures) {
    bye_and_close("Too many invalid authentication attempts.");
  }
}

void ServerSession::login(const std::string& user) {
  mda::MailboxStore* store = handler_.open_store(user);
  if (store == nullptr || store->ensure_user(user, handler_.now_ns()) != mda::StoreResult::Ok) {
    return tagged("NO", "[UNAVAILABLE] Temporary authentication failure.");
  }
  store_ = store;
  user_ = user;
  state_ = State::Authenticated;
  store_->watch(this);
  handler_.on_login(user);
  tagged("OK", "[CAPABILITY " + capabilities() + "] Logged in");
}

void ServerSession::cmd_enable(Parser& p) {
  // RFC 5161 3.1: ENABLE SP capability *(SP capability); unknown ones are ignored.
  if (!p.sp()) return syntax_error(p);
  std::string enabled;
  for (;;) {
    auto cap = p.atom();
    if (!cap) return syntax_error(p);
    if (iequals(*cap, "IMAP4rev2") && !rev2_) {
      rev2_ = true;
      enabled += " IMAP4rev2";
    } else if (iequals(*cap, "UTF8=ACCEPT") && !utf8_accept_) {
      utf8_accept_ = true;
      enabled += " UTF8=ACCEPT";
    }
    if (p.at_end()) break;
    if (!p.sp()) return syntax_error(p);
  }
  untagged("ENABLED" + enabled);
  complete("OK", "Enabled.");
}

void ServerSession::cmd_idle(Parser& p) {
  if (!p.end()) return syntax_error(p);
  // Updates so far first, then the continuation (RFC 2177 3).
  if (state_ == State::Selected && !sync_selected(true)) return;
  mode_ = Mode::Idle;
  reader_.set_line_mode(true);
  output_ += "+ idling\r\n";
}

}  // namespace maillab::imap
