// dns::TcpServerSession: DNS over TCP's framing on the server side (RFC 1035 4.2.2, RFC
// 7766): any split of the input gives the same answers, in order; an incomplete message
// waits; a dropped message is reported and gets no answer; receive_some stops at an
// output limit; the idle timeout closes; a zone transfer (AXFR) comes back as the
// authority's messages, and pipelined transfers are held back like any other query.
#include <catch2/catch.hpp>

#include <random>

#include "protocols/dns/authority.hpp"
#include "protocols/dns/message.hpp"
#include "protocols/dns/tcp_server_session.hpp"
#include "protocols/dns/zone.hpp"

using namespace maillab::dns;

namespace {

Authority make_authority() {
  Authority a;
  auto z = parse_zone("$ORIGIN b.example.\n$TTL 60\n@ IN SOA ns.b.example. h.b.example. 1 3600 600 604800 300\n"
                      "@ IN MX 10 mx.b.example.\nmx IN A 192.0.2.2\n");
  REQUIRE(z.ok());
  a.add_zone(std::move(*z.zone));
  return a;
}

std::string framed(const std::string& m) {
  return std::string{static_cast<char>(m.size() >> 8), static_cast<char>(m.size() & 0xff)} + m;
}

std::string query(std::uint16_t id) { return framed(encode(make_query(id, "b.example.", Type::MX))); }

std::uint16_t answer_id(std::string_view out, std::size_t& at) {
  const std::size_t len = (static_cast<unsigned char>(out[at]) << 8) | static_cast<unsigned char>(out[at + 1]);
  const auto id = static_cast<std::uint16_t>((static_cast<unsigned char>(out[at + 2]) << 8) |
                                             static_cast<unsigned char>(out[at + 3]));
  at += 2 + len;
  return id;
}

}  // namespace

TEST_CASE("DNS over TCP: any split gives the same answers, in order", "[dns][tcp]") {
  const Authority auth = make_authority();
  std::string input;
  for (std::uint16_t id = 1; id <= 50; ++id) input += query(id);
  TcpServerSession whole(auth, std::chrono::milliseconds(10000), nullptr);
  whole.receive(input);
  const std::string expected = whole.take_output();
  std::size_t at = 0;
  for (std::uint16_t id = 1; id <= 50; ++id) CHECK(answer_id(expected, at) == id);
  CHECK(at == expected.size());

  std::mt19937 rng(3);
  for (int round = 0; round < 20; ++round) {
    TcpServerSession s(auth, std::chrono::milliseconds(10000), nullptr);
    std::string got;
    for (std::size_t i = 0; i < input.size();) {
      const std::size_t n = std::min<std::size_t>(1 + rng() % 40, input.size() - i);
      s.receive(std::string_view(input).substr(i, n));
      got += s.take_output();
      i += n;
    }
    CHECK(got == expected);
  }
}

TEST_CASE("DNS over TCP: drops, limits, timeout", "[dns][tcp]") {
  const Authority auth = make_authority();
  std::vector<std::size_t> dropped;
  TcpServerSession s(auth, std::chrono::milliseconds(10000), [&](std::size_t n) { dropped.push_back(n); });
  // A response (QR set) is never answered.
  Message response = make_query(7, "b.example.", Type::MX);
  response.qr = true;
  const std::string r = encode(response);
  s.receive(framed(r));
  CHECK(s.take_output().empty());
  CHECK(dropped == std::vector<std::size_t>{r.size()});
  // receive_some: one answer per call at a limit of 1 octet.
  const std::string two = query(1) + query(2);
  const std::size_t first = s.receive_some(two, 1);
  CHECK(first == query(1).size());
  CHECK(s.receive_some(std::string_view(two).substr(first), 1) == 0);  // output pending
  s.take_output();
  CHECK(s.receive_some(std::string_view(two).substr(first), 1) == query(2).size());
  CHECK(s.timeout() == std::chrono::milliseconds(10000));
  s.on_timeout();
  CHECK(s.closed());
  CHECK(s.timeout() == std::chrono::milliseconds(0));
  CHECK(s.receive_some(two, 1000) == two.size());
}

namespace {

Authority big_authority() {
  std::string z = "$ORIGIN huge.example.\n$TTL 60\n@ SOA ns.example. h.huge.example. 1 1 1 1 1\n";
  for (int i = 0; i < 3000; ++i) z += "host" + std::to_string(i) + " TXT \"" + std::string(40, 'x') + "\"\n";
  Authority a;
  auto parsed = parse_zone(z);
  REQUIRE(parsed.ok());
  a.add_zone(std::move(*parsed.zone));
  return a;
}

std::string axfr(std::uint16_t id) { return encode(make_query(id, "huge.example.", Type::AXFR)); }

}  // namespace

TEST_CASE("DNS over TCP: AXFR gives every message of the transfer, framed, in any split", "[dns][tcp]") {
  const Authority auth = big_authority();
  const auto messages = auth.handle_tcp(axfr(9));
  REQUIRE(messages.size() >= 2);  // 3,002 records do not fit one 64 KiB message
  std::string expected;
  for (const auto& m : messages) expected += framed(m);

  TcpServerSession s(auth, std::chrono::milliseconds(10000), nullptr);
  const std::string input = framed(axfr(9));
  std::string got;
  for (char c : input) {  // one octet at a time
    s.receive(std::string_view(&c, 1));
    got += s.take_output();
  }
  CHECK(got == expected);
  std::size_t at = 0, n = 0;
  while (at < got.size()) {
    CHECK(answer_id(got, at) == 9);
    ++n;
  }
  CHECK(n == messages.size());
}

TEST_CASE("DNS over TCP: pipelined AXFRs stop at the output limit, one transfer at a time", "[dns][tcp]") {
  const Authority auth = big_authority();
  std::size_t zone_bytes = 0;  // one transfer, framed
  for (const auto& m : auth.handle_tcp(axfr(1))) zone_bytes += 2 + m.size();
  std::string input;
  for (int i = 0; i < 100; ++i) input += framed(axfr(1));
  TcpServerSession s(auth, std::chrono::milliseconds(10000), nullptr);
  constexpr std::size_t kLimit = 256 * 1024;

  // A peer that never reads: the session takes queries until the limit, then none.
  const std::size_t first = s.receive_some(input, kLimit);
  CHECK(first < input.size());
  CHECK(s.receive_some(std::string_view(input).substr(first), kLimit) == 0);
  const std::string held = s.take_output();
  CHECK(held.size() >= kLimit);
  CHECK(held.size() < kLimit + zone_bytes);  // the limit plus one transfer at most

  // A peer that reads: every transfer comes, none above the bound.
  std::size_t consumed = first, transfers = held.size() / zone_bytes;
  while (consumed < input.size()) {
    consumed += s.receive_some(std::string_view(input).substr(consumed), kLimit);
    const std::string out = s.take_output();
    CHECK(out.size() < kLimit + zone_bytes);
    transfers += out.size() / zone_bytes;
  }
  CHECK(transfers == 100);
}
