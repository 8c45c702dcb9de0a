#include "viz/text.hpp"

#include <charconv>
#include <cmath>

namespace maillab::viz {

namespace {

constexpr std::int64_t kUs = 1000, kMs = 1000 * kUs, kS = 1000 * kMs, kMin = 60 * kS,
                       kHour = 60 * kMin, kDay = 24 * kHour;

std::string two_units(std::int64_t ns, std::int64_t big, const char* big_name,
                      std::int64_t small, const char* small_name) {
  std::int64_t a = ns / big, b = (ns % big) / small;
  std::string out = std::to_string(a) + big_name;
  if (b) out += " " + std::to_string(b) + small_name;
  return out;
}

}  // namespace

std::string fixed(double v, int decimals) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  return std::string(buf, r.ptr);
}

std::string format_span(std::int64_t ns) {
  if (ns < 0) return "-" + format_span(-ns);
  if (ns >= kDay) return two_units(ns, kDay, "d", kHour, "h");
  if (ns >= kHour) return two_units(ns, kHour, "h", kMin, "m");
  if (ns >= kMin) return two_units(ns, kMin, "m", kS, "s");
  auto trim = [](std::string s) {
    if (s.find('.') != std::string::npos) {
      while (s.back() == '0') s.pop_back();
      if (s.back() == '.') s.pop_back();
    }
    return s;
  };
  if (ns >= kS) return trim(fixed(static_cast<double>(ns) / kS, 2)) + "s";
  if (ns >= kMs) return trim(fixed(static_cast<double>(ns) / kMs, 2)) + "ms";
  if (ns >= kUs) return trim(fixed(static_cast<double>(ns) / kUs, 2)) + "us";
  return std::to_string(ns) + (ns ? "ns" : "s");
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string message_lines(std::string_view text) {
  std::string lf;
  lf.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i)
    if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) lf += text[i];
  std::string out = sanitize_utf8(lf);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string truncate_utf8(std::string_view s, std::size_t max_chars) {
  if (utf8_length(s) <= max_chars) return std::string(s);
  if (max_chars == 0) return "";
  std::size_t kept = 0, i = 0;
  while (i < s.size() && kept < max_chars - 1) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    ++kept;
  }
  return std::string(s.substr(0, i)) + "\u2026";
}

std::vector<std::string> wrap_name(std::string_view name, double width,
                                   const std::function<double(std::string_view)>& measure) {
  std::vector<std::string> lines;
  while (!name.empty()) {
    if (measure(name) <= width) {
      lines.emplace_back(name);
      break;
    }
    // The longest prefix that fits (at least one code point), preferably ending in . or -.
    std::size_t fit = 0, dot = 0, hyphen = 0;
    for (std::size_t i = 1; i <= name.size(); ++i) {
      if (i < name.size() && (static_cast<unsigned char>(name[i]) & 0xC0) == 0x80) continue;
      if (fit > 0 && measure(name.substr(0, i)) > width) break;
      fit = i;
      if (i < name.size() && name[i - 1] == '.') dot = i;
      if (i < name.size() && name[i - 1] == '-') hyphen = i;
    }
    // After a dot (a label of the name), unless that leaves the line less than half full.
    const std::size_t cut = dot * 2 >= fit ? dot : hyphen > 0 ? hyphen : dot > 0 ? dot : fit;
    lines.emplace_back(name.substr(0, cut));
    name.remove_prefix(cut);
  }
  return lines;
}

}  // namespace maillab::viz
