// smtp_client_fuzz: arbitrary server bytes (replies) into smtp::ClientSession, split into
// many receive() calls, after add()ing a message with two recipients.
//
// Flags (fuzz_support.hpp): bit 0 a second message (two recipients too) is added, bit 1
// AUTH credentials are configured, bit 2 PIPELINING is not used, bit 3 finish() is
// called after the add()s, bit 4 the second message is added only after the replies
// (connection reuse, or an add() after the session ended), bit 5 the session ends with
// on_timeout() instead of receive_eof().
//
// Checks:
// - after the end every added message has exactly one TransactionOutcome, in add()
//   order, with one reply per recipient (same recipients, same order), each final
//   (code 200..599), and the MAIL reply set;
// - a recipient reported 2xx means the server took the message: the dot was sent and
//   acknowledged (data_sent && data_acknowledged); data_acknowledged implies data_sent;
// - the session is closed at the end, timeout() is 0 exactly when closed, and nothing
//   is sent after closed();
// - what the client sends is CRLF lines only (commands, and content dot-stuffed with
//   bare line ends normalised);
// - the split does not matter: the same replies fed one byte at a time give the same
//   output and the same outcomes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocols/smtp/client_session.hpp"

using namespace maillab;
using namespace maillab::smtp;
using fuzz::Input;

namespace {

OutgoingMessage make_message(int n) {
  OutgoingMessage m;
  m.from = parse_mailbox("alice@a.example").path;
  const std::string tag = std::to_string(n);
  m.rcpts.push_back(Recipient{parse_mailbox("bob" + tag + "@b.example").path, {}});
  m.rcpts.push_back(Recipient{parse_mailbox("carol" + tag + "@c.example").path, {}});
  m.content = std::make_shared<const std::string>(
      "From: alice@a.example\r\nSubject: test " + tag +
      "\r\n\r\nhello\r\n.\r\n..two\r\n.dot\nbare lf\rbare cr\r\nend\r\n");
  return m;
}

struct Result {
  std::string output;
  std::vector<TransactionOutcome> outcomes;
  std::size_t added = 0;
};

template <class Feed>
Result run(const Input& in, Feed&& feed_all) {
  ClientConfig config;
  config.helo_name = "client.a.example";
  config.peer_name = "mx.b.example[192.0.2.25]";
  if (in.flag(1)) config.auth = std::make_pair(std::string("alice"), std::string("secret"));
  config.pipelining = !in.flag(2);

  ClientSession s(config);
  Result r;
  s.add(make_message(1));
  ++r.added;
  const bool second = in.flag(0);
  const bool second_late = in.flag(4);
  if (second && !second_late) {
    s.add(make_message(2));
    ++r.added;
  }
  if (in.flag(3)) s.finish();
  r.output = s.take_output();

  feed_all([&](std::string_view chunk) {
    const bool was_closed = s.closed();
    s.receive(chunk);
    const std::string out = s.take_output();
    FUZZ_CHECK(!was_closed || out.empty(), "output after closed(): " + fuzz::shown(out));
    FUZZ_CHECK(s.closed() == (s.timeout().count() == 0), "timeout() is 0 exactly when closed");
    r.output += out;
  });
  if (second && second_late) {
    s.add(make_message(2));
    ++r.added;
  }
  if (in.flag(5)) s.on_timeout();
  else s.receive_eof();
  r.output += s.take_output();
  FUZZ_CHECK(s.closed(), "not closed at the end");
  FUZZ_CHECK(s.timeout().count() == 0, "a timeout once closed");
  FUZZ_CHECK(fuzz::crlf_only(r.output), fuzz::shown(r.output));
  r.outcomes = s.outcomes();
  return r;
}

void check_outcomes(const Result& r) {
  FUZZ_CHECK(r.outcomes.size() == r.added,
             std::to_string(r.outcomes.size()) + " outcomes for " + std::to_string(r.added) + " messages");
  for (std::size_t i = 0; i < r.outcomes.size(); ++i) {
    const TransactionOutcome& o = r.outcomes[i];
    const OutgoingMessage m = make_message(static_cast<int>(i) + 1);
    FUZZ_CHECK(o.mail_reply.code >= 200 && o.mail_reply.code <= 599, o.mail_reply.summary());
    FUZZ_CHECK(o.rcpts.size() == m.rcpts.size(), "one reply per recipient");
    FUZZ_CHECK(!o.data_acknowledged || o.data_sent, "acknowledged data that was never sent");
    for (std::size_t k = 0; k < o.rcpts.size(); ++k) {
      FUZZ_CHECK(o.rcpts[k].rcpt == m.rcpts[k].path, "recipients out of order: " + o.rcpts[k].rcpt.bracketed());
      const Reply& reply = o.rcpts[k].reply;
      FUZZ_CHECK(reply.code >= 200 && reply.code <= 599, "not final: " + reply.summary());
      FUZZ_CHECK(!reply.positive_completion() || (o.data_sent && o.data_acknowledged),
                 "2xx for " + o.rcpts[k].rcpt.bracketed() + " without an acknowledged dot: " + reply.summary());
    }
  }
}

bool same(const std::vector<TransactionOutcome>& a, const std::vector<TransactionOutcome>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!(a[i].mail_reply == b[i].mail_reply) || a[i].data_sent != b[i].data_sent ||
        a[i].data_acknowledged != b[i].data_acknowledged || a[i].rcpts.size() != b[i].rcpts.size())
      return false;
    for (std::size_t k = 0; k < a[i].rcpts.size(); ++k)
      if (!(a[i].rcpts[k].rcpt == b[i].rcpts[k].rcpt) || !(a[i].rcpts[k].reply == b[i].rcpts[k].reply)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Input in = Input::from(data, size);
  const Result a = run(in, [&](auto&& feed) { in.feed_chunks(feed); });
  check_outcomes(a);
  const Result b = run(in, [&](auto&& feed) {
    for (std::size_t i = 0; i < in.payload.size(); ++i) feed(in.payload.substr(i, 1));
  });
  FUZZ_CHECK(a.output == b.output,
             "chunked:\n" + fuzz::shown(a.output, 4000) + "\nbyte-by-byte:\n" + fuzz::shown(b.output, 4000));
  FUZZ_CHECK(same(a.outcomes, b.outcomes), "outcomes differ with the split");
  return 0;
}
