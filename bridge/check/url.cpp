// check::Url parsing: scheme, userinfo, host (IPv4, [IPv6], name), port, path.
#include "bridge/check/url.hpp"

#include <cctype>

#include "protocols/message/ascii.hpp"

namespace maillab::check {

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string Url::authority() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<Url> parse_url(std::string_view text, std::string* error) {
  Url u;
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) {
    std::string message = "'";
    message += text;
    message += "' is not a URL: expected smtp://, smtps://, pop3://, pop3s://, imap://, imaps:// or dns://";
    fail(error, std::move(message));
    return std::nullopt;
  }
  const std::string scheme = message::ascii_lower(text.substr(0, sep));
  if (scheme == "smtp") {
    u.scheme = Url::Scheme::Smtp;
    u.port = 25;
  } else if (scheme == "pop3" || scheme == "pop") {
    u.scheme = Url::Scheme::Pop3;
    u.port = 110;
  } else if (scheme == "imap") {
    u.scheme = Url::Scheme::Imap;
    u.port = 143;
  } else if (scheme == "smtps") {
    u.scheme = Url::Scheme::Smtp;
    u.port = 465;
    u.tls = Url::Tls::Implicit;
  } else if (scheme == "pop3s" || scheme == "pops") {
    u.scheme = Url::Scheme::Pop3;
    u.port = 995;
    u.tls = Url::Tls::Implicit;
  } else if (scheme == "imaps") {
    u.scheme = Url::Scheme::Imap;
    u.port = 993;
    u.tls = Url::Tls::Implicit;
  } else if (scheme == "dns") {
    u.scheme = Url::Scheme::Dns;
    u.port = 53;
    u.tls = Url::Tls::Off;
  } else {
    fail(error, "unknown scheme '" + scheme + "': expected smtp, smtps, pop3, pop3s, imap, imaps or dns");
    return std::nullopt;
  }
  std::string_view rest = text.substr(sep + 3);
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);

  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const auto colon = userinfo.find(':');
    auto user = percent_decode(userinfo.substr(0, colon));
    auto pass = percent_decode(colon == std::string_view::npos ? std::string_view{} : userinfo.substr(colon + 1));
    if (!user || !pass) {
      fail(error, "bad percent-encoding in the user or password of the URL");
      return std::nullopt;
    }
    u.user = *user;
    u.password = *pass;
    u.has_credentials = true;
  }

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      fail(error, "unterminated '[' in the host of the URL");
      return std::nullopt;
    }
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        fail(error, "expected ':PORT' after ']' in the URL");
        return std::nullopt;
      }
      port_text = after.substr(1);
      if (port_text.empty()) {
        fail(error, "empty port in the URL");
        return std::nullopt;
      }
    }
    if (u.host.empty() || u.host.find(':') == std::string::npos) {
      fail(error, "'[" + u.host + "]' is not an IPv6 address");
      return std::nullopt;
    }
  } else {
    const auto colon = authority.find(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) {
        fail(error, "empty port in the URL");
        return std::nullopt;
      }
    }
  }
  if (u.host.empty()) {
    fail(error, "no host in the URL");
    return std::nullopt;
  }
  for (char c : u.host) {
    const auto uc = static_cast<unsigned char>(c);
    if (!(std::isalnum(uc) || c == '.' || c == '-' || c == ':' || c == '_' || c == '%')) {
      fail(error, "bad character in the host '" + u.host + "'");
      return std::nullopt;
    }
  }
  if (!port_text.empty()) {
    unsigned long port = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9' || port > 65535) {
        fail(error, "bad port '" + std::string(port_text) + "' in the URL");
        return std::nullopt;
      }
      port = port * 10 + static_cast<unsigned long>(c - '0');
    }
    if (port == 0 || port > 65535) {
      fail(error, "port " + std::string(port_text) + " is out of range (1-65535)");
      return std::nullopt;
    }
    u.port = static_cast<std::uint16_t>(port);
  }
  auto decoded_path = percent_decode(path);
  if (!decoded_path) {
    fail(error, "bad percent-encoding in the path of the URL");
    return std::nullopt;
  }
  u.path = *decoded_path;
  if (u.scheme == Url::Scheme::Dns) {
    while (!u.path.empty() && u.path.back() == '/') u.path.pop_back();
    if (u.path.empty()) {
      fail(error, "a dns:// URL needs the zone as its path: dns://HOST[:PORT]/ZONE");
      return std::nullopt;
    }
  } else if (!u.path.empty()) {
    fail(error, "an " + scheme + ":// URL takes no path ('/" + u.path + "')");
    return std::nullopt;
  }
  return u;
}

}  // namespace maillab::check
