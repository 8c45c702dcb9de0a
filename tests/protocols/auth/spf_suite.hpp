// Reader for data/rfc7208-suite.txt (the openspf RFC 7208 suite, re-encoded; the format is
// described at the top of that file): sections, each a FakeDns zone and test cases.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocols/auth/fake_dns.hpp"

namespace spf_suite {

struct ZoneLine {
  std::string name, type, data;
};

struct Case {
  std::string name, spec, helo, host, mailfrom;
  std::vector<std::string> results;
  std::string explanation;  // "" unchecked
};

struct Section {
  std::string title;
  std::vector<ZoneLine> zone;
  std::vector<Case> cases;
};

inline std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto bar = line.find(" | ", start);
    out.push_back(line.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) break;
    start = bar + 3;
  }
  if (!out.empty() && out.back().size() >= 2 && out.back().substr(out.back().size() - 2) == " |") {
    out.back().resize(out.back().size() - 2);
    out.emplace_back();
  }
  return out;
}

// "a" "b" with C escapes -> {"a", "b"}
inline std::vector<std::string> quoted_strings(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '"') { ++i; continue; }
    std::string s;
    ++i;
    while (i < text.size() && text[i] != '"') {
      char c = text[i++];
      if (c != '\\') { s += c; continue; }
      char e = text[i++];
      if (e == 'x') {
        s += static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16));
        i += 2;
      } else if (e == '0') {
        s += '\0';
      } else if (e == 'r') {
        s += '\r';
      } else {
        s += e;
      }
    }
    ++i;
    out.push_back(std::move(s));
  }
  return out;
}

inline std::vector<Section> load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<Section> sections;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto f = split(line);
    if (f[0] == "section") {
      sections.push_back(Section{f.at(1), {}, {}});
    } else if (f[0] == "zone") {
      sections.back().zone.push_back(ZoneLine{f.at(1), f.at(2), f.size() > 3 ? f[3] : ""});
    } else if (f[0] == "test") {
      Case c{f.at(1), f.at(2), f.at(3), f.at(4), f.at(5), {}, f.size() > 7 ? f[7] : ""};
      std::stringstream results(f.at(6));
      std::string r;
      while (std::getline(results, r, ',')) c.results.push_back(r);
      sections.back().cases.push_back(std::move(c));
    }
  }
  return sections;
}

inline void fill(maillab::auth::FakeDns& dns, const Section& section) {
  for (const auto& z : section.zone) {
    if (z.type == "TXT") {
      dns.add_txt(z.name, quoted_strings(z.data));
    } else if (z.type == "A" || z.type == "AAAA") {
      dns.add_address(z.name, z.data);
    } else if (z.type == "MX") {
      auto sp = z.data.find(' ');
      auto target = z.data.substr(sp + 1);
      if (target == "\"\"") target.clear();
      dns.add_mx(z.name, static_cast<std::uint16_t>(std::stoi(z.data.substr(0, sp))), target);
    } else if (z.type == "PTR") {
      dns.add_ptr(z.name, z.data);
    } else if (z.type == "TIMEOUT") {
      dns.set_timeout(z.name);
    } else if (z.type == "EMPTY") {
      dns.add_empty(z.name);
    }
  }
}

}  // namespace spf_suite
