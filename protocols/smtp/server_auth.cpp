// ServerSession: AUTH (RFC 4954) with the PLAIN (RFC 4616), LOGIN
// (draft-murchison-sasl-login) and SCRAM-SHA-256 (RFC 7677) mechanisms. PLAIN and LOGIN
// credentials go to ServerHandler::authenticate; SCRAM proofs are checked here against
// ServerHandler::scram_verifier. The trace never shows credentials ("****").
#include "base/ascii.hpp"
#include "protocols/smtp/server_session.hpp"

#include <optional>
#include <string>

#include "protocols/message/base64.hpp"
#include "protocols/message/sasl_plain.hpp"
#include "protocols/message/sasl_scram.hpp"
#include "protocols/smtp/text_scan.hpp"

namespace maillab::smtp {
namespace {

constexpr std::size_t kAuthLineMax = 12288;  // RFC 4954 4: lines of at least 12288 octets

// RFC 4954 4: "=" is an empty initial response.
std::optional<std::string> decode(std::string_view text) {
  if (text == "=") return std::string{};
  return message::base64_decode(text);
}

Reply cannot_decode() { return Reply::make(501, "5.5.2", "Cannot Base64-decode Client responses"); }
Reply auth_failed() { return Reply::make(535, "5.7.8", "Error: authentication failed"); }  // RFC 4954 6

constexpr int kScramIterations = 4096;  // RFC 7677 4: at least 4096

}  // namespace

void ServerSession::cmd_auth(std::string_view args) {
  if (config_.auth_mechanisms.empty() || !envelope_.esmtp || (config_.tls_auth_only && !tls_on_))
    return answer(Reply::make(503, "5.5.1", "Error: authentication not enabled"));
  // RFC 4954 4: "After a successful AUTH command completes, a server MUST reject any
  // further AUTH commands with a 503 reply."
  if (!envelope_.auth_user.empty()) return answer(Reply::make(503, "5.5.1", "Error: already authenticated"));
  const std::string_view mech_text = args.substr(0, args.find(' '));
  std::string_view initial = args.substr(mech_text.size());
  while (!initial.empty() && initial.front() == ' ') initial.remove_prefix(1);
  trace_line_ = trace_buf_ = "AUTH " + base::ascii_upper(mech_text) + (initial.empty() ? "" : " ****");
  if (mech_text.empty()) return answer(syntax_error());
  const std::string mech = base::ascii_upper(mech_text);
  bool offered = false;
  for (const auto& m : config_.auth_mechanisms) offered = offered || base::ascii_upper(m) == mech;
  const bool scram = mech == "SCRAM-SHA-256";
  if (!offered || (mech != "PLAIN" && mech != "LOGIN" && !scram))
    return answer(Reply::make(504, "5.5.4", "Unrecognized authentication type"));
  if (Reply gate = handler_.before_auth(); !gate.positive_completion()) return answer(std::move(gate));

  auto expect = [this](AuthStep step, std::string_view challenge) { auth_continue(step, challenge); };
  if (scram) {
    if (initial.empty()) return expect(AuthStep::ScramFirst, "");
    auto decoded = decode(initial);
    if (!decoded) return answer(cannot_decode());
    return scram_step(AuthStep::ScramFirst, *decoded);
  }
  if (mech == "PLAIN") {
    if (initial.empty()) return expect(AuthStep::Plain, "");  // RFC 4954 4: "334 " SP
    auto decoded = decode(initial);
    if (!decoded) return answer(cannot_decode());
    return auth_plain(*decoded);
  }
  if (initial.empty()) return expect(AuthStep::LoginUser, "VXNlcm5hbWU6");  // "Username:"
  auto user = decode(initial);
  if (!user) return answer(cannot_decode());
  auth_login_user_ = *user;
  expect(AuthStep::LoginPassword, "UGFzc3dvcmQ6");  // "Password:"
}

void ServerSession::auth_response(std::string_view line) {
  const AuthStep step = auth_step_;
  auth_step_ = AuthStep::None;
  state_ = State::Ready;
  lines_.set_max(config_.max_line);
  // RFC 4954 4: "*" cancels the exchange with 501.
  if (line == "*") {
    scram_.reset();
    return answer(Reply::make(501, "5.7.0", "Authentication aborted"));
  }
  auto decoded = decode(line);
  if (!decoded) {
    scram_.reset();
    return answer(cannot_decode());
  }
  switch (step) {
    case AuthStep::Plain:
      return auth_plain(*decoded);
    case AuthStep::LoginUser:
      auth_login_user_ = std::move(*decoded);
      return auth_continue(AuthStep::LoginPassword, "UGFzc3dvcmQ6");
    case AuthStep::LoginPassword:
      return auth_done(auth_login_user_, *decoded);
    case AuthStep::ScramFirst:
    case AuthStep::ScramFinal:
    case AuthStep::ScramAck:
      return scram_step(step, *decoded);
    case AuthStep::None:
      break;
  }
  answer(Reply::make(503, "5.5.1", "Error: bad sequence of commands"));
}

void ServerSession::auth_continue(AuthStep step, std::string_view challenge) {
  auth_step_ = step;
  state_ = State::Auth;
  lines_.set_max(kAuthLineMax);
  answer(Reply{334, "", {std::string(challenge)}});
}

// SCRAM-SHA-256 (RFC 5802 5): client-first -> 334 server-first; client-final -> 334
// server-final when the proof holds; the client's empty response -> 235.
void ServerSession::scram_step(AuthStep step, std::string_view decoded) {
  if (step != AuthStep::ScramFirst && !scram_) step = AuthStep::None;
  switch (step) {
    case AuthStep::ScramFirst: {
      auto first = message::parse_scram_client_first(decoded);
      if (!first) return answer(auth_failed());
      std::string nonce = handler_.scram_nonce();
      if (nonce.empty()) return answer(Reply::make(504, "5.5.4", "Unrecognized authentication type"));
      auto s = std::make_unique<Scram>();
      auto verifier = handler_.scram_verifier(first->user);
      s->known = verifier.has_value();
      // An unknown user gets a salt made as a real one is, and the same work.
      s->verifier = verifier ? std::move(*verifier)
                             : message::scram_sha256_verifier(
                                   nonce, message::scram_salt(config_.hostname, first->user), kScramIterations);
      s->server_first = message::scram_server_first(*first, nonce, s->verifier);
      s->client = std::move(*first);
      scram_ = std::move(s);
      return auth_continue(AuthStep::ScramFinal, message::base64_encode(scram_->server_first));
    }
    case AuthStep::ScramFinal: {
      auto final_msg = message::parse_scram_client_final(decoded);
      std::optional<std::string> proven;
      if (final_msg) proven = message::scram_verify(scram_->verifier, scram_->client, scram_->server_first, *final_msg);
      const bool ok = proven && scram_->known;
      handler_.on_auth_result(scram_->client.user, ok);
      if (!ok) {
        scram_.reset();
        return answer(auth_failed());
      }
      scram_->server_final = std::move(*proven);
      return auth_continue(AuthStep::ScramAck, message::base64_encode(scram_->server_final));
    }
    case AuthStep::ScramAck: {
      // RFC 4954 4: the client answers the server's last data with an empty response.
      const std::string user = std::move(scram_->client.user);
      scram_.reset();
      if (!decoded.empty()) return answer(auth_failed());
      envelope_.auth_user = user;
      return answer(Reply::make(235, "2.7.0", "Authentication successful"));
    }
    default:
      break;
  }
  scram_.reset();
  answer(Reply::make(503, "5.5.1", "Error: bad sequence of commands"));
}

void ServerSession::auth_plain(std::string_view decoded) {
  // Acting for another identity (authzid != authcid) is not supported.
  const auto plain = message::parse_sasl_plain(decoded);
  if (!plain || plain->proxy()) return answer(auth_failed());
  auth_done(plain->user, plain->password);
}

void ServerSession::auth_done(std::string_view user_view, std::string_view password) {
  const std::string user(user_view);  // may point into auth_login_user_
  auth_login_user_.clear();
  // An empty password never authenticates, whatever the handler would say (issue 15); an
  // identity with a control byte names no user and must not reach a log or a header.
  if (user.empty() || password.empty() || !detail::printable_ascii(user) ||
      !handler_.authenticate(user, password))
    return answer(auth_failed());
  envelope_.auth_user.assign(user);
  answer(Reply::make(235, "2.7.0", "Authentication successful"));
}

}  // namespace maillab::smtp
