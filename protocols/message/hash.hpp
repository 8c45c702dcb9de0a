// Stable 64-bit FNV-1a and its hex form: deterministic ids (MIME boundaries, mbox message
// ids) that must not change between runs, compilers or platforms (std::hash may).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace maillab::message {

inline std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

inline std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace maillab::message
