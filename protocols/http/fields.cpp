#include "protocols/http/fields.hpp"

#include <algorithm>

#include "base/ascii.hpp"

namespace maillab::http {

namespace {

bool is_tchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool same(std::string_view a, std::string_view b) { return iequals(a, b); }

}  // namespace

bool iequals(std::string_view a, std::string_view b) { return base::iequals(a, b); }

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_tchar(static_cast<unsigned char>(c)); });
}

std::string safe_field_value(std::string_view value) {
  std::string out(value);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) c = ' ';
  }
  const auto first = out.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  const auto last = out.find_last_not_of(" \t");
  return out.substr(first, last - first + 1);
}

std::string_view Fields::get(std::string_view name) const {
  for (const auto& f : items_) {
    if (same(f.name, name)) return f.value;
  }
  return {};
}

bool Fields::has(std::string_view name) const { return count(name) > 0; }

std::size_t Fields::count(std::string_view name) const {
  return static_cast<std::size_t>(
      std::count_if(items_.begin(), items_.end(), [&](const Field& f) { return same(f.name, name); }));
}

void Fields::add(std::string name, std::string value) { items_.push_back({std::move(name), std::move(value)}); }

bool Fields::add_checked(std::string_view name, std::string_view value) {
  if (!is_token(name)) return false;
  items_.push_back({std::string(name), safe_field_value(value)});
  return true;
}

bool Fields::set_checked(std::string_view name, std::string_view value) {
  if (!is_token(name)) return false;
  erase(name);
  return add_checked(name, value);
}

void Fields::erase(std::string_view name) {
  std::erase_if(items_, [&](const Field& f) { return same(f.name, name); });
}

}  // namespace maillab::http
