// The queue file's on-disk text: the exact bytes (a crash reload reads what an older run
// wrote, so the format may not drift), escaping, and the parse/serialize round trip.
#include <catch2/catch.hpp>

#include <random>

#include "protocols/mta/queue_file.hpp"

using namespace maillab::mta;

namespace {

QueueFile sample() {
  QueueFile q;
  q.id = "5F5E100Q2A";
  q.state = QueueState::kDeferred;
  q.arrival = 1234567890123;
  q.sender = "alice@a.example";
  q.envid = "env\\id";
  q.ret_headers = true;
  q.subject = "tab\there, line\r\nend";
  q.message_id = "<1@a.example>";
  q.client = "mua.a.example [10.0.0.1]";
  q.attempts = 3;
  q.next_attempt = -5;
  q.warned = true;
  QueueRecipient r;
  r.address = "bob@b.example";
  r.original = "bobby@b.example";
  r.state = RcptState::kFailed;
  r.status = "5.1.1";
  r.diagnostic = "smtp; 550 5.1.1 <bob@b.example>:\tUser unknown\n";
  r.remote_mta = "mx.b.example";
  r.reported = true;
  q.rcpts.push_back(r);
  QueueRecipient p;
  p.address = "carol@c.example";
  q.rcpts.push_back(p);
  return q;
}

}  // namespace

TEST_CASE("queue file: the exact bytes on disk") {
  CHECK(sample().serialize() ==
        "id\t5F5E100Q2A\n"
        "state\tdeferred\n"
        "arrival\t1234567890123\n"
        "sender\talice@a.example\n"
        "envid\tenv\\\\id\n"
        "ret\tHDRS\n"
        "subject\ttab\\there, line\\r\\nend\n"
        "msgid\t<1@a.example>\n"
        "client\tmua.a.example [10.0.0.1]\n"
        "attempts\t3\n"
        "next\t-5\n"
        "warned\t1\n"
        "rcpt\tbob@b.example\tbobby@b.example\tfailed\t5.1.1\t"
        "smtp; 550 5.1.1 <bob@b.example>:\\tUser unknown\\n\tmx.b.example\t1\n"
        "rcpt\tcarol@c.example\t\tpending\t\t\t\t0\n");
}

TEST_CASE("queue file: parse gives back what serialize wrote") {
  const QueueFile q = sample();
  auto back = QueueFile::parse(q.serialize());
  REQUIRE(back);
  CHECK(back->serialize() == q.serialize());
  CHECK(back->subject == q.subject);
  CHECK(back->envid == q.envid);
  REQUIRE(back->rcpts.size() == 2);
  CHECK(back->rcpts[0].diagnostic == q.rcpts[0].diagnostic);
  CHECK(back->rcpts[0].state == RcptState::kFailed);
  CHECK(back->next_attempt == -5);
}

TEST_CASE("queue file: any field text survives the round trip") {
  std::mt19937 rng(7);
  const std::string alphabet = "ab\\\t\r\n \x80:";
  for (int i = 0; i < 2000; ++i) {
    QueueFile q = sample();
    std::string s;
    const int n = static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) s += alphabet[rng() % alphabet.size()];
    q.subject = s;
    q.rcpts[1].diagnostic = s + s;
    auto back = QueueFile::parse(q.serialize());
    REQUIRE(back);
    REQUIRE(back->subject == s);
    REQUIRE(back->rcpts[1].diagnostic == s + s);
  }
}

TEST_CASE("queue file: text without an id is not a queue file") {
  CHECK_FALSE(QueueFile::parse("state\tactive\n"));
  CHECK_FALSE(QueueFile::parse("id\tX\narrival\tnot-a-number\n"));
}

TEST_CASE("queue file: escapes found at every position of long values") {
  // Values longer than a machine word, with one special byte at each position: the
  // word-at-a-time scan must not skip it.
  for (char special : {'\\', '\t', '\n', '\r'}) {
    for (std::size_t len : {7u, 8u, 9u, 16u, 23u, 40u}) {
      for (std::size_t at = 0; at < len; ++at) {
        std::string v(len, 'x');
        v[at] = special;
        QueueFile q = sample();
        q.subject = v;
        const std::string text = q.serialize();
        const std::string escaped = special == '\\' ? "\\\\" : special == '\t' ? "\\t" : special == '\n' ? "\\n" : "\\r";
        const std::string want = "subject\t" + std::string(at, 'x') + escaped + std::string(len - at - 1, 'x') + "\n";
        REQUIRE(text.find(want) != std::string::npos);
        auto back = QueueFile::parse(text);
        REQUIRE(back);
        REQUIRE(back->subject == v);
      }
    }
  }
  // Bytes below 14 that are not specials pass through unescaped.
  QueueFile q = sample();
  q.subject = std::string("ab\x01\x0b\x0c" "cdefghijk", 14);
  CHECK(q.serialize().find("subject\tab\x01\x0b\x0c" "cdefghijk\n") != std::string::npos);
}
