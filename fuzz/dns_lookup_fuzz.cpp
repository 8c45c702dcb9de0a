// dns_lookup_fuzz: the stub resolver's lookup engine (dns::Lookup) driven by the input:
// a sequence of steps, each one byte of opcode and its operands. Responses are built
// from the query in flight (same id and question, so they pass the spoofing checks) with
// the header flags, the counts and the record bytes taken from the input, and arrive over
// UDP or TCP; timeouts and failed TCP connections come in between.
//
// Checks:
// - once done(), nothing more is handed out and the timeout is zero;
// - a stream query exists only after a truncated answer, once, and is the query in flight;
// - the number of queries stays within attempts and the CNAME limit (no runaway);
// - an Answer has records; every outcome has a detail;
// - after the input, timeouts alone end the lookup within its attempts.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "protocols/dns/lookup.hpp"

using namespace maillab;
using namespace maillab::dns;

namespace {

constexpr int kAttempts = 2;
constexpr int kCnames = 3;

struct Reader {
  const std::uint8_t* p;
  std::size_t n;
  bool empty() const { return n == 0; }
  std::uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  std::string take(std::size_t k) {
    k = std::min(k, n);
    std::string s(reinterpret_cast<const char*>(p), k);
    p += k;
    n -= k;
    return s;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader in{data, size};
  ResolverConfig cfg;
  cfg.attempts = kAttempts;
  cfg.max_cname_depth = kCnames;
  Lookup lookup("b.example", (in.byte() & 1) ? Type::A : Type::MX, 0x4242, cfg);
  std::string last_query;  // the query in flight, as last handed out
  const int max_sent = (kCnames + 1) * (kAttempts + 1);

  auto check_done_state = [&] {
    if (!lookup.done()) return;
    FUZZ_CHECK(!lookup.take_datagram(), "a datagram after done()");
    FUZZ_CHECK(!lookup.take_stream_query(), "a stream query after done()");
    FUZZ_CHECK(lookup.timeout().count() == 0, "a timeout after done()");
    FUZZ_CHECK(!lookup.result().detail.empty(), "an outcome without detail");
    if (lookup.result().outcome == Outcome::Answer) {
      FUZZ_CHECK(!lookup.result().answers.empty(), "an Answer without records");
    }
  };

  while (!in.empty() && !lookup.done()) {
    const std::uint8_t op = in.byte();
    switch (op % 5) {
      case 0:
        if (auto d = lookup.take_datagram()) last_query = *d;
        break;
      case 1:
        if (auto q = lookup.take_stream_query()) {
          FUZZ_CHECK(lookup.over_tcp(), "a stream query without a truncated answer");
          FUZZ_CHECK(*q == last_query, "the stream query is not the query in flight");
          FUZZ_CHECK(!lookup.take_stream_query(), "a second stream query for one truncation");
        }
        break;
      case 2: {  // a response to the query in flight, over UDP (op bit 3 clear) or TCP
        if (last_query.size() < 12) break;
        std::string r = last_query;
        const std::uint8_t flags = in.byte();
        r[2] = static_cast<char>(0x80 | (flags & 0x07));  // QR, AA, TC, RD as drawn
        r[3] = static_cast<char>(in.byte() & 0x8f);       // RA and RCODE
        r[6] = 0;
        r[7] = static_cast<char>(in.byte() & 0x07);  // ANCOUNT
        r[8] = 0;
        r[9] = static_cast<char>(in.byte() & 0x03);  // NSCOUNT
        r += in.take(in.byte());                     // the records, as drawn
        lookup.receive(r, (op & 8) ? Transport::Tcp : Transport::Udp);
        break;
      }
      case 3: lookup.on_timeout(); break;
      case 4: lookup.on_stream_failed("fuzz"); break;
    }
    FUZZ_CHECK(lookup.sent() <= max_sent, "queries sent: " + std::to_string(lookup.sent()));
    check_done_state();
  }
  for (int i = 0; i <= kAttempts && !lookup.done(); ++i) {
    lookup.take_datagram();
    lookup.take_stream_query();
    lookup.on_timeout();
  }
  FUZZ_CHECK(lookup.done(), "timeouts alone did not end the lookup");
  check_done_state();
  return 0;
}
