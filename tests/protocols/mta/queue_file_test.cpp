// The queue file's on-disk text: the exact bytes (a crash reload reads what an older run
// wrote, so the format may not drift), escaping, and the parse/serialize round trip.
#include <catch2/catch.hpp>

#include <charconv>
#include <cstdint>
#include <limits>
#include <random>
#include <string_view>

#include "protocols/mta/queue_file.hpp"

using namespace maillab::mta;

namespace {

QueueFile sample() {
  QueueFile q;
  q.id = "5F5E100Q2A";
  q.state = QueueState::Deferred;
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
  r.state = RcptState::Failed;
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
  CHECK(back->rcpts[0].state == RcptState::Failed);
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

namespace {

// The serializer before the one-buffer rewrite (per-field appends, byte-at-a-time
// escaping), verbatim, as the reference for the exact bytes.
bool needs_escape(char c) {
  // '\t' 9, '\n' 10, '\r' 13 and '\\' 92: one test for the common byte.
  const auto u = static_cast<unsigned char>(c);
  return u <= 13 ? (u == 9 || u == 10 || u == 13) : u == 92;
}

void append_escaped(std::string& out, std::string_view v) {
  std::size_t run = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (!needs_escape(c)) continue;
    out.append(v.data() + run, i - run);
    out += '\\';
    out += c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
    run = i + 1;
  }
  out.append(v.data() + run, v.size() - run);
}

template <class T>
void append_number(std::string& out, T v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

const char* rcpt_state_name(RcptState s) {
  switch (s) {
    case RcptState::Pending: return "pending";
    case RcptState::Delivered: return "delivered";
    case RcptState::Failed: return "failed";
  }
  return "pending";
}

std::string reference_serialize(const QueueFile& q) {
  std::string out;
  std::size_t need = 160 + q.id.size() + q.sender.size() + q.envid.size() + q.subject.size() +
                     q.message_id.size() + q.client.size();
  for (const auto& r : q.rcpts) {
    need += 32 + r.address.size() + r.original.size() + r.status.size() + r.diagnostic.size() +
            r.remote_mta.size();
  }
  out.reserve(need);
  auto field = [&](std::string_view k, std::string_view v) {
    out.append(k).append(1, '\t');
    append_escaped(out, v);
    out += '\n';
  };
  auto number = [&](std::string_view k, auto v) {
    out.append(k).append(1, '\t');
    append_number(out, v);
    out += '\n';
  };
  field("id", q.id);
  field("state", queue_state_name(q.state));
  number("arrival", q.arrival);
  field("sender", q.sender);
  field("envid", q.envid);
  field("ret", q.ret_headers ? "HDRS" : "FULL");
  field("subject", q.subject);
  field("msgid", q.message_id);
  field("client", q.client);
  number("attempts", q.attempts);
  number("next", q.next_attempt);
  field("warned", q.warned ? "1" : "0");
  for (const auto& r : q.rcpts) {
    out += "rcpt";
    for (std::string_view v :
         {std::string_view(r.address), std::string_view(r.original),
          std::string_view(rcpt_state_name(r.state)), std::string_view(r.status),
          std::string_view(r.diagnostic), std::string_view(r.remote_mta),
          std::string_view(r.reported ? "1" : "0")}) {
      out += '\t';
      append_escaped(out, v);
    }
    out += '\n';
  }
  return out;
}

}  // namespace

TEST_CASE("queue file: serialize writes what the reference serializer wrote, on random envelopes") {
  // Edge bytes: the four escaped ones, their neighbours below 14, NUL, 8-bit bytes, '.', ':'.
  const std::string alphabet("ab.:\\\t\r\n \x80\xff\x01\x0b\x0c\x0e\x5b\x5d\x9c", 19);
  REQUIRE(alphabet.size() == 19);
  const std::string with_nul = alphabet + std::string(1, '\0');
  std::mt19937 rng(11);
  auto text = [&](std::size_t max) {
    std::string s;
    const std::size_t n = rng() % (max + 1);
    for (std::size_t k = 0; k < n; ++k) s += with_nul[rng() % with_nul.size()];
    return s;
  };
  for (int i = 0; i < 3000; ++i) {
    QueueFile q;
    // Every few envelopes a long one: more than the serializer's on-stack buffer.
    const std::size_t max = i % 50 == 0 ? 700 : 40;
    q.id = text(max);
    q.state = static_cast<QueueState>(rng() % 4);
    q.arrival = static_cast<std::int64_t>(rng()) * (rng() % 2 ? 1 : -1) * 1000003;
    if (i == 1) q.arrival = std::numeric_limits<std::int64_t>::min();
    if (i == 2) q.arrival = std::numeric_limits<std::int64_t>::max();
    q.sender = text(max);
    q.envid = text(max);
    q.ret_headers = rng() % 2;
    q.subject = text(max);
    q.message_id = text(max);
    q.client = text(max);
    q.attempts = static_cast<int>(rng() % 7) - 1;
    if (i == 3) q.attempts = std::numeric_limits<int>::min();
    q.next_attempt = static_cast<std::int64_t>(rng()) << (rng() % 32);
    q.warned = rng() % 2;
    const std::size_t n = rng() % 4;
    for (std::size_t k = 0; k < n; ++k) {
      QueueRecipient r;
      r.address = text(max);
      r.original = text(max);
      r.state = static_cast<RcptState>(rng() % 3);
      r.status = text(8);
      r.diagnostic = text(max * 2);
      r.remote_mta = text(max);
      r.reported = rng() % 2;
      q.rcpts.push_back(std::move(r));
    }
    REQUIRE(q.serialize() == reference_serialize(q));
  }
}

TEST_CASE("queue file: values made only of escaped bytes, and empty values") {
  QueueFile q;
  q.id = "X";
  q.subject = std::string(1500, '\\');  // the worst case, past the on-stack buffer
  q.client = std::string(37, '\n');
  QueueRecipient r;
  r.diagnostic = std::string(9, '\r') + std::string(8, '\t');
  q.rcpts.push_back(r);
  q.rcpts.push_back(QueueRecipient{});
  CHECK(q.serialize() == reference_serialize(q));
  CHECK(q.serialize().find("subject\t" + std::string(3000, '\\') + "\n") != std::string::npos);
  CHECK(QueueFile{}.serialize() == reference_serialize(QueueFile{}));
}

TEST_CASE("queue file: a folder for local delivery is kept, and absent for the inbox") {
  QueueFile q = sample();
  CHECK(q.serialize().find("folder") == std::string::npos);  // files written before stay byte-identical
  q.folder = "Junk";
  const std::string text = q.serialize();
  CHECK(text.find("client\tmua.a.example [10.0.0.1]\nfolder\tJunk\n") != std::string::npos);
  auto back = QueueFile::parse(text);
  REQUIRE(back);
  CHECK(back->folder == "Junk");
}

TEST_CASE("queue file: SMTPUTF8 is kept as one line, written only when set") {
  QueueFile q = sample();
  CHECK(q.serialize().find("smtputf8") == std::string::npos);  // envelopes without it stay as they were
  q.smtputf8 = true;
  q.rcpts[1].address = "\xd0\xb8\xd0\xb2\xd0\xb0\xd0\xbd@b.example";
  const std::string text = q.serialize();
  CHECK(text.find("ret\tHDRS\nsmtputf8\t1\nsubject\t") != std::string::npos);
  const auto back = QueueFile::parse(text);
  REQUIRE(back);
  CHECK(back->smtputf8);
  CHECK(back->rcpts[1].address == q.rcpts[1].address);
  CHECK(back->serialize() == text);
}

TEST_CASE("queue file: a recipient's NOTIFY and ORCPT (RFC 3461) survive a reload") {
  QueueFile q = sample();
  q.rcpts[1].notify = 2 | 4;  // SUCCESS,FAILURE
  q.rcpts[1].orcpt = "rfc822;Carol\t@c.example";
  const std::string text = q.serialize();
  CHECK(text.find("rcpt\tcarol@c.example\t\tpending\t\t\t\t0\t6\trfc822;Carol\\t@c.example\n") != std::string::npos);
  auto back = QueueFile::parse(text);
  REQUIRE(back);
  CHECK(back->rcpts[1].notify == 6);
  CHECK(back->rcpts[1].orcpt == q.rcpts[1].orcpt);
  CHECK(back->rcpts[0].notify == 0);  // older lines (8 fields) still read
  CHECK(back->serialize() == text);
}
