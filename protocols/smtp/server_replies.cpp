#include "protocols/smtp/server_replies.hpp"

#include "protocols/smtp/server_config.hpp"

namespace maillab::smtp {

std::string greeting_text(std::string_view hostname) { return std::string(hostname) + " ESMTP maillab"; }

void append_ehlo_keywords(const ServerConfig& config, ReplyLines& lines, bool tls_on) {
  // 4.1.1.1 ehlo-ok-rsp: one keyword line per extension (Postfix's order).
  if (config.pipelining) lines.push_back("PIPELINING");
  lines.push_back(config.size_limit ? "SIZE " + std::to_string(config.size_limit) : "SIZE");
  if (config.starttls && !tls_on) lines.push_back("STARTTLS");  // RFC 3207 4.2: not again inside TLS
  if (!config.auth_mechanisms.empty() && (tls_on || !config.tls_auth_only)) {
    std::string auth = "AUTH";
    for (const auto& m : config.auth_mechanisms) auth += ' ' + m;
    lines.push_back(auth);
  }
  if (config.enhanced_status_codes) lines.push_back("ENHANCEDSTATUSCODES");
  if (config.eightbitmime) lines.push_back("8BITMIME");
  if (config.dsn) lines.push_back("DSN");
  if (config.smtputf8) lines.push_back("SMTPUTF8");
  if (config.chunking) lines.push_back("CHUNKING");
}

std::shared_ptr<const ServerReplies> make_server_replies(const ServerConfig& config) {
  const std::string_view host = config.hostname.empty() ? kDefaultHostname : std::string_view(config.hostname);
  Reply ehlo{250, "", {host}};
  append_ehlo_keywords(config, ehlo.lines);
  Reply ehlo_tls{250, "", {host}};
  append_ehlo_keywords(config, ehlo_tls.lines, true);
  return std::make_shared<const ServerReplies>(ServerReplies{
      PreparedReply(Reply{220, "", {greeting_text(host)}}),
      PreparedReply(std::move(ehlo)),
      PreparedReply(std::move(ehlo_tls)),
      PreparedReply(Reply{354, "", {"End data with <CR><LF>.<CR><LF>"}}),
      PreparedReply(Reply::make(221, "2.0.0", "Bye")),
  });
}

}  // namespace maillab::smtp
