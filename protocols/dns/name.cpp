#include "protocols/dns/name.hpp"

#include <array>

namespace maillab::dns {
namespace {

// Characters that must be escaped to survive a master file (RFC 1035 5.1); same set as
// dnspython so that our text reads like everyone else's.
constexpr bool is_special(unsigned char c) {
  return c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '@' ||
         c == '$';
}

// Bytes a canonical name shows as they are: printable, not special, not upper case.
constexpr auto kPlain = [] {
  std::array<bool, 256> t{};
  for (unsigned c = 0x21; c <= 0x7e; ++c) t[c] = !is_special(static_cast<unsigned char>(c)) && !(c >= 'A' && c <= 'Z');
  return t;
}();

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Index one past the first label of canonical `name` (its first unescaped dot, or the end).
std::size_t first_label_end(std::string_view name) {
  std::size_t i = 0;
  while (i < name.size()) {
    if (name[i] == '\\') {
      i += (i + 1 < name.size() && is_digit(name[i + 1])) ? 4 : 2;
    } else if (name[i] == '.') {
      return i;
    } else {
      ++i;
    }
  }
  return name.size();
}

}  // namespace

std::optional<Labels> name_to_labels(std::string_view text, std::string* why) {
  auto fail = [&](std::string reason) -> std::optional<Labels> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  Labels labels;
  if (text.empty() || text == ".") return labels;
  std::string label;
  std::size_t wire = 1;  // the root octet
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '.') {
      if (label.empty()) return fail("empty label");
      wire += 1 + label.size();
      labels.push_back(std::move(label));
      label.clear();
      ++i;
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= text.size()) return fail("backslash at the end of the name");
      if (is_digit(text[i + 1])) {
        if (i + 3 >= text.size() || !is_digit(text[i + 2]) || !is_digit(text[i + 3])) {
          return fail("\\DDD escape needs three digits");
        }
        const int v = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (v > 255) return fail("\\DDD escape above 255");
        label.push_back(static_cast<char>(v));
        i += 4;
      } else {
        label.push_back(text[i + 1]);
        i += 2;
      }
    } else {
      label.push_back(c);
      ++i;
    }
    if (label.size() > kMaxLabelLength) return fail("label longer than 63 octets");
  }
  if (!label.empty()) {
    wire += 1 + label.size();
    labels.push_back(std::move(label));
  }
  if (wire > kMaxNameLength) return fail("name longer than 255 octets");
  return labels;
}

void append_label_text(std::string& out, std::string_view label) {
  // Plain bytes are copied in runs; only the others are rewritten one by one.
  std::size_t run = 0;
  for (std::size_t k = 0; k < label.size(); ++k) {
    const auto c = static_cast<unsigned char>(label[k]);
    if (kPlain[c]) continue;
    out.append(label.data() + run, k - run);
    run = k + 1;
    if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (is_special(c)) {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else {
      const char escape[4] = {'\\', static_cast<char>('0' + c / 100), static_cast<char>('0' + c / 10 % 10),
                              static_cast<char>('0' + c % 10)};
      out.append(escape, 4);
    }
  }
  out.append(label.data() + run, label.size() - run);
}

std::string labels_to_name(const Labels& labels) {
  std::string out;
  for (std::size_t n = 0; n < labels.size(); ++n) {
    if (n) out.push_back('.');
    append_label_text(out, labels[n]);
  }
  return out;
}

bool is_canonical(std::string_view text) {
  if (text.empty()) return true;
  if (text.size() + 2 > kMaxNameLength) return false;  // wire: one length octet per label, the root
  std::size_t label = 0;
  for (const char ch : text) {
    if (ch == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (!kPlain[static_cast<unsigned char>(ch)] || ++label > kMaxLabelLength) {
      return false;
    }
  }
  return label != 0;
}

std::optional<std::string> canonical_name(std::string_view text, std::string* why) {
  if (is_canonical(text)) return std::string(text);
  auto labels = name_to_labels(text, why);
  if (!labels) return std::nullopt;
  return labels_to_name(*labels);
}

std::size_t wire_length(const Labels& labels) {
  std::size_t n = 1;
  for (const auto& l : labels) n += 1 + l.size();
  return n;
}

bool name_in_zone(std::string_view name, std::string_view zone) {
  if (zone.empty()) return true;
  // Walk up label by label so that an escaped dot ("a\.b") is never taken for a boundary.
  while (true) {
    if (name == zone) return true;
    if (name.size() <= zone.size()) return false;
    const std::size_t end = first_label_end(name);
    if (end >= name.size()) return false;
    name.remove_prefix(end + 1);
  }
}

std::string parent_name(std::string_view name) { return std::string(parent_view(name)); }

std::string_view parent_view(std::string_view name) {
  const std::size_t end = first_label_end(name);
  if (end >= name.size()) return {};
  return name.substr(end + 1);
}

std::string absolute_name(std::string_view name) {
  if (name.empty()) return ".";
  return std::string(name) + ".";
}

}  // namespace maillab::dns
