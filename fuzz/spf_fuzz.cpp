// spf_fuzz: the SPF record parser and the whole evaluator (protocols/auth/spf_check) on a
// zone the input describes, answered by FakeDns (synchronously, or deferred by flag).
//
// Input: byte 0 flags (bit 0: IPv6 client, bit 1: deferred answers, bit 2: null MAIL
// FROM); the rest is lines: line 1 the TXT record of "fuzz.example" (the domain checked),
// then "NAME TYPE DATA" lines (TYPE: TXT A AAAA MX PTR TIMEOUT SERVFAIL; MX data "PREF NAME").
//
// Checks: parse_spf_record never crashes, and what it accepts starts with "v=spf1"; the
// check ends, with exactly one callback; at most 11 DNS-querying terms are counted (the
// 11th is the permerror) and at most 3 void lookups; the number of queries stays bounded
// (10 terms, each at most 1 + 10 names, plus exp and the p macro); the Received-SPF value
// and the explanation hold no control character.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.hpp"
#include "protocols/auth/fake_dns.hpp"
#include "protocols/auth/spf_check.hpp"

using namespace maillab;
using namespace maillab::auth;

namespace {

bool no_controls(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

void add_line(FakeDns& dns, std::string_view line) {
  auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return;
  auto sp2 = line.find(' ', sp1 + 1);
  std::string name(line.substr(0, sp1));
  std::string type(line.substr(sp1 + 1, sp2 == std::string_view::npos ? std::string_view::npos : sp2 - sp1 - 1));
  std::string data(sp2 == std::string_view::npos ? std::string_view{} : line.substr(sp2 + 1));
  if (type == "TXT") dns.add_txt(name, data);
  else if (type == "A" || type == "AAAA") dns.add_address(name, data);
  else if (type == "PTR") dns.add_ptr(name, data);
  else if (type == "TIMEOUT") dns.set_timeout(name);
  else if (type == "SERVFAIL") dns.set_servfail(name);
  else if (type == "MX") {
    auto sp = data.find(' ');
    if (sp == std::string::npos || sp == 0 || sp > 4) return;
    int pref = 0;
    for (std::size_t i = 0; i < sp; ++i) {
      if (data[i] < '0' || data[i] > '9') return;
      pref = pref * 10 + (data[i] - '0');
    }
    dns.add_mx(name, static_cast<std::uint16_t>(pref), data.substr(sp + 1));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto nl = text.find('\n');
  std::string_view record = text.substr(0, nl);

  auto parsed = parse_spf_record(record);
  FUZZ_CHECK(!parsed.record || is_spf_record(record), "accepted a record without v=spf1: " + fuzz::shown(record));
  FUZZ_CHECK(parsed.record || !parsed.error.empty(), "refused without a reason: " + fuzz::shown(record));

  FakeDns dns;
  dns.add_txt("fuzz.example", std::string(record));
  std::size_t pos = nl == std::string_view::npos ? text.size() : nl + 1;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    add_line(dns, text.substr(pos, end - pos));
    pos = end + 1;
  }
  dns.set_deferred(flags & 2);
  SpfRequest req;
  req.client_ip = (flags & 1) ? "2001:db8::25" : "192.0.2.25";
  req.mail_from = (flags & 4) ? "" : "Sender-Name+tag@fuzz.example";
  req.helo = "fuzz.example";
  req.receiver = "mx.fuzz.example";
  req.now = 1772442000;
  SpfCheck check(dns, req);
  int calls = 0;
  check.start([&](const SpfOutcome&) { ++calls; });
  dns.deliver();
  FUZZ_CHECK(calls == 1, "the check called back " + std::to_string(calls) + " times");
  const auto& o = check.outcome();
  FUZZ_CHECK(o.dns_terms <= SpfCheck::kMaxDnsTerms + 1, std::to_string(o.dns_terms) + " DNS terms");
  FUZZ_CHECK(o.void_lookups <= SpfCheck::kMaxVoidLookups + 1, std::to_string(o.void_lookups) + " void lookups");
  FUZZ_CHECK(dns.queries().size() <= 1 + 10 * 12 + 12 + 12, std::to_string(dns.queries().size()) + " queries");
  FUZZ_CHECK(no_controls(o.explanation), "explanation: " + fuzz::shown(o.explanation));
  auto header = received_spf_value(o, req);
  FUZZ_CHECK(no_controls(header), "Received-SPF: " + fuzz::shown(header));
  return 0;
}
