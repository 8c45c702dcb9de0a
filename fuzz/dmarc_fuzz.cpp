// dmarc_fuzz: the DMARC record parser, the tag-list parser under it, the organizational
// domain, and the author-domain reader on arbitrary bytes.
//
// Checks: a record accepted starts with v=DMARC1 and has pct in 0..100 and a known
// policy; the organizational domain of a name is that name or a suffix of it (lowercased,
// without a trailing dot) made of whole labels; an author domain, when one is found, is
// lowercase letters, digits, '-', '_' and '.' only.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.hpp"
#include "protocols/auth/dmarc_check.hpp"
#include "protocols/auth/dmarc_record.hpp"
#include "protocols/auth/public_suffix.hpp"
#include "protocols/auth/tag_list.hpp"

using namespace maillab;
using namespace maillab::auth;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_dmarc_record(bytes);
  if (parsed.record) {
    FUZZ_CHECK(is_dmarc_record(bytes), "accepted without v=DMARC1: " + fuzz::shown(bytes));
    FUZZ_CHECK(parsed.record->percent >= 0 && parsed.record->percent <= 100, std::to_string(parsed.record->percent));
  } else {
    FUZZ_CHECK(!parsed.error.empty(), "refused without a reason");
  }
  if (auto tags = parse_tag_list(bytes)) {
    for (const auto& t : tags->tags) {
      FUZZ_CHECK(t.value_offset <= t.value_end && t.value_end <= bytes.size(), "tag value out of the text");
      FUZZ_CHECK(bytes.substr(t.value_offset, t.value_end - t.value_offset) == t.value, "tag value offsets");
    }
  }

  std::string name(bytes.substr(0, bytes.find('\n')));
  auto org = organizational_domain(name);
  std::string lowered;
  for (char c : name) lowered += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (!lowered.empty() && lowered.back() == '.') lowered.pop_back();
  FUZZ_CHECK(fuzz::ends_with(lowered, org), "org domain " + fuzz::shown(org) + " of " + fuzz::shown(name));
  FUZZ_CHECK(org.size() == lowered.size() || lowered[lowered.size() - org.size() - 1] == '.',
             "org domain not whole labels: " + fuzz::shown(org) + " of " + fuzz::shown(name));

  auto msg = message::Message::parse(bytes);
  if (auto domain = author_domain(msg)) {
    for (char c : *domain) {
      FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.',
                 "author domain " + fuzz::shown(*domain));
    }
  }
  return 0;
}
