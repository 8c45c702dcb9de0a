// check::Report: counting and the two renderings (plain table, GitHub markdown table).
#include "bridge/check/report.hpp"

#include <algorithm>
#include <array>

#include "protocols/message/peer_text.hpp"

namespace maillab::check {

std::string_view to_string(Level level) {
  switch (level) {
    case Level::Must: return "MUST";
    case Level::Should: return "SHOULD";
    case Level::May: return "MAY";
  }
  return "?";
}

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::Pass: return "pass";
    case Outcome::Fail: return "FAIL";
    case Outcome::Warn: return "warn";
    case Outcome::Skip: return "skip";
  }
  return "?";
}

std::string shorten(std::string_view text, std::size_t limit) {
  std::string out;
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') {
      if (!out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u >= 0x7f) ? '?' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > limit && limit > 3) out = out.substr(0, limit - 3) + "...";
  return out;
}

void Report::add(std::string name, std::string section, Level level, Result result) {
  result.said = shorten(result.said);
  rows_.push_back({std::move(name), std::move(section), level, std::move(result)});
}

void Report::replace(std::size_t index, Result result) {
  result.said = shorten(result.said);
  rows_.at(index).result = std::move(result);
}

std::size_t Report::count(Outcome outcome) const {
  return static_cast<std::size_t>(
      std::count_if(rows_.begin(), rows_.end(), [&](const Row& r) { return r.result.outcome == outcome; }));
}

std::size_t Report::must_failures() const {
  return static_cast<std::size_t>(std::count_if(rows_.begin(), rows_.end(), [](const Row& r) {
    return r.result.outcome == Outcome::Fail && r.level == Level::Must;
  }));
}

std::string Report::summary() const {
  return std::to_string(count(Outcome::Pass)) + " passed, " + std::to_string(count(Outcome::Fail)) + " failed (" +
         std::to_string(must_failures()) + " MUST), " + std::to_string(count(Outcome::Warn)) + " warnings, " +
         std::to_string(count(Outcome::Skip)) + " skipped";
}

void Report::print_text(std::ostream& out) const {
  std::array<std::size_t, 4> w{5, 3, 5, 6};  // check, RFC, level, result
  for (const Row& r : rows_) {
    w[0] = std::max(w[0], r.name.size());
    w[1] = std::max(w[1], r.section.size());
    w[2] = std::max(w[2], to_string(r.level).size());
  }
  auto pad = [](std::string_view s, std::size_t n) {
    std::string o(s);
    o.resize(std::max(n, s.size()), ' ');
    return o;
  };
  out << pad("check", w[0]) << "  " << pad("RFC", w[1]) << "  " << pad("level", w[2]) << "  "
      << pad("result", w[3]) << "  server said\n";
  for (const Row& r : rows_) {
    std::string line = pad(r.name, w[0]) + "  " + pad(r.section, w[1]) + "  " + pad(to_string(r.level), w[2]) +
                       "  " + pad(to_string(r.result.outcome), w[3]) + "  " + message::terminal_safe(r.result.said);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
  out << summary() << "\n";
}

void Report::print_markdown(std::ostream& out) const {
  auto cell = [](std::string_view s) {
    std::string o;
    for (char c : s) {
      if (c == '|') o += "\\|";
      else if (c == '`') o += '\'';
      else o += c;
    }
    return o;
  };
  out << "| check | RFC | level | result | server said |\n|---|---|---|---|---|\n";
  for (const Row& r : rows_) {
    std::string said;
    if (!r.result.said.empty()) {
      said = "`";
      said += cell(message::terminal_safe(r.result.said));
      said += "`";
    }
    std::string result(to_string(r.result.outcome));
    if (r.result.outcome == Outcome::Fail) result = "**FAIL**";
    out << "| " << cell(r.name) << " | " << cell(r.section) << " | " << to_string(r.level) << " | " << result
        << " | " << said << " |\n";
  }
  out << "\n" << summary() << "\n";
}

}  // namespace maillab::check
