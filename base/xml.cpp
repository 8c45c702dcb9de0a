#include "base/xml.hpp"

#include "base/utf8.hpp"

namespace maillab::base {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

std::string xml_escape(std::string_view s) {
  const std::string clean = sanitize_utf8(s, true);
  std::string out;
  out.reserve(clean.size());
  for (std::size_t i = 0; i < clean.size(); ++i) {
    const char c = clean[i];
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default:
        // U+FFFE and U+FFFF are valid UTF-8 but not XML characters.
        if (c == '\xEF' && i + 2 < clean.size() && clean[i + 1] == '\xBF' &&
            (clean[i + 2] == '\xBE' || clean[i + 2] == '\xBF')) {
          out += kReplacement;
          i += 2;
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace maillab::base
