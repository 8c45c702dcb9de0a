#include "protocols/message/mime.hpp"

#include <cctype>

#include "protocols/message/ascii.hpp"

namespace maillab::message {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Removes comments outside quoted strings; splits on ';' outside quoted strings.
std::vector<std::string> split_params(std::string_view v) {
  std::vector<std::string> out(1);
  bool quoted = false;
  int depth = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (quoted) {
      out.back() += c;
      if (c == '\\' && i + 1 < v.size()) out.back() += v[++i];
      else if (c == '"') quoted = false;
      continue;
    }
    if (depth > 0) {
      if (c == '\\') ++i;
      else if (c == '(') ++depth;
      else if (c == ')') --depth;
      continue;
    }
    if (c == '(') { depth = 1; continue; }
    if (c == '"') quoted = true;
    if (c == ';') { out.emplace_back(); continue; }
    out.back() += c;
  }
  return out;
}

std::string unquote(std::string_view v) {
  v = trim(v);
  if (v.size() < 2 || v.front() != '"') return std::string(v);
  std::string out;
  for (std::size_t i = 1; i < v.size(); ++i) {
    if (v[i] == '"') break;
    if (v[i] == '\\' && i + 1 < v.size()) ++i;
    out += v[i];
  }
  return out;
}

// "token; name=value; ...": the lowercased, space-free token and the parameters.
std::string parse_params(std::string_view value, ContentType& ct) {
  std::vector<std::string> parts = split_params(value);
  std::string compact;
  for (char c : ascii_lower(trim(parts[0])))
    if (!std::isspace(static_cast<unsigned char>(c))) compact += c;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    std::size_t eq = p.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name = ascii_lower(trim(p.substr(0, eq)));
    if (name.empty()) continue;
    std::string v = unquote(p.substr(eq + 1));
    if (ct.params.emplace(name, v).second) ct.ordered.emplace_back(std::move(name), std::move(v));
  }
  return compact;
}

}  // namespace

std::optional<std::string> ContentType::param(const std::string& name) const {
  auto it = params.find(ascii_lower(name));
  if (it == params.end()) return std::nullopt;
  return it->second;
}

ContentType parse_content_type(std::string_view value) {
  ContentType ct;
  std::string compact = parse_params(value, ct);
  std::size_t slash = compact.find('/');
  if (slash != std::string::npos && slash > 0 && slash + 1 < compact.size()) ct.type = compact;
  return ct;
}

ContentType parse_disposition(std::string_view value) {
  ContentType ct;
  ct.type = parse_params(value, ct);
  return ct;
}

std::vector<std::string_view> split_multipart(std::string_view body, std::string_view boundary) {
  std::vector<std::string_view> parts;
  if (boundary.empty()) return parts;
  const std::string dash = "--" + std::string(boundary);
  bool in_part = false;
  std::size_t part_start = 0;
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t nl = body.find('\n', pos);
    std::size_t line_end = nl == std::string_view::npos ? body.size() : nl + 1;
    std::string_view line = body.substr(pos, line_end - pos);
    std::string_view text = line;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if (text.compare(0, dash.size(), dash) == 0) {
      std::string_view rest = text.substr(dash.size());
      bool close = rest.compare(0, 2, "--") == 0;
      if (close) rest.remove_prefix(2);
      if (trim(rest).empty()) {
        if (in_part) {
          // The line break before the delimiter line is part of the delimiter.
          std::size_t end = pos;
          if (end > part_start && body[end - 1] == '\n') --end;
          if (end > part_start && body[end - 1] == '\r') --end;
          parts.push_back(body.substr(part_start, end - part_start));
        }
        if (close) return parts;
        in_part = true;
        part_start = line_end;
      }
    }
    pos = line_end;
  }
  if (in_part) parts.push_back(body.substr(part_start));
  return parts;
}

}  // namespace maillab::message
