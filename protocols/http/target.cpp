#include "protocols/http/target.hpp"

#include "protocols/http/fields.hpp"

namespace maillab::http {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

namespace {

bool dot_segment(std::string_view s) { return s == "." || s == ".."; }

// RFC 9112 3.2.2: absolute-form. Returns the part from the path on ("" when the URI has
// none), or nullopt when `t` is not an http(s) URI.
std::optional<std::string_view> strip_scheme_authority(std::string_view t) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (t.size() >= scheme.size() && iequals(t.substr(0, scheme.size()), scheme)) {
      t.remove_prefix(scheme.size());
      const auto end = t.find_first_of("/?");
      if (end == 0) return std::nullopt;  // no authority
      return end == std::string_view::npos ? std::string_view() : t.substr(end);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return std::nullopt;
    out += c;
  }
  return out;
}

std::optional<Query> parse_form(std::string_view s) {
  Query q;
  while (!s.empty()) {
    const auto amp = s.find('&');
    const std::string_view part = s.substr(0, amp);
    s = amp == std::string_view::npos ? std::string_view() : s.substr(amp + 1);
    if (part.empty()) continue;
    const auto eq = part.find('=');
    auto name = percent_decode(part.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1), true);
    if (!name || !value) return std::nullopt;
    q.emplace_back(std::move(*name), std::move(*value));
  }
  return q;
}

std::optional<std::string_view> query_value(const Query& q, std::string_view name) {
  for (const auto& [k, v] : q) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<Target> parse_target(std::string_view t) {
  if (t.empty() || t.find('#') != std::string_view::npos) return std::nullopt;
  if (t.front() != '/') {
    const auto rest = strip_scheme_authority(t);
    if (!rest) return std::nullopt;
    t = rest->empty() ? std::string_view("/") : *rest;
    if (t.front() == '?') return std::nullopt;  // "http://host?q": no path
  }
  Target out;
  const auto qmark = t.find('?');
  std::string_view path = t.substr(0, qmark);
  if (qmark != std::string_view::npos) {
    out.raw_query = std::string(t.substr(qmark + 1));
    auto q = parse_form(out.raw_query);
    if (!q) return std::nullopt;
    out.query = std::move(*q);
  }
  path.remove_prefix(1);  // the leading '/'
  if (!path.empty()) {
    for (;;) {
      const auto slash = path.find('/');
      const std::string_view raw = path.substr(0, slash);
      auto seg = percent_decode(raw);
      if (!seg || dot_segment(raw) || dot_segment(*seg) || seg->find('/') != std::string::npos) return std::nullopt;
      out.segments.push_back(std::move(*seg));
      if (slash == std::string_view::npos) break;
      path.remove_prefix(slash + 1);
    }
  }
  out.path = "/";
  for (std::size_t i = 0; i < out.segments.size(); ++i) {
    if (i > 0) out.path += '/';
    out.path += out.segments[i];
  }
  return out;
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

}  // namespace maillab::http
