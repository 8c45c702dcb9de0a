#include "protocols/message/message.hpp"

#include <algorithm>
#include <cctype>

namespace maillab::message {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

// A line including its terminator ("\n" or "\r\n"; the last line may have none).
std::string_view next_line(std::string_view in, std::size_t pos) {
  std::size_t nl = in.find('\n', pos);
  return in.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos + 1);
}

bool is_empty_line(std::string_view line) { return line == "\r\n" || line == "\n"; }

// The field name when `line` starts a field (`ftext+ [WSP] ":"`), else nullopt.
std::optional<std::string> field_name(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size()) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c < 33 || c > 126 || c == ':') break;
    ++i;
  }
  if (i == 0) return std::nullopt;
  std::size_t j = i;
  while (j < line.size() && is_wsp(line[j])) ++j;  // obs-optional (RFC 5322 4.5)
  if (j >= line.size() || line[j] != ':') return std::nullopt;
  return std::string(line.substr(0, i));
}

std::string_view trim_wsp(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

// Greedy fold of one logical line (no line ending inside); `keep` is how many leading
// octets may not be broken (the "Name:" part, or a continuation's leading WSP).
void fold_line(std::string_view line, std::size_t keep, std::string_view eol, std::string& out) {
  while (line.size() > kFoldLimit) {
    std::size_t lead = 0;
    while (lead < line.size() && is_wsp(line[lead])) ++lead;
    const std::size_t min_break = std::max(keep, lead) + 1;
    auto good = [&](std::size_t i) {
      if (!is_wsp(line[i]) || i < min_break) return false;
      // Never leave a continuation line of whitespace only.
      for (std::size_t k = i; k < line.size(); ++k)
        if (!is_wsp(line[k])) return true;
      return false;
    };
    std::size_t brk = std::string_view::npos;
    for (std::size_t i = std::min(kFoldLimit, line.size() - 1); i >= min_break && i > 0; --i)
      if (good(i)) { brk = i; break; }
    if (brk == std::string_view::npos)
      for (std::size_t i = kFoldLimit + 1; i < line.size(); ++i)
        if (good(i)) { brk = i; break; }
    if (brk == std::string_view::npos) break;  // one long word: cannot fold
    out.append(line.substr(0, brk));
    out.append(eol);
    line.remove_prefix(brk);
    keep = 0;
  }
  out.append(line);
  out.append(eol);
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string fold_field(std::string_view name, std::string_view value, std::string_view eol) {
  std::string out;
  std::string first(name);
  first += ": ";
  const std::size_t keep = first.size() - 1;
  // Split at the line breaks the caller put in the value.
  bool is_first = true;
  std::size_t pos = 0;
  while (true) {
    std::size_t nl = value.find('\n', pos);
    std::string_view seg = value.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (!seg.empty() && seg.back() == '\r') seg.remove_suffix(1);
    if (is_first) {
      first.append(seg);
      fold_line(first, keep, eol, out);
      is_first = false;
    } else if (!trim_wsp(seg).empty()) {
      std::string cont;
      if (!is_wsp(seg.front())) cont += '\t';
      cont.append(seg);
      fold_line(cont, 0, eol, out);
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return out;
}

std::string unfold_value(std::string_view raw) {
  std::size_t colon = raw.find(':');
  if (colon == std::string_view::npos) return {};
  std::string out;
  for (std::size_t i = colon + 1; i < raw.size(); ++i) {
    if (raw[i] == '\n') continue;
    if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') continue;
    out += raw[i];
  }
  return std::string(trim_wsp(out));
}

Message Message::parse(std::string_view in) {
  Message m;
  if (in.empty()) return m;
  std::string_view first = next_line(in, 0);
  if (first.size() >= 2 && first[first.size() - 2] == '\r' && first.back() == '\n') m.eol_ = "\r\n";
  else if (!first.empty() && first.back() == '\n') m.eol_ = "\n";
  if (!is_empty_line(first) && !field_name(first)) {
    m.body_ = std::string(in);  // no header section at all
    return m;
  }
  std::size_t pos = 0;
  while (pos < in.size()) {
    std::string_view line = next_line(in, pos);
    pos += line.size();
    if (is_empty_line(line)) {
      m.separator_ = std::string(line);
      m.body_ = std::string(in.substr(pos));
      return m;
    }
    if (is_wsp(line.front()) && !m.fields_.empty()) {
      m.fields_.back().raw.append(line);
      continue;
    }
    HeaderField f;
    if (auto name = field_name(line)) f.name = std::move(*name);
    f.raw = std::string(line);
    m.fields_.push_back(std::move(f));
  }
  return m;
}

std::string Message::serialize() const {
  std::string out = header_section();
  out += separator_;
  out += body_;
  return out;
}

std::string Message::header_section() const {
  std::string out;
  for (const auto& f : fields_) out += f.raw;
  return out;
}

std::optional<std::string> Message::header(std::string_view name) const {
  if (name.empty()) return std::nullopt;
  for (const auto& f : fields_)
    if (iequals(f.name, name)) return unfold_value(f.raw);
  return std::nullopt;
}

std::vector<std::string> Message::headers(std::string_view name) const {
  std::vector<std::string> out;
  if (name.empty()) return out;
  for (const auto& f : fields_)
    if (iequals(f.name, name)) out.push_back(unfold_value(f.raw));
  return out;
}

std::size_t Message::count(std::string_view name) const {
  if (name.empty()) return 0;
  return static_cast<std::size_t>(
      std::count_if(fields_.begin(), fields_.end(), [&](const HeaderField& f) { return iequals(f.name, name); }));
}

// Before adding a field: the last field must end its line, and a message that was all
// body (or empty but for a body) needs the empty line that starts its body.
void Message::ensure_section_ready() {
  if (!fields_.empty() && !fields_.back().raw.empty() && fields_.back().raw.back() != '\n')
    fields_.back().raw += eol_;
  if (separator_.empty() && (fields_.empty() || !body_.empty())) separator_ = eol_;
}

void Message::prepend_header(std::string_view name, std::string_view value) {
  ensure_section_ready();
  fields_.insert(fields_.begin(), HeaderField{std::string(name), fold_field(name, value, eol_)});
}

void Message::add_header(std::string_view name, std::string_view value) {
  ensure_section_ready();
  fields_.push_back(HeaderField{std::string(name), fold_field(name, value, eol_)});
}

void Message::remove_headers(std::string_view name) {
  if (name.empty()) return;
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const HeaderField& f) { return iequals(f.name, name); }),
                fields_.end());
}

void Message::set_body(std::string body) {
  body_ = std::move(body);
  if (separator_.empty() && !fields_.empty() && !body_.empty()) {
    if (fields_.back().raw.back() != '\n') fields_.back().raw += eol_;
    separator_ = eol_;
  }
}

}  // namespace maillab::message
