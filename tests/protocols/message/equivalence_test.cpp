// The fast transforms in protocols/message give byte for byte what the simple ones they
// replaced gave (reference_impl.hpp), on random inputs full of the octets that matter:
// CR, LF, '.', ':', SP, HTAB, NUL, 0x80-0xFF.
#include <catch2/catch.hpp>

#include <climits>
#include <random>

#include "protocols/message/line_endings.hpp"
#include "reference_impl.hpp"

namespace msg = maillab::message;

namespace {

constexpr char kEdgeAlphabet[] = {'\r', '\n', '.', ':', ' ', '\t', '\0', '\x80', '\xff', '\xc3',
                                  'a', 'Z', '-', '<', '>', '@', '(', ')', '=', '?'};

struct Gen {
  std::mt19937_64 rng{20260302};

  std::size_t below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); }

  // Up to `max` octets from the edge alphabet, sometimes with long plain runs (the
  // word-at-a-time paths) or a single high octet.
  std::string bytes(std::size_t max) {
    std::string s;
    const std::size_t n = below(max + 1);
    const int style = static_cast<int>(below(4));
    for (std::size_t i = 0; i < n; ++i) {
      if (style == 0) s += kEdgeAlphabet[below(sizeof kEdgeAlphabet)];
      else if (style == 1) s += below(8) == 0 ? kEdgeAlphabet[below(sizeof kEdgeAlphabet)] : 'x';
      else if (style == 2) s += static_cast<char>(below(256));
      else s += below(40) == 0 ? (below(2) ? "\r\n" : "\n") : "w ";
    }
    if (style == 1 && !s.empty() && below(2)) s[below(s.size())] = static_cast<char>(0x80 + below(128));
    return s;
  }

  // Header-ish text: fields, folds, malformed lines, empty lines, either line ending.
  std::string message_text() {
    static const char* kPieces[] = {"From: a@a.example", "Subject:  x y ", "Received: by h", "X-A :v",
                                    " folded", "\tfolded", "no colon", ": empty name", "", " ",
                                    "A:", "B: \xc3\xa9", "C: ::", "long: " "aaaa bbbb cccc dddd eeee"};
    std::string s;
    const std::size_t lines = below(12);
    for (std::size_t i = 0; i < lines; ++i) {
      s += below(6) == 0 ? bytes(20) : std::string(kPieces[below(std::size(kPieces))]);
      const std::size_t e = below(8);
      s += e < 5 ? "\r\n" : e < 7 ? "\n" : "";
    }
    if (below(2)) s += bytes(60);
    return s;
  }

  std::string name() {
    static const char* kNames[] = {"From", "to", "CC", "Subject", "date", "Message-Id", "MIME-Version",
                                   "content-type", "Content-Transfer-Encoding", "BCC", "", "X-Tag",
                                   "x-tag", "Reply-To"};
    return kNames[below(std::size(kNames))];
  }
};

}  // namespace

TEST_CASE("line ending transforms match the reference on random bytes", "[message][equivalence]") {
  Gen g;
  for (int i = 0; i < 20000; ++i) {
    const std::string in = g.bytes(i % 10 == 0 ? 400 : 40);
    INFO(i);
    REQUIRE(msg::to_crlf(in) == ref::to_crlf(in));
    REQUIRE(msg::lf_to_crlf(in) == ref::lf_to_crlf(in));
    REQUIRE(msg::crlf_to_lf(in) == ref::crlf_to_lf(in));
    REQUIRE(msg::is_ascii(in) == ref::is_ascii(in));
    std::string appended = "prefix";
    msg::append_crlf(appended, in);
    REQUIRE(appended == "prefix" + ref::to_crlf(in));
  }
  for (const char* in : {"", "\r", "\n", "\r\n", "\n\r", "\r\r\n\n", "a\r", "\nb", "x\r\n", "\r\n\r\n."})
    CHECK(msg::to_crlf(in) == ref::to_crlf(in));
  CHECK(msg::crlf_to_lf("\r\n\r\r\n") == "\n\r\n");
  CHECK(msg::lf_to_crlf("\n\r\n\n") == "\r\n\r\n\r\n");
  // The high octet in each position of a 32-octet block and of the tail.
  for (std::size_t len : {1u, 7u, 8u, 9u, 31u, 32u, 33u, 70u}) {
    for (std::size_t at = 0; at < len; ++at) {
      std::string s(len, 'a');
      s[at] = '\x80';
      CHECK_FALSE(msg::is_ascii(s));
    }
    CHECK(msg::is_ascii(std::string(len, '\x7f')));
  }
}

TEST_CASE("fold_field, unfold_value and iequals match the reference", "[message][equivalence]") {
  Gen g;
  for (int i = 0; i < 20000; ++i) {
    const std::string name = g.below(4) ? g.name() : g.bytes(8);
    std::string value = g.bytes(g.below(3) == 0 ? 300 : 90);
    const std::string eol = g.below(3) ? "\r\n" : "\n";
    INFO(i);
    REQUIRE(msg::fold_field(name, value, eol) == ref::fold_field(name, value, eol));
    const std::string raw = name + ":" + value;
    REQUIRE(msg::unfold_value(raw) == ref::unfold_value(raw));
    REQUIRE(msg::unfold_value(value) == ref::unfold_value(value));
    std::string other = name;
    for (char& c : other)
      if (g.below(2)) c = static_cast<char>(c ^ 0x20);
    REQUIRE(msg::iequals(name, other) == ref::iequals(name, other));
    REQUIRE(msg::iequals(name, value) == ref::iequals(name, value));
  }
  CHECK(msg::fold_field("X", "a\r") == "X: a\r\n");  // a CR at the very end is dropped
  CHECK(msg::unfold_value("X: a\r") == "a\r");
  CHECK(msg::unfold_value("X:\r\n \r\n\t b \r\n c\r\n") == "b  c");
  CHECK(msg::iequals("@[`{", "@[`{"));
  CHECK_FALSE(msg::iequals("@", "`"));  // 0x40 and 0x60 differ by 0x20 but are not letters
  CHECK_FALSE(msg::iequals("[", "{"));
}

TEST_CASE("Message::parse matches the reference parser", "[message][equivalence]") {
  Gen g;
  for (int i = 0; i < 20000; ++i) {
    const std::string in = g.below(10) ? g.message_text() : g.bytes(120);
    INFO(i);
    const msg::Message m = msg::Message::parse(in);
    const ref::Parsed r = ref::parse(in);
    REQUIRE(m.fields().size() == r.fields.size());
    for (std::size_t k = 0; k < r.fields.size(); ++k) {
      REQUIRE(m.fields()[k].name == r.fields[k].name);
      REQUIRE(m.fields()[k].raw == r.fields[k].raw);
    }
    REQUIRE(m.body() == r.body);
    REQUIRE(m.eol() == r.eol);
    std::string section;
    for (const auto& f : r.fields) section += f.raw;
    REQUIRE(m.header_section() == section);
    REQUIRE(m.serialize() == section + r.separator + r.body);
    REQUIRE(m.serialize() == in);
  }
  // Every octet right after a name run of each length (the word-at-a-time name scan).
  for (int len = 1; len <= 20; ++len) {
    for (int b = 0; b < 256; ++b) {
      std::string in = std::string("Content-Transfer-Encoding").substr(0, len) + static_cast<char>(b) + "x: v\r\n" +
                       std::string("Long-Field-Name-Here").substr(0, len) + static_cast<char>(b) + " :\r\n\r\nb";
      INFO(len << " " << b);
      const msg::Message m = msg::Message::parse(in);
      const ref::Parsed r = ref::parse(in);
      REQUIRE(m.fields().size() == r.fields.size());
      for (std::size_t k = 0; k < r.fields.size(); ++k) REQUIRE(m.fields()[k].name == r.fields[k].name);
    }
  }
}

TEST_CASE("dates, message ids and Received values match the reference", "[message][equivalence]") {
  Gen g;
  std::vector<int64_t> times = {0, -1, 1, INT64_MIN, INT64_MAX, INT64_MIN + 1, 86'400'000'000'000LL,
                                -86'400'000'000'000LL};
  for (int i = 0; i < 5000; ++i) times.push_back(static_cast<int64_t>(g.rng()));
  for (int i = 0; i < 5000; ++i)
    times.push_back(static_cast<int64_t>(g.below(400ULL * 365 * 86400)) * 1'000'000'000LL - 200LL * 365 * 86400 * 1'000'000'000LL);
  for (int64_t t : times) {
    INFO(t);
    REQUIRE(msg::rfc5322_date(t) == ref::rfc5322_date(t));
    REQUIRE(msg::mbox_date(t) == ref::mbox_date(t));
    REQUIRE(msg::compact_date(t) == ref::compact_date(t));
    const uint64_t unique = g.below(3) ? g.below(1000) : g.rng();
    REQUIRE(msg::make_message_id("mua.d1.bench", unique, t) == ref::make_message_id("mua.d1.bench", unique, t));
  }
  for (int i = 0; i < 5000; ++i) {
    msg::ReceivedInfo ri;
    auto maybe = [&](std::string s) { return g.below(3) ? s : std::string(); };
    ri.from_helo = maybe("client.example");
    ri.from_host = maybe(g.below(2) ? "unknown" : "h.example");
    ri.from_address = maybe(g.below(2) ? "192.0.2.1" : g.below(2) ? "2001:db8::1" : "IPv6:2001:db8::2");
    ri.by_host = maybe("mx.b.example");
    ri.with = maybe("ESMTP");
    ri.id = maybe("18A2B3CQ1");
    ri.for_rcpt = maybe(g.below(2) ? "<bob@b.example>" : "bob@b.example");
    ri.sim_ns = static_cast<int64_t>(g.rng());
    REQUIRE(msg::received_value(ri) == ref::received_value(ri));
  }
}

TEST_CASE("compose matches the reference composer on random drafts", "[compose][equivalence]") {
  Gen g;
  auto addresses = [&] {
    std::vector<std::string> v;
    const std::size_t n = g.below(4);
    for (std::size_t k = 0; k < n; ++k) v.push_back(g.below(4) ? "u" + std::to_string(k) + "@d.example" : g.bytes(30));
    return v;
  };
  for (int i = 0; i < 5000; ++i) {
    msg::Draft d;
    d.from = g.below(4) ? "Alice <alice@a.example>" : g.bytes(100);
    d.to = addresses();
    d.cc = addresses();
    d.bcc = addresses();
    d.subject = g.below(2) ? "bench " + std::to_string(i) : g.bytes(120);
    d.body = g.bytes(g.below(5) == 0 ? 2000 : 200);
    const std::size_t extras = g.below(3) == 0 ? g.below(6) : 0;
    for (std::size_t k = 0; k < extras; ++k) d.extra_headers.emplace_back(g.name(), g.bytes(100));
    const std::string id = g.below(2) ? "<20260302090000.7@a.example>" : g.bytes(20);
    const int64_t t = static_cast<int64_t>(g.rng());
    INFO(i);
    REQUIRE(msg::compose(d, t, id) == ref::compose(d, t, id));
  }
}

TEST_CASE("MessageView reads and extends messages as Message does", "[message][equivalence]") {
  Gen g;
  static const char* kLookups[] = {"From", "subject", "RECEIVED", "x-a", "A", "b", "C", "long", "no colon", ""};
  for (int i = 0; i < 20000; ++i) {
    const std::string in = g.below(10) ? g.message_text() : g.bytes(120);
    INFO(i);
    msg::Message m = msg::Message::parse(in);
    const msg::MessageView v = msg::MessageView::parse(in);
    REQUIRE(v.header_section() == m.header_section());
    REQUIRE(v.body() == m.body());
    REQUIRE(v.eol() == m.eol());
    for (const char* name : kLookups) {
      REQUIRE(v.header(name) == m.header(name));
      REQUIRE(v.headers(name) == m.headers(name));
      REQUIRE(v.count(name) == m.count(name));
    }
    REQUIRE(v.serialize_with({}) == in);
    // Random fields on top and at the bottom, some long enough to fold, some with breaks.
    std::vector<std::pair<std::string, std::string>> top, bottom;
    for (std::size_t k = g.below(3); k > 0; --k) top.emplace_back(g.name(), g.bytes(100));
    for (std::size_t k = g.below(2); k > 0; --k) bottom.emplace_back(g.name(), g.bytes(100));
    std::vector<msg::MessageView::NewField> top_views(top.begin(), top.end());
    std::vector<msg::MessageView::NewField> bottom_views(bottom.begin(), bottom.end());
    // Message's calls interleaved (the order between prepend and add does not matter).
    std::size_t added = 0;
    for (const auto& [name, value] : top) {
      if (added < bottom.size() && g.below(2)) m.add_header(bottom[added].first, bottom[added].second), ++added;
      m.prepend_header(name, value);
    }
    for (; added < bottom.size(); ++added) m.add_header(bottom[added].first, bottom[added].second);
    REQUIRE(v.serialize_with(top_views, bottom_views) == m.serialize());
  }
  // By hand: the edge cases of Message's own tests.
  const msg::MessageView::NewField rp[] = {{"Delivered-To", "b@b.example"}, {"Return-Path", "<a@a.example>"}};
  CHECK(msg::MessageView::parse("just text\r\n").serialize_with(rp) ==
        "Return-Path: <a@a.example>\r\nDelivered-To: b@b.example\r\n\r\njust text\r\n");
  CHECK(msg::MessageView::parse("From: a").serialize_with({}, rp) ==
        "From: a\r\nDelivered-To: b@b.example\r\nReturn-Path: <a@a.example>\r\n");
  CHECK(msg::MessageView::parse("").serialize_with(std::span(rp, 1)) == "Delivered-To: b@b.example\r\n\r\n");
  CHECK(msg::MessageView::parse("From: a\n\nbody\n").serialize_with(std::span(rp, 1)) ==
        "Delivered-To: b@b.example\nFrom: a\n\nbody\n");
}
