// pop3_client_fuzz: arbitrary server bytes into pop3::ClientSession (one scripted
// retrieval), split into many receive() calls.
//
// Flags (fuzz_support.hpp): bits 0-1 the auth method (Best, UserPass, Apop, SaslPlain),
// bit 2 delete_after_retrieve, bit 3 only_new with "u1" known, bit 4 the session ends with
// on_timeout() instead of receive_eof().
//
// Checks:
// - status() leaves InProgress at most once and never changes afterwards; at the end the
//   session is closed and the status is final (Done only if it was Done before the end,
//   TimedOut/ConnectionLost when the end came first);
// - deletions_committed() needs delete_after_retrieve, and stays true once true;
// - retrieved messages have distinct numbers, and with only_new none has the known uid;
// - no command leaves before a reply to the previous one: the client sends at most one
//   line per reply line it got (plus the SASL response), and what it sends is CRLF lines;
// - timeout() is 0 exactly when closed; nothing is sent after closed();
// - the split does not matter: the same bytes one at a time give the same commands,
//   status, error text and retrieved messages.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocols/pop3/client_session.hpp"

using namespace maillab;
using namespace maillab::pop3;
using fuzz::Input;

namespace {

struct Result {
  std::string output;
  ClientSession::Status status = ClientSession::Status::InProgress;
  std::string error;
  std::vector<ClientSession::Retrieved> retrieved;
  bool committed = false;
};

std::size_t count_lines(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

template <class Feed>
Result run(const Input& in, Feed&& feed_all) {
  ClientConfig config;
  config.user = "bob";
  config.password = "secret";
  static constexpr ClientConfig::Auth kAuth[] = {ClientConfig::Auth::Best, ClientConfig::Auth::UserPass,
                                                 ClientConfig::Auth::Apop, ClientConfig::Auth::SaslPlain};
  config.auth = kAuth[in.flags & 3];
  config.delete_after_retrieve = in.flag(2);
  if (in.flag(3)) {
    config.only_new = true;
    config.known_uids = {"u1"};
  }

  ClientSession s(config);
  Result r;
  r.output = s.take_output();
  FUZZ_CHECK(r.output.empty(), "the client spoke before the greeting: " + fuzz::shown(r.output));
  std::size_t lines_in = 0;
  ClientSession::Status seen = ClientSession::Status::InProgress;
  bool committed = false;
  auto observe = [&] {
    if (seen != ClientSession::Status::InProgress)
      FUZZ_CHECK(s.status() == seen, "status changed after it left InProgress");
    seen = s.status();
    FUZZ_CHECK(!committed || s.deletions_committed(), "deletions uncommitted");
    committed = s.deletions_committed();
    FUZZ_CHECK(!committed || config.delete_after_retrieve, "deletions without delete_after_retrieve");
    FUZZ_CHECK(s.closed() == (s.timeout().count() == 0), "timeout() is 0 exactly when closed");
  };
  feed_all([&](std::string_view chunk) {
    const bool was_closed = s.closed();
    s.receive(chunk);
    lines_in += count_lines(chunk);
    const std::string out = s.take_output();
    FUZZ_CHECK(!was_closed || out.empty(), "output after closed(): " + fuzz::shown(out));
    r.output += out;
    // Each reply line lets at most one command go (an AUTH PLAIN response follows "+ ").
    FUZZ_CHECK(count_lines(r.output) <= lines_in, "commands sent ahead of the replies:\n" + fuzz::shown(r.output));
    observe();
  });
  const bool was_done = s.status() == ClientSession::Status::Done;
  const bool was_final = s.status() != ClientSession::Status::InProgress;
  if (in.flag(4)) s.on_timeout();
  else s.receive_eof();
  const std::string out = s.take_output();
  r.output += out;
  observe();
  FUZZ_CHECK(s.closed(), "not closed at the end");
  FUZZ_CHECK(s.status() != ClientSession::Status::InProgress, "still in progress at the end");
  if (!was_final)
    FUZZ_CHECK(s.status() == (in.flag(4) ? ClientSession::Status::TimedOut : ClientSession::Status::ConnectionLost),
               "the end of the connection reported as " + s.error());
  FUZZ_CHECK(was_done == (s.status() == ClientSession::Status::Done), "Done only before the end");
  FUZZ_CHECK(fuzz::crlf_only(r.output), fuzz::shown(r.output));

  std::set<std::size_t> numbers;
  for (const auto& m : s.retrieved()) {
    FUZZ_CHECK(numbers.insert(m.number).second, "message " + std::to_string(m.number) + " retrieved twice");
    if (config.only_new) FUZZ_CHECK(m.uid != "u1", "a known message retrieved with only_new");
  }
  r.status = s.status();
  r.error = s.error();
  r.retrieved = s.retrieved();
  r.committed = s.deletions_committed();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Input in = Input::from(data, size);
  const Result a = run(in, [&](auto&& feed) { in.feed_chunks(feed); });
  const Result b = run(in, [&](auto&& feed) {
    for (std::size_t i = 0; i < in.payload.size(); ++i) feed(in.payload.substr(i, 1));
  });
  FUZZ_CHECK(a.output == b.output,
             "chunked:\n" + fuzz::shown(a.output, 4000) + "\nbyte-by-byte:\n" + fuzz::shown(b.output, 4000));
  FUZZ_CHECK(a.status == b.status && a.error == b.error, a.error + " / " + b.error);
  FUZZ_CHECK(a.committed == b.committed, "deletions_committed differs with the split");
  FUZZ_CHECK(a.retrieved.size() == b.retrieved.size(), "retrieved differs with the split");
  for (std::size_t i = 0; i < a.retrieved.size(); ++i)
    FUZZ_CHECK(a.retrieved[i].number == b.retrieved[i].number && a.retrieved[i].uid == b.retrieved[i].uid &&
                   a.retrieved[i].content == b.retrieved[i].content,
               "retrieved message " + std::to_string(i) + " differs with the split");
  return 0;
}
