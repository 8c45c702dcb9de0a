#include "protocols/message/message.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

#include "protocols/message/ascii.hpp"

namespace maillab::message {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

// How many octets at the start of `line` are ftext (printable ASCII but ':'), eight at a
// time: a word's octets below 33, above 126 or equal to ':' are flagged in their high
// bits (exact for the lowest flagged octet, which is all that is used).
std::size_t ftext_run(std::string_view line) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  std::size_t i = 0;
  for (; i + 8 <= line.size(); i += 8) {
    std::uint64_t x;
    std::memcpy(&x, line.data() + i, 8);
    const std::uint64_t colon = x ^ (kOnes * ':');
    const std::uint64_t stop = ((x - kOnes * 33) & ~x) | ((x + kOnes) | x) | ((colon - kOnes) & ~colon);
    if (stop & kHigh) {
      if constexpr (std::endian::native == std::endian::little)
        return i + static_cast<std::size_t>(std::countr_zero(stop & kHigh)) / 8;
      break;  // big-endian: find the octet below
    }
  }
  while (i < line.size()) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c < 33 || c > 126 || c == ':') break;
    ++i;
  }
  return i;
}

// The length of the field name when `line` starts a field (`ftext+ [WSP] ":"`), else 0.
std::size_t field_name_size(std::string_view line) {
  const std::size_t i = ftext_run(line);
  if (i == 0) return 0;
  std::size_t j = i;
  while (j < line.size() && is_wsp(line[j])) ++j;  // obs-optional (RFC 5322 4.5)
  if (j >= line.size() || line[j] != ':') return 0;
  return i;
}

// The end of the line starting at `p`: past its "\n", or `end`.
const char* line_end(const char* p, const char* end) {
  const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
  return nl ? static_cast<const char*>(nl) + 1 : end;
}

// The line starting at `pos` in `in` (a separator line).
std::string_view line_at(std::string_view in, std::size_t pos) {
  const char* p = in.data() + pos;
  return std::string_view(p, static_cast<std::size_t>(line_end(p, in.data() + in.size()) - p));
}

// Calls on_field(raw) for each field of the header section at the start of `in` (raw:
// the field with its folded lines and line endings) and returns where the section ends:
// at the empty line, or at the end of the input; npos when on_field() returned false.
template <class OnField>
std::size_t walk_fields(std::string_view in, OnField&& on_field) {
  const char* const begin = in.data();
  const char* const end = begin + in.size();
  const char* p = begin;
  while (p < end) {
    if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) break;  // the empty line
    const char* field_end = line_end(p, end);
    // Lines starting with WSP continue the field (an empty line never does).
    while (field_end < end && is_wsp(*field_end)) field_end = line_end(field_end, end);
    if (!on_field(std::string_view(p, static_cast<std::size_t>(field_end - p)))) return std::string_view::npos;
    p = field_end;
  }
  return static_cast<std::size_t>(p - begin);
}

// The line ending of the first line ("\r\n" when it has none).
std::string_view first_eol(std::string_view in) {
  const char* nl = in.empty() ? nullptr : static_cast<const char*>(std::memchr(in.data(), '\n', in.size()));
  return !nl || (nl > in.data() && nl[-1] == '\r') ? "\r\n" : "\n";
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

void append_field(std::string& out, std::string_view name, std::string_view value, std::string_view eol) {
  // Split at the line breaks the caller put in the value. A line that fits is written
  // as it is; only a longer one goes through fold_line().
  bool is_first = true;
  std::size_t pos = 0;
  while (true) {
    std::size_t nl = value.find('\n', pos);
    std::string_view seg = value.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (!seg.empty() && seg.back() == '\r') seg.remove_suffix(1);
    if (is_first) {
      if (name.size() + 2 + seg.size() <= kFoldLimit) {
        out.append(name).append(": ", 2).append(seg).append(eol);
      } else {
        std::string first;
        first.reserve(name.size() + 2 + seg.size());
        first.append(name).append(": ", 2).append(seg);
        fold_line(first, name.size() + 1, eol, out);
      }
      is_first = false;
    } else if (!trim_wsp(seg).empty()) {
      const bool tab = !is_wsp(seg.front());
      if (tab + seg.size() <= kFoldLimit) {
        if (tab) out += '\t';
        out.append(seg).append(eol);
      } else {
        std::string cont;
        if (tab) cont += '\t';
        cont.append(seg);
        fold_line(cont, 0, eol, out);
      }
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
}

std::string fold_field(std::string_view name, std::string_view value, std::string_view eol) {
  std::string out;
  out.reserve(name.size() + 2 + value.size() + eol.size());
  append_field(out, name, value, eol);
  return out;
}

std::string unfold_value(std::string_view raw) {
  std::size_t colon = raw.find(':');
  if (colon == std::string_view::npos) return {};
  std::string_view rest = raw.substr(colon + 1);
  // The common field: one line, its break (if any) at the end.
  std::size_t nl = rest.find('\n');
  if (nl == std::string_view::npos || nl + 1 == rest.size()) {
    std::string_view line = rest.substr(0, nl);
    if (nl != std::string_view::npos && !line.empty() && line.back() == '\r') line.remove_suffix(1);
    return std::string(trim_wsp(line));
  }
  // Folded: drop every LF and each CR right before one, then trim the joined text.
  std::string out;
  out.reserve(rest.size());
  std::size_t pos = 0;
  while (true) {
    std::string_view piece = rest.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (nl != std::string_view::npos && !piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
    if (out.empty())
      while (!piece.empty() && is_wsp(piece.front())) piece.remove_prefix(1);
    out.append(piece);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
    nl = rest.find('\n', pos);
  }
  while (!out.empty() && is_wsp(out.back())) out.pop_back();
  return out;
}

Message Message::parse(std::string_view in) {
  Message m;
  m.eol_ = first_eol(in);
  const std::size_t head_end = walk_fields(in, [&](std::string_view raw) {
    const std::size_t name_size = field_name_size(raw);
    if (m.fields_.empty()) {
      if (name_size == 0) return false;  // the first line is no field: all body
      // Room for a usual header section and the fields a hop or a delivery prepends:
      // one allocation for the list, one per field.
      m.fields_.reserve(16);
    }
    HeaderField& f = m.fields_.emplace_back();
    f.name.assign(raw.data(), name_size);
    f.raw.assign(raw);
    return true;
  });
  if (head_end == std::string_view::npos) {
    m.body_.assign(in);  // no header section at all
  } else if (head_end < in.size()) {
    m.separator_.assign(line_at(in, head_end));
    m.body_.assign(in.substr(head_end + m.separator_.size()));
  }
  return m;
}

std::string Message::serialize() const {
  std::size_t size = separator_.size() + body_.size();
  for (const auto& f : fields_) size += f.raw.size();
  std::string out;
  out.reserve(size);
  for (const auto& f : fields_) out += f.raw;
  out += separator_;
  out += body_;
  return out;
}

std::string Message::header_section() const {
  std::size_t size = 0;
  for (const auto& f : fields_) size += f.raw.size();
  std::string out;
  out.reserve(size);
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

MessageView MessageView::parse(std::string_view in) {
  MessageView v;
  v.eol_ = first_eol(in);
  const std::size_t head_end = walk_fields(in, [&](std::string_view raw) {
    if (v.fields_.empty()) {
      if (field_name_size(raw) == 0) return false;  // all body
      v.fields_.reserve(16);
    }
    v.fields_.push_back(raw);
    return true;
  });
  if (head_end == std::string_view::npos) {
    v.body_ = in;
    return v;
  }
  v.section_ = in.substr(0, head_end);
  if (head_end < in.size()) {
    v.separator_ = line_at(in, head_end);
    v.body_ = in.substr(head_end + v.separator_.size());
  }
  return v;
}

namespace {

// Whether the field `raw` is named `name` (case-insensitive): the cheap test first.
bool is_named(std::string_view raw, std::string_view name) {
  return raw.size() > name.size() && iequals(raw.substr(0, name.size()), name) &&
         field_name_size(raw) == name.size();
}

}  // namespace

std::optional<std::string> MessageView::header(std::string_view name) const {
  if (name.empty()) return std::nullopt;
  for (std::string_view raw : fields_)
    if (is_named(raw, name)) return unfold_value(raw);
  return std::nullopt;
}

std::vector<std::string> MessageView::headers(std::string_view name) const {
  std::vector<std::string> out;
  if (name.empty()) return out;
  for (std::string_view raw : fields_)
    if (is_named(raw, name)) out.push_back(unfold_value(raw));
  return out;
}

std::size_t MessageView::count(std::string_view name) const {
  std::size_t n = 0;
  if (name.empty()) return n;
  for (std::string_view raw : fields_) n += is_named(raw, name);
  return n;
}

std::string MessageView::serialize_with(std::span<const NewField> top, std::span<const NewField> bottom) const {
  std::size_t size = section_.size() + separator_.size() + body_.size() + 2 * eol_.size();
  for (const auto& f : top) size += f.first.size() + f.second.size() + 4 + eol_.size();
  for (const auto& f : bottom) size += f.first.size() + f.second.size() + 4 + eol_.size();
  std::string out;
  out.reserve(size);
  for (std::size_t i = top.size(); i-- > 0;) append_field(out, top[i].first, top[i].second, eol_);
  out += section_;
  if (top.empty() && bottom.empty()) {
    out += separator_;
  } else {
    // What Message::ensure_section_ready() does before the first added field.
    if (!section_.empty() && section_.back() != '\n') out += eol_;
    for (const auto& f : bottom) append_field(out, f.first, f.second, eol_);
    out += !separator_.empty() ? separator_ : section_.empty() || !body_.empty() ? eol_ : std::string_view();
  }
  out += body_;
  return out;
}

}  // namespace maillab::message
