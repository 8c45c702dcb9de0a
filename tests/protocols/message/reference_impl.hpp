// The byte-at-a-time implementations that the fast ones in protocols/message replaced,
// kept verbatim (but for names) as the reference the equivalence tests compare against.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/message/compose.hpp"
#include "protocols/message/date.hpp"
#include "protocols/message/encoded_word.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/received.hpp"

namespace ref {

using maillab::message::kFoldLimit;

inline std::string to_crlf(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

inline std::string lf_to_crlf(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

inline std::string crlf_to_lf(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

inline bool is_ascii(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

inline bool is_wsp(char c) { return c == ' ' || c == '\t'; }

inline std::string_view next_line(std::string_view in, std::size_t pos) {
  std::size_t nl = in.find('\n', pos);
  return in.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos + 1);
}

inline bool is_empty_line(std::string_view line) { return line == "\r\n" || line == "\n"; }

inline std::optional<std::string> field_name(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size()) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c < 33 || c > 126 || c == ':') break;
    ++i;
  }
  if (i == 0) return std::nullopt;
  std::size_t j = i;
  while (j < line.size() && is_wsp(line[j])) ++j;
  if (j >= line.size() || line[j] != ':') return std::nullopt;
  return std::string(line.substr(0, i));
}

inline std::string_view trim_wsp(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

inline void fold_line(std::string_view line, std::size_t keep, std::string_view eol, std::string& out) {
  while (line.size() > kFoldLimit) {
    std::size_t lead = 0;
    while (lead < line.size() && is_wsp(line[lead])) ++lead;
    const std::size_t min_break = std::max(keep, lead) + 1;
    auto good = [&](std::size_t i) {
      if (!is_wsp(line[i]) || i < min_break) return false;
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
    if (brk == std::string_view::npos) break;
    out.append(line.substr(0, brk));
    out.append(eol);
    line.remove_prefix(brk);
    keep = 0;
  }
  out.append(line);
  out.append(eol);
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

inline std::string fold_field(std::string_view name, std::string_view value, std::string_view eol = "\r\n") {
  std::string out;
  std::string first(name);
  first += ": ";
  const std::size_t keep = first.size() - 1;
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

inline std::string unfold_value(std::string_view raw) {
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

// What Message::parse produced, in the open.
struct Parsed {
  std::vector<maillab::message::HeaderField> fields;
  std::string separator;
  std::string body;
  std::string eol = "\r\n";
};

inline Parsed parse(std::string_view in) {
  Parsed m;
  if (in.empty()) return m;
  std::string_view first = next_line(in, 0);
  if (first.size() >= 2 && first[first.size() - 2] == '\r' && first.back() == '\n') m.eol = "\r\n";
  else if (!first.empty() && first.back() == '\n') m.eol = "\n";
  if (!is_empty_line(first) && !field_name(first)) {
    m.body = std::string(in);
    return m;
  }
  std::size_t pos = 0;
  while (pos < in.size()) {
    std::string_view line = next_line(in, pos);
    pos += line.size();
    if (is_empty_line(line)) {
      m.separator = std::string(line);
      m.body = std::string(in.substr(pos));
      return m;
    }
    if (is_wsp(line.front()) && !m.fields.empty()) {
      m.fields.back().raw.append(line);
      continue;
    }
    maillab::message::HeaderField f;
    if (auto name = field_name(line)) f.name = std::move(*name);
    f.raw = std::string(line);
    m.fields.push_back(std::move(f));
  }
  return m;
}

constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

inline std::string rfc5322_date(int64_t sim_ns) {
  using namespace maillab::message;
  const CivilTime t = civil_from_unix(unix_seconds(sim_ns));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04lld %02d:%02d:%02d +0000", kDays[t.weekday], t.day,
                kMonths[t.month - 1], static_cast<long long>(t.year), t.hour, t.minute, t.second);
  return buf;
}

inline std::string mbox_date(int64_t sim_ns) {
  using namespace maillab::message;
  const CivilTime t = civil_from_unix(unix_seconds(sim_ns));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %s %2d %02d:%02d:%02d %04lld", kDays[t.weekday], kMonths[t.month - 1],
                t.day, t.hour, t.minute, t.second, static_cast<long long>(t.year));
  return buf;
}

inline std::string compact_date(int64_t sim_ns) {
  using namespace maillab::message;
  const CivilTime t = civil_from_unix(unix_seconds(sim_ns));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld%02d%02d%02d%02d%02d", static_cast<long long>(t.year), t.month,
                t.day, t.hour, t.minute, t.second);
  return buf;
}

inline std::string make_message_id(std::string_view host, uint64_t unique, int64_t sim_ns = 0) {
  return "<" + compact_date(sim_ns) + "." + std::to_string(unique) + "@" + std::string(host) + ">";
}

inline std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

inline std::string angle(std::string_view id) {
  if (!id.empty() && id.front() == '<') return std::string(id);
  return "<" + std::string(id) + ">";
}

inline std::string one_line(std::string_view v) {
  std::string out;
  for (char c : v) out += (c == '\r' || c == '\n') ? ' ' : c;
  return out;
}

inline std::string compose(const maillab::message::Draft& draft, int64_t sim_ns, std::string_view message_id) {
  const std::string body = [&] {
    std::string b = to_crlf(draft.body);
    if (!b.empty() && b.back() != '\n') b += "\r\n";
    return b;
  }();
  std::vector<std::pair<std::string, std::string>> fields;
  fields.emplace_back("From", draft.from);
  if (!draft.to.empty()) fields.emplace_back("To", join(draft.to));
  else if (draft.cc.empty()) fields.emplace_back("To", "undisclosed-recipients:;");
  if (!draft.cc.empty()) fields.emplace_back("Cc", join(draft.cc));
  fields.emplace_back("Subject", maillab::message::encode_rfc2047(draft.subject));
  fields.emplace_back("Date", rfc5322_date(sim_ns));
  fields.emplace_back("Message-ID", angle(message_id));
  fields.emplace_back("MIME-Version", "1.0");
  fields.emplace_back("Content-Type", "text/plain; charset=utf-8");
  fields.emplace_back("Content-Transfer-Encoding", is_ascii(body) ? "7bit" : "8bit");
  for (const auto& [name, value] : draft.extra_headers) {
    if (iequals(name, "Bcc") || name.empty()) continue;
    bool replaced = false;
    for (auto& f : fields) {
      if (iequals(f.first, name)) {
        f = {name, value};
        replaced = true;
        break;
      }
    }
    if (!replaced) fields.emplace_back(name, value);
  }
  std::string out;
  for (const auto& [name, value] : fields) out += fold_field(name, one_line(value));
  out += "\r\n";
  out += body;
  return out;
}

inline std::string received_value(const maillab::message::ReceivedInfo& info) {
  std::string out;
  if (!info.from_helo.empty() || !info.from_host.empty() || !info.from_address.empty()) {
    out += "from ";
    out += info.from_helo.empty() ? (info.from_host.empty() ? "unknown" : info.from_host) : info.from_helo;
    if (!info.from_address.empty() || !info.from_host.empty()) {
      out += " (";
      out += info.from_host.empty() ? "unknown" : info.from_host;
      if (!info.from_address.empty()) {
        out += " [";
        bool v6 = info.from_address.find(':') != std::string::npos && info.from_address.rfind("IPv6:", 0) != 0;
        if (v6) out += "IPv6:";
        out += info.from_address;
        out += "]";
      }
      out += ")";
    }
    out += "\r\n\t";
  }
  out += "by ";
  out += info.by_host.empty() ? "localhost" : info.by_host;
  out += " (maillab)";
  if (!info.with.empty()) out += " with " + info.with;
  if (!info.id.empty()) out += " id " + info.id;
  if (!info.for_rcpt.empty()) {
    out += "\r\n\tfor ";
    out += info.for_rcpt.front() == '<' ? info.for_rcpt : "<" + info.for_rcpt + ">";
  }
  out += "; ";
  out += rfc5322_date(info.sim_ns);
  return out;
}

}  // namespace ref
