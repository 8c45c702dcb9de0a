#include "protocols/auth/dkim_canon.hpp"


#include "base/ascii.hpp"

namespace maillab::auth {

std::string_view to_string(DkimCanon canon) { return canon == DkimCanon::Simple ? "simple" : "relaxed"; }

namespace {

bool wsp(char c) { return c == ' ' || c == '\t'; }

// Appends `line` (no CRLF) relaxed: WSP runs one SP, none at the end.
void relaxed_line(std::string& out, std::string_view line) {
  bool pending_space = false;
  for (char c : line) {
    if (wsp(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
}

}  // namespace

std::string canonical_header(std::string_view field, DkimCanon canon) {
  if (canon == DkimCanon::Simple) {
    std::string out(field);
    if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
    return out;
  }
  auto colon = field.find(':');
  std::string_view name = field.substr(0, colon);
  while (!name.empty() && (wsp(name.back()) || name.back() == '\r' || name.back() == '\n')) name.remove_suffix(1);
  std::string out;
  for (char c : name) {  // a malformed line (no colon) may hold line breaks: dropped
    if (c != '\r' && c != '\n') out += base::ascii_lower(c);
  }
  out += ':';
  if (colon == std::string_view::npos) return out + "\r\n";
  std::string unfolded;
  unfolded.reserve(field.size() - colon);
  for (std::size_t i = colon + 1; i < field.size(); ++i) {
    if (field[i] != '\r' && field[i] != '\n') unfolded += field[i];
  }
  std::string_view v = unfolded;
  while (!v.empty() && wsp(v.front())) v.remove_prefix(1);
  relaxed_line(out, v);
  return out + "\r\n";
}

std::string canonical_body(std::string_view body, DkimCanon canon) {
  std::string out;
  out.reserve(body.size() + 2);
  std::size_t pos = 0;
  std::size_t keep = 0;  // out's length up to the last non-empty line
  while (pos < body.size()) {
    auto eol = body.find("\r\n", pos);
    bool complete = eol != std::string_view::npos;
    std::string_view line = body.substr(pos, complete ? eol - pos : std::string_view::npos);
    pos = complete ? eol + 2 : body.size();
    const std::size_t line_start = out.size();
    if (canon == DkimCanon::Simple) {
      out += line;
    } else {
      relaxed_line(out, line);
    }
    bool empty = out.size() == line_start;
    out += "\r\n";
    if (!empty) keep = out.size();
  }
  out.resize(keep);
  if (out.empty() && canon == DkimCanon::Simple) out = "\r\n";
  return out;
}

std::vector<const message::HeaderField*> select_headers(const std::vector<message::HeaderField>& fields,
                                                        const std::vector<std::string>& names) {
  std::vector<const message::HeaderField*> out;
  std::vector<bool> used(fields.size(), false);
  for (const auto& name : names) {
    for (std::size_t i = fields.size(); i-- > 0;) {
      if (!used[i] && !fields[i].name.empty() && message::iequals(fields[i].name, name)) {
        used[i] = true;
        out.push_back(&fields[i]);
        break;
      }
    }
  }
  return out;
}

}  // namespace maillab::auth
