// The openspf RFC 7208 test suite (data/rfc7208-suite.txt): every case, with the DNS
// answering at once and again with every answer deferred (the asynchronous path).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>

#include "protocols/auth/spf_check.hpp"
#include "spf_suite.hpp"

using namespace maillab::auth;

namespace {

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

SpfOutcome run_case(const spf_suite::Section& section, const spf_suite::Case& c, bool deferred) {
  FakeDns dns;
  spf_suite::fill(dns, section);
  dns.set_deferred(deferred);
  SpfRequest req;
  req.client_ip = c.host;
  req.mail_from = c.mailfrom;
  req.helo = c.helo;
  req.receiver = "mx.test";
  SpfCheck check(dns, req);
  int calls = 0;
  SpfOutcome got;
  check.start([&](const SpfOutcome& o) {
    ++calls;
    got = o;
  });
  if (deferred) dns.deliver();
  REQUIRE(calls == 1);
  return got;
}

}  // namespace

TEST_CASE("openspf RFC 7208 suite", "[spf][rfc7208]") {
  auto sections = spf_suite::load(std::string(MAILLAB_SOURCE_DIR) + "/tests/protocols/auth/data/rfc7208-suite.txt");
  std::size_t cases = 0;
  for (const auto& section : sections) {
    for (const auto& c : section.cases) {
      for (bool deferred : {false, true}) {
        INFO(section.title << " / " << c.name << " (" << c.spec << ")" << (deferred ? " deferred" : ""));
        auto got = run_case(section, c, deferred);
        INFO("got " << to_string(got.result) << " problem: " << got.problem << " exp: " << got.explanation);
        CHECK(std::find(c.results.begin(), c.results.end(), std::string(to_string(got.result))) != c.results.end());
        if (c.explanation == "DEFAULT") {
          CHECK(got.explanation.empty());
        } else if (!c.explanation.empty()) {
          // Case-insensitively: the suite writes %{ir} of an IPv6 address in upper case,
          // RFC 7208 7.4's example (and the lab) in lower case.
          CHECK(lower(got.explanation) == lower(c.explanation));
        }
      }
      ++cases;
    }
  }
  CHECK(cases == 198);
}
