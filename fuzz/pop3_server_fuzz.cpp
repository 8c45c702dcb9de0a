// pop3_server_fuzz: arbitrary client bytes into pop3::ServerSession, split into many
// receive() calls, on an in-memory host (MemoryMaildropStore): bob/secret with four
// messages (dot lines, bare LF and no final CRLF, empty), mrose/pw whose maildrop may be
// held by another session.
//
// Flags (fuzz_support.hpp): bit 0 APOP offered (RFC 1939's timestamp), bit 1 no USER/PASS,
// bit 2 no AUTH PLAIN, bit 3 mrose's maildrop is locked elsewhere, bit 4 max_auth_failures
// 0 (unlimited), bit 5 fail_removes (QUIT answers -ERR [SYS/TEMP]), bit 6 the session ends
// with on_timeout() instead of receive_eof().
//
// Checks:
// - the output is CRLF lines, and parses as exactly one response per exchange the host
//   saw, in order: its first line is what on_exchange reported; after +OK, CAPA, RETR,
//   TOP, and LIST/UIDL without argument are multi-line bodies ended by "." whose lines
//   are dot-stuffed; nothing is left over;
// - RETR gives back a stored message byte for byte in CRLF normal form (bare line ends
//   made CRLF, a final CRLF added), TOP a prefix of one;
// - the maildrop changes only through a QUIT in TRANSACTION: a session that did not close
//   by itself before the end removes nothing; messages only ever disappear (the rest keep
//   their order); every lock it took is released after receive_eof()/on_timeout();
// - the split does not matter: the same bytes one at a time give the same output, the
//   same exchanges and the same maildrops.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocols/pop3/command_line.hpp"
#include "protocols/pop3/memory_maildrop_store.hpp"
#include "protocols/pop3/server_session.hpp"

using namespace maillab;
using namespace maillab::pop3;
using fuzz::Input;

namespace {

const std::vector<std::pair<std::string, std::string>> kBob = {
    {"u1", "From: alice@a.example\r\nSubject: one\r\n\r\nHello\r\n.\r\n..two dots\r\n.leading\r\n\r\nbye\r\n"},
    {"u2", "Subject: two\nX-Bare: lf\n\nbody without a final line end"},
    {"u3", ""},
    {"u4", "Subject: four\r\n\r\nline1\r\nline2\r\nline3\r\n"},
};
const std::vector<std::pair<std::string, std::string>> kMrose = {{"m1", "Subject: m\r\n\r\nx\r\n"}};

struct Store : MemoryMaildropStore {
  std::vector<std::pair<std::string, std::string>> exchanges;
  void on_exchange(std::string_view line, std::string_view reply) override {
    exchanges.emplace_back(std::string(line), std::string(reply));
  }
};

void fill(Store& store, const Input& in) {
  store.add_user("bob", "secret", "tanstaaf");
  for (const auto& [uid, content] : kBob) store.deliver("bob", uid, content);
  store.add_user("mrose", "pw", "tanstaaf");
  for (const auto& [uid, content] : kMrose) store.deliver("mrose", uid, content);
  store.fail_removes = in.flag(5);
}

ServerConfig make_config(const Input& in) {
  ServerConfig c;
  c.hostname = "pop.example.org";
  if (in.flag(0)) c.apop_timestamp = "<1896.697170952@dbc.mtview.ca.us>";
  c.user_pass = !in.flag(1);
  c.sasl_plain = !in.flag(2);
  if (in.flag(4)) c.max_auth_failures = 0;
  return c;
}

// Written here rather than taken from dot_stuffing.hpp: the oracle must not share the code
// under test.
std::string crlf_normal_form(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "\r\n";
    } else if (text[i] == '\n') {
      out += "\r\n";
    } else {
      out += text[i];
    }
  }
  if (!out.empty() && !fuzz::ends_with(out, "\r\n")) out += "\r\n";
  return out;
}

using Uids = std::vector<std::vector<std::string>>;
Uids uids(const Store& store) {
  Uids out;
  for (const char* user : {"bob", "mrose"}) {
    out.emplace_back();
    for (const auto& m : store.messages(user)) out.back().push_back(m.uid);
  }
  return out;
}

bool subsequence(const std::vector<std::string>& part, const std::vector<std::string>& whole) {
  std::size_t j = 0;
  for (const auto& x : whole)
    if (j < part.size() && part[j] == x) ++j;
  return j == part.size();
}

// Splits the output into the responses of `exchanges` and checks each one.
void check_output(std::string_view out, const std::vector<std::pair<std::string, std::string>>& exchanges) {
  FUZZ_CHECK(fuzz::crlf_only(out), fuzz::shown(out));
  FUZZ_CHECK(out.empty() || fuzz::ends_with(out, "\r\n"), fuzz::shown(out));
  std::vector<std::string> contents;
  for (const auto& [uid, content] : kBob) contents.push_back(crlf_normal_form(content));
  for (const auto& [uid, content] : kMrose) contents.push_back(crlf_normal_form(content));
  auto next_line = [&](std::string_view what) {
    const std::size_t eol = out.find("\r\n");
    FUZZ_CHECK(eol != std::string_view::npos, std::string("output ends before ") + std::string(what));
    const std::string_view line = out.substr(0, eol);
    out.remove_prefix(eol + 2);
    return line;
  };
  for (const auto& [client, first] : exchanges) {
    const std::string_view line = next_line("the response to " + client);
    FUZZ_CHECK(line == first, "response '" + fuzz::shown(line) + "' but on_exchange saw '" + fuzz::shown(first) + "'");
    FUZZ_CHECK(fuzz::starts_with(line, "+OK") || fuzz::starts_with(line, "-ERR") || line == "+ ",
               "not a POP3 status: " + fuzz::shown(line));
    if (!fuzz::starts_with(line, "+OK") || client.empty()) continue;
    const CommandLine cmd = CommandLine::parse(client);
    const bool multi = cmd.keyword == "CAPA" || cmd.keyword == "RETR" || cmd.keyword == "TOP" ||
                       ((cmd.keyword == "LIST" || cmd.keyword == "UIDL") && cmd.args.empty());
    if (!multi) continue;
    std::string body;
    for (;;) {
      std::string_view l = next_line("the end of a multi-line response to " + client);
      if (l == ".") break;
      if (!l.empty() && l[0] == '.') {
        FUZZ_CHECK(l.size() > 1 && l[1] == '.', "a dotted line not stuffed: " + fuzz::shown(l));
        l.remove_prefix(1);
      }
      body += l;
      body += "\r\n";
    }
    if (cmd.keyword == "RETR") {
      bool found = false;
      for (const auto& c : contents) found = found || c == body;
      FUZZ_CHECK(found, "RETR body is no stored message: " + fuzz::shown(body));
    } else if (cmd.keyword == "TOP") {
      bool found = false;
      for (const auto& c : contents) found = found || fuzz::starts_with(c, body);
      FUZZ_CHECK(found, "TOP body is no prefix of a stored message: " + fuzz::shown(body));
    }
  }
  FUZZ_CHECK(out.empty(), "output with no exchange: " + fuzz::shown(out));
}

struct Result {
  std::string output;
  std::vector<std::pair<std::string, std::string>> exchanges;
  Uids uids;
};

template <class Feed>
Result run(const Input& in, Feed&& feed_all) {
  Store store;
  fill(store, in);
  const Uids before = uids(store);
  std::unique_ptr<Maildrop> elsewhere;
  if (in.flag(3)) FUZZ_CHECK(store.open_maildrop("mrose", elsewhere) == ServerHandler::OpenResult::Ok, "lock");

  Result r;
  {
    ServerSession s(make_config(in), store);
    s.start();
    r.output = s.take_output();
    feed_all([&](std::string_view chunk) {
      const bool was_closed = s.closed();
      s.receive(chunk);
      const std::string out = s.take_output();
      FUZZ_CHECK(!was_closed || out.empty(), "output after closed(): " + fuzz::shown(out));
      FUZZ_CHECK(s.closed() == (s.timeout().count() == 0), "timeout() is 0 exactly when closed");
      r.output += out;
    });
    const bool closed_by_itself = s.closed();
    if (!closed_by_itself) FUZZ_CHECK(uids(store) == before, "the maildrop changed without a QUIT");
    if (in.flag(6)) {
      // A timeout first ends auth_failure_delay (the held -ERR goes out and what came
      // meanwhile is read, which may fail again); each ends one delay, so the autologout
      // comes within one step per input byte.
      std::string after;
      for (std::size_t step = 0; step <= in.payload.size() + 1 && !s.closed(); ++step) {
        s.on_timeout();
        after += s.take_output();
      }
      // Only a held QUIT, answered +OK after the delay, may enter UPDATE here.
      if (!closed_by_itself && uids(store) != before)
        FUZZ_CHECK(fuzz::starts_with(fuzz::last_line(after), "+OK"),
                   "the maildrop changed at a timeout without a QUIT: " + fuzz::shown(after));
      r.output += after;
    } else {
      s.receive_eof();
      if (!closed_by_itself) FUZZ_CHECK(uids(store) == before, "the maildrop changed at EOF");
    }
    r.output += s.take_output();
    FUZZ_CHECK(s.closed(), "not closed at the end");
    FUZZ_CHECK(!store.locked("bob"), "bob's maildrop still locked after the end");
    FUZZ_CHECK(in.flag(3) == store.locked("mrose"), "mrose's lock changed hands");
  }
  r.uids = uids(store);
  for (std::size_t u = 0; u < before.size(); ++u)
    FUZZ_CHECK(subsequence(r.uids[u], before[u]), "messages appeared or moved");
  r.exchanges = store.exchanges;
  check_output(r.output, r.exchanges);
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
  FUZZ_CHECK(a.exchanges == b.exchanges, "exchanges differ with the split");
  FUZZ_CHECK(a.uids == b.uids, "maildrops differ with the split");
  return 0;
}
