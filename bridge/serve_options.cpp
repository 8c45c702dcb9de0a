#include "bridge/serve_options.hpp"

#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <charconv>
#include <cmath>

#include "protocols/message/ascii.hpp"

namespace maillab::bridge {

namespace asio = boost::asio;

std::string RealEndpoint::str() const {
  bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

std::uint16_t virtual_port(scenario::Service s) {
  switch (s) {
    case scenario::Service::Smtp: return 25;
    case scenario::Service::Submission: return 587;
    case scenario::Service::Pop3: return 110;
    case scenario::Service::Dns: return 53;
    case scenario::Service::Imap: return 143;
    case scenario::Service::Smtps: return 465;
    case scenario::Service::Pop3s: return 995;
    case scenario::Service::Imaps: return 993;
    case scenario::Service::Http: return 80;
    case scenario::Service::Https: return 443;
  }
  return 0;
}

std::optional<scenario::Service> parse_service(std::string_view name) {
  for (auto s : {scenario::Service::Smtp, scenario::Service::Submission,
                 scenario::Service::Pop3, scenario::Service::Dns, scenario::Service::Imap,
                 scenario::Service::Smtps, scenario::Service::Pop3s, scenario::Service::Imaps,
                 scenario::Service::Http, scenario::Service::Https}) {
    if (scenario::service_name(s) == name) return s;
  }
  return std::nullopt;
}

std::optional<RealEndpoint> parse_endpoint(std::string_view text, std::string* error) {
  RealEndpoint e;
  std::string_view addr, port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      *error = "expected [IPv6]:PORT, found '" + std::string(text) + "'";
      return std::nullopt;
    }
    addr = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      *error = "expected ADDR:PORT (e.g. 127.0.0.1:2525), found '" + std::string(text) + "'";
      return std::nullopt;
    }
    addr = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  boost::system::error_code ec;
  auto parsed = asio::ip::make_address(std::string(addr), ec);
  if (ec) {
    *error = "expected a numeric IP address, found '" + std::string(addr) + "'";
    return std::nullopt;
  }
  unsigned value = 0;
  auto [end, perr] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || perr != std::errc() || end != port.data() + port.size() || value > 65535) {
    *error = "expected a port number 0-65535, found '" + std::string(port) + "'";
    return std::nullopt;
  }
  e.address = parsed.to_string();
  e.port = static_cast<std::uint16_t>(value);
  return e;
}

std::optional<ListenSpec> parse_listen(std::string_view text, std::string* error) {
  auto eq = text.find('=');
  std::string_view left = text.substr(0, eq);
  auto colon = left.rfind(':');
  if (eq == std::string_view::npos || colon == std::string_view::npos || colon == 0) {
    *error = "--listen: expected HOST:SERVICE=ADDR:PORT (e.g. mx.b.example:smtp=127.0.0.1:2525), "
             "found '" + std::string(text) + "'";
    return std::nullopt;
  }
  ListenSpec l;
  l.host = std::string(left.substr(0, colon));
  auto service = parse_service(left.substr(colon + 1));
  if (!service) {
    *error = "--listen " + std::string(text) + ": expected a service smtp, submission, smtps, "
             "pop3, pop3s, imap, imaps, http, https or dns, found '" + std::string(left.substr(colon + 1)) + "'";
    return std::nullopt;
  }
  l.service = *service;
  std::string why;
  auto at = parse_endpoint(text.substr(eq + 1), &why);
  if (!at) {
    *error = "--listen " + std::string(text) + ": " + why;
    return std::nullopt;
  }
  l.at = *at;
  return l;
}

std::optional<RouteSpec> parse_route(std::string_view text, std::string* error) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    *error = "--route: expected DOMAIN=ADDR:PORT (e.g. c.example=127.0.0.1:2526), found '" +
             std::string(text) + "'";
    return std::nullopt;
  }
  RouteSpec r;
  r.domain = message::ascii_lower(text.substr(0, eq));
  std::string why;
  auto to = parse_endpoint(text.substr(eq + 1), &why);
  if (!to) {
    *error = "--route " + std::string(text) + ": " + why;
    return std::nullopt;
  }
  if (to->port == 0) {
    *error = "--route " + std::string(text) + ": port 0 cannot be connected to";
    return std::nullopt;
  }
  r.to = *to;
  return r;
}

bool is_loopback(const std::string& numeric_address) {
  boost::system::error_code ec;
  auto a = asio::ip::make_address(numeric_address, ec);
  if (ec) return false;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).is_loopback();
  }
  return a.is_loopback();
}

std::string validate(const ServeOptions& o, const scenario::Scenario& s) {
  // Beyond these the clock arithmetic leaves int64 nanoseconds (1e19 never reached
  // --until): a billion simulated seconds per real one is 31 years a second already.
  if (!std::isfinite(o.speed) || o.speed < kMinSpeed || o.speed > kMaxSpeed)
    return "--speed: expected a number from 0.001 to 1e9 (simulated seconds per real second)";
  for (const auto& l : o.listen) {
    const scenario::Host* host = nullptr;
    for (const auto& h : s.hosts) {
      if (h.name == l.host) host = &h;
    }
    std::string what = "--listen " + l.host + ":" + std::string(scenario::service_name(l.service)) +
                       "=" + l.at.str();
    if (!host) return what + ": the scenario has no host '" + l.host + "'";
    bool runs = false;
    switch (l.service) {
      case scenario::Service::Smtp: runs = host->mta.has_value(); break;
      case scenario::Service::Submission: runs = host->mta && host->mta->submission; break;
      case scenario::Service::Pop3: runs = host->pop3; break;
      case scenario::Service::Dns: runs = host->dns.has_value(); break;
      case scenario::Service::Imap: runs = host->imap; break;
      case scenario::Service::Smtps: runs = host->mta && host->mta->smtps && host->tls; break;
      case scenario::Service::Pop3s: runs = host->pop3s; break;
      case scenario::Service::Imaps: runs = host->imaps; break;
      case scenario::Service::Http: runs = host->webmail.has_value(); break;
      case scenario::Service::Https: runs = host->webmail && host->tls; break;
    }
    if (!runs) {
      return what + ": host " + l.host + " runs no " +
             std::string(scenario::service_name(l.service)) + " service in the scenario";
    }
    if (!o.allow_nonlocal && !is_loopback(l.at.address)) {
      return what + ": " + l.at.address +
             " is not a loopback address (127.0.0.0/8, ::1); add --allow-nonlocal to bind it";
    }
  }
  for (const auto& r : o.routes) {
    if (!o.allow_nonlocal && !is_loopback(r.to.address)) {
      return "--route " + r.domain + "=" + r.to.str() + ": " + r.to.address +
             " is not a loopback address (127.0.0.0/8, ::1); add --allow-nonlocal to route to it";
    }
  }
  return "";
}

}  // namespace maillab::bridge
