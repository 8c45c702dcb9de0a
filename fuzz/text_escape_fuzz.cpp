// text_escape_fuzz: arbitrary bytes into the escaping every byte a peer sends passes
// through on its way into the trace (base::json_escape, JSON Lines), the JUnit report and
// the SVG chart (base::xml_escape), and into base::utf8's validation and cleaning (issue 16
// item 7: bytes F5-FF once made --trace invalid UTF-8).
//
// Checks, against oracles that share no code with base/:
// - json_escape(x), quoted, parses with nlohmann-json (which rejects invalid UTF-8, as
//   Python's json and jq do) and, when x is valid UTF-8, decodes to x;
// - a trace line whose host, key and value are slices of x parses as a JSON object;
// - sanitize_utf8(x) and xml_escape(x) are valid UTF-8 by a reference decoder;
//   xml_escape(x) holds only XML 1.0 characters and no markup (< > & only as entities);
// - valid_utf8(x) agrees with the reference decoder.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.hpp"
#include "base/json.hpp"
#include "base/utf8.hpp"
#include "base/xml.hpp"
#include "sim/trace_recorder.hpp"

using namespace maillab;

namespace {

// Reference UTF-8 decoder (RFC 3629 3, the table's bit patterns): the code points of s,
// or false when s is not well-formed (overlong, surrogate, above U+10FFFF, cut short).
bool decode(std::string_view s, std::u32string* out) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    int extra = 0;
    char32_t cp = 0;
    if ((c & 0x80) == 0) {
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (out) out->push_back(cp);
    i += 1 + extra;
  }
  return true;
}

// XML 1.0 2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
bool xml_char(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

std::string parsed_string(const std::string& json_text) {
  try {
    return nlohmann::json::parse(json_text).get<std::string>();
  } catch (const std::exception& e) {
    fuzz::violated(__FILE__, __LINE__, "json_escape output parses", std::string(e.what()) + "\n" + fuzz::shown(json_text, 400));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const bool valid = decode(bytes, nullptr);
  FUZZ_CHECK(base::valid_utf8(bytes) == valid, "valid_utf8 disagrees with the reference:\n" + fuzz::shown(bytes, 400));

  const std::string escaped = base::json_escape(bytes);
  FUZZ_CHECK(decode(escaped, nullptr), "json_escape gave invalid UTF-8:\n" + fuzz::shown(escaped, 400));
  const std::string back = parsed_string("\"" + escaped + "\"");
  if (valid) FUZZ_CHECK(back == bytes, "valid UTF-8 did not round-trip:\n" + fuzz::shown(bytes, 400));

  sim::TraceEvent e;
  const std::size_t a = size / 3, b = 2 * size / 3;
  e.host = std::string(bytes.substr(0, a));
  e.agent = "SMTP";
  e.event = "fuzz";
  e.fields = {{std::string(bytes.substr(a, b - a)), std::string(bytes.substr(b))}};
  const std::string line = sim::TraceRecorder::to_json(e);
  FUZZ_CHECK(line.find('\n') == std::string::npos, "a trace line holds a line break");
  try {
    FUZZ_CHECK(nlohmann::json::parse(line).is_object(), "a trace line is not an object");
  } catch (const std::exception& ex) {
    fuzz::violated(__FILE__, __LINE__, "a trace line parses", std::string(ex.what()) + "\n" + fuzz::shown(line, 400));
  }

  std::u32string cps;
  FUZZ_CHECK(decode(base::sanitize_utf8(bytes), nullptr), "sanitize_utf8 gave invalid UTF-8");
  const std::string xml = base::xml_escape(bytes);
  FUZZ_CHECK(decode(xml, &cps), "xml_escape gave invalid UTF-8:\n" + fuzz::shown(xml, 400));
  for (char32_t cp : cps) {
    FUZZ_CHECK(xml_char(cp) && cp >= 0x20, "xml_escape let through U+" + std::to_string(static_cast<std::uint32_t>(cp)));
    FUZZ_CHECK(cp != '<' && cp != '>' && cp != '"', "xml_escape let markup through:\n" + fuzz::shown(xml, 400));
  }
  for (std::size_t at = xml.find('&'); at != std::string::npos; at = xml.find('&', at + 1)) {
    const std::string_view rest = std::string_view(xml).substr(at);
    bool entity = false;
    for (std::string_view ref : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#9;", "&#10;", "&#13;"})
      entity = entity || rest.substr(0, ref.size()) == ref;
    FUZZ_CHECK(entity, "a bare & in xml_escape's output:\n" + fuzz::shown(xml, 400));
  }
  return 0;
}
