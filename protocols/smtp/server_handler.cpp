#include "protocols/smtp/server_handler.hpp"

namespace maillab::smtp {

Reply ServerHandler::greeting() { return Reply{220, "", {}}; }
Reply ServerHandler::on_helo(std::string_view, bool) { return Reply{250, "", {}}; }
Reply ServerHandler::on_mail(const Envelope&, const Path&, const MailParams&) {
  return Reply::make(250, "2.1.0", "Ok");
}
Reply ServerHandler::on_rcpt(const Envelope&, const Recipient&) { return Reply::make(250, "2.1.5", "Ok"); }
Reply ServerHandler::on_data(const Envelope&) { return Reply{354, "", {}}; }  // the engine's standard text
Reply ServerHandler::on_message(const Envelope&, std::string) { return Reply::make(250, "2.0.0", "Ok: queued"); }
bool ServerHandler::authenticate(std::string_view, std::string_view) { return false; }
Reply ServerHandler::before_auth() { return Reply{250, "", {}}; }
std::optional<message::ScramVerifier> ServerHandler::scram_verifier(std::string_view) { return std::nullopt; }
std::string ServerHandler::scram_nonce() { return {}; }
void ServerHandler::on_auth_result(std::string_view, bool) {}
void ServerHandler::on_exchange(std::string_view, const Reply&) {}
void ServerHandler::on_tls_started(const tls::HandshakeInfo&) {}
void ServerHandler::on_close_requested() {}
void ServerHandler::on_abandoned() {}

}  // namespace maillab::smtp
