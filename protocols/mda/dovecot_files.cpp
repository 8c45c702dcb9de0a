#include "protocols/mda/dovecot_files.hpp"

#include "protocols/mda/mailbox_store.hpp"

namespace maillab::mda {
namespace {

// Decimal digits at the start of `s` (at most 10, fitting 32 bits); advances `s`.
std::optional<std::uint32_t> take_number(std::string_view& s) {
  std::uint64_t v = 0;
  std::size_t i = 0;
  while (i < s.size() && i < 10 && s[i] >= '0' && s[i] <= '9') v = v * 10 + static_cast<std::uint64_t>(s[i++] - '0');
  if (i == 0 || v > 0xFFFFFFFFull) return std::nullopt;
  s.remove_prefix(i);
  return static_cast<std::uint32_t>(v);
}

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    start = nl + 1;
  }
  return out;
}

}  // namespace

std::string format_uidlist(const UidList& list) {
  std::string out = "3 V" + std::to_string(list.uidvalidity) + " N" + std::to_string(list.uidnext) + " G" +
                    list.guid + "\n";
  for (const auto& [uid, name] : list.records) {
    out += std::to_string(uid);
    out += " :";
    out += name;
    out += '\n';
  }
  return out;
}

std::optional<UidList> parse_uidlist(std::string_view text) {
  const auto all = lines(text);
  if (all.empty()) return std::nullopt;
  UidList list;
  std::string_view header = all[0];
  const auto version = take_number(header);
  if (version == 3u) {
    while (!header.empty()) {
      while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
      if (header.empty()) break;
      const char key = header.front();
      header.remove_prefix(1);
      const std::size_t sp = header.find(' ');
      std::string_view value = header.substr(0, sp);
      header.remove_prefix(sp == std::string_view::npos ? header.size() : sp);
      if (key == 'V') list.uidvalidity = take_number(value).value_or(0);
      else if (key == 'N') list.uidnext = take_number(value).value_or(1);
      else if (key == 'G') list.guid = std::string(value);
    }
  } else if (version == 1u) {
    header.remove_prefix(header.empty() ? 0 : 1);
    list.uidvalidity = take_number(header).value_or(0);
    header.remove_prefix(header.empty() ? 0 : 1);
    list.uidnext = take_number(header).value_or(1);
  } else {
    return std::nullopt;
  }
  for (std::size_t i = 1; i < all.size(); ++i) {
    std::string_view line = all[i];
    const auto uid = take_number(line);
    if (!uid || *uid == 0 || line.empty() || line.front() != ' ') continue;
    std::string_view name;
    if (version == 3u) {
      const std::size_t colon = line.find(" :");
      if (colon == std::string_view::npos) continue;
      name = line.substr(colon + 2);
    } else {
      name = line.substr(1);
    }
    name = name.substr(0, name.find(':'));  // a stale ":2,..." is not part of the base name
    if (name.empty()) continue;
    if (!list.records.empty() && list.records.back().first >= *uid) continue;  // must ascend
    list.records.emplace_back(*uid, std::string(name));
    if (*uid >= list.uidnext && *uid < 0xFFFFFFFFu) list.uidnext = *uid + 1;
  }
  return list;
}

std::string format_keywords(const std::vector<std::string>& keywords) {
  std::string out;
  for (std::size_t i = 0; i < keywords.size(); ++i) out += std::to_string(i) + " " + keywords[i] + "\n";
  return out;
}

std::vector<std::string> parse_keywords(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view line : lines(text)) {
    const auto idx = take_number(line);
    if (!idx || *idx >= kMaxKeywords || line.size() < 2 || line.front() != ' ') continue;
    if (out.size() <= *idx) out.resize(*idx + 1);
    out[*idx] = std::string(line.substr(1));
  }
  return out;
}

std::string maildir_flag_letters(std::uint8_t flags, std::uint32_t keywords) {
  std::string s;
  if (flags & Draft) s += 'D';
  if (flags & Flagged) s += 'F';
  if (flags & Answered) s += 'R';
  if (flags & Seen) s += 'S';
  if (flags & Deleted) s += 'T';
  for (std::size_t i = 0; i < kMaxKeywords; ++i)
    if (keywords & (1u << i)) s += static_cast<char>('a' + i);
  return s;
}

void parse_maildir_flags(std::string_view letters, std::uint8_t& flags, std::uint32_t& keywords) {
  flags = 0;
  keywords = 0;
  for (char c : letters) {
    switch (c) {
      case 'D': flags |= Draft; break;
      case 'F': flags |= Flagged; break;
      case 'R': flags |= Answered; break;
      case 'S': flags |= Seen; break;
      case 'T': flags |= Deleted; break;
      default:
        if (c >= 'a' && c <= 'z') keywords |= 1u << (c - 'a');
    }
  }
}

}  // namespace maillab::mda
