// imap_server_fuzz: arbitrary client bytes into imap::ServerSession, split into many
// receive() calls, over a store holding bob/builder's mail (a plain message, a multipart
// with an encapsulated message, a digest, a message with no header, non-UTF-8 octets);
// a second session sits in IDLE on bob's INBOX and hears every change.
//
// Flags (fuzz_support.hpp): bit 0 Maildir++ on a virtual disk instead of the memory store,
// bit 1 plaintext_auth off with STARTTLS offered (LOGINDISABLED), bit 2 the login failure
// delay on (the fuzzer then fires the timer), bit 3 small limits (line 200, literal 64,
// APPEND 512), bit 4 max_auth_failures 0 (unlimited), bit 5 the MDA delivers a message
// when half the payload is in, bit 6 the session ends with on_timeout().
//
// Checks:
// - the output (each session's) frames as IMAP responses (ResponseReader, no error), each
//   a continuation "+", untagged "*", or a tagged OK/NO/BAD; every status line the host
//   saw (on_exchange) is in the output, in order; nothing is sent once closed();
// - timeout() is 0 exactly when closed; a session ends closed after EOF or the timer;
// - the store stays sound: ascending UIDs below UIDNEXT, contents readable, at most 26
//   keywords; with Maildir++ a new store object reading the disk sees the same folders,
//   UIDs and flags;
// - the split does not matter: the same bytes one at a time give the same output,
//   exchanges and store.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocols/imap/response_reader.hpp"
#include "protocols/imap/server_session.hpp"
#include "protocols/io/disk.hpp"
#include "protocols/mda/maildir_plus_store.hpp"
#include "protocols/mda/memory_mailbox_store.hpp"

using namespace maillab;
using namespace maillab::imap;
using fuzz::Input;

namespace {

const char* const kMessages[] = {
    "From: Alice <alice@a.example>\r\nTo: bob@b.example\r\nSubject: hi\r\nDate: Mon, 2 Mar 2026 09:00:00 +0000\r\n\r\n"
    "Hello\r\n",
    "Content-Type: multipart/mixed; boundary=x\r\nSubject: parts\r\n\r\n--x\r\nContent-Type: text/plain\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--x\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n"
    "From: \"q\\\"x\" <a@b>, g: c@d;\r\n\r\ninner body\r\n--x--\r\n",
    "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: one\r\n\r\n1\r\n--d--\r\n",
    "no header at all\r\n",
    "Subject: \xff\xfe 8-bit\r\nContent-Type: text/plain; charset=\"x\r\n\r\nbody\x80\r\n",
};

struct Host final : ServerHandler {
  std::int64_t now = 0;
  std::uint64_t counter = 0;
  mda::MailboxStore* store = nullptr;
  std::vector<std::pair<std::string, std::string>> exchanges;
  bool check_password(std::string_view user, std::string_view password) override {
    FUZZ_CHECK(!password.empty(), "an empty password reached the host");
    return user == "bob" && password == "builder";
  }
  mda::MailboxStore* open_store(std::string_view) override { return store; }
  std::int64_t now_ns() override { return now; }
  std::uint64_t unique() override { return ++counter; }
  void on_exchange(std::string_view c, std::string_view s) override { exchanges.emplace_back(c, s); }
};

struct Quiet final : ServerHandler {
  Host* host;
  explicit Quiet(Host* h) : host(h) {}
  bool check_password(std::string_view u, std::string_view p) override { return host->check_password(u, p); }
  mda::MailboxStore* open_store(std::string_view u) override { return host->open_store(u); }
  std::int64_t now_ns() override { return host->now; }
};

void check_framing(std::string_view out) {
  ResponseLimits limits;
  limits.max_line = 1 << 20;
  ResponseReader r(limits);
  r.feed(out);
  while (auto item = r.next()) {
    FUZZ_CHECK(!item->error, "output does not frame: " + fuzz::shown(out, 2000));
    const std::string& t = item->text;
    if (t == "+" || fuzz::starts_with(t, "+ ") || fuzz::starts_with(t, "* ")) continue;
    const std::size_t sp = t.find(' ');
    FUZZ_CHECK(sp != std::string::npos && sp > 0, "not a response: " + fuzz::shown(t));
    const std::string_view status = std::string_view(t).substr(sp + 1, 3);
    FUZZ_CHECK(status == "OK " || status == "NO " || status == "BAD", "not a status: " + fuzz::shown(t));
  }
  FUZZ_CHECK(out.empty() || fuzz::ends_with(out, "\r\n"), "output ends mid-line: " + fuzz::shown(out, 2000));
}

std::string store_state(mda::MailboxStore& s) {
  std::string out;
  for (const mda::Folder* f : s.folders("bob")) {
    FUZZ_CHECK(f->keywords.size() <= mda::kMaxKeywords, "too many keywords");
    out += f->name + " " + std::to_string(f->uidvalidity) + " " + std::to_string(f->uidnext) + ":";
    std::uint32_t last = 0;
    for (const auto& m : f->messages) {
      FUZZ_CHECK(m.uid > last && m.uid < f->uidnext, "UIDs out of order in " + f->name);
      last = m.uid;
      auto content = s.content("bob", f->id, m.uid);
      FUZZ_CHECK(content && content->size() == m.size, "content missing or of the wrong size");
      out += " " + std::to_string(m.uid) + "/" + std::to_string(m.flags) + "/" + std::to_string(m.keywords);
    }
    out += "\n";
  }
  return out;
}

struct Result {
  std::string output, idle_output;
  std::vector<std::pair<std::string, std::string>> exchanges;
  std::string store;
};

template <class Feed>
Result run(const Input& in, Feed&& feed_all) {
  io::MemoryDisk disk;
  std::unique_ptr<mda::MailboxStore> store;
  if (in.flag(0)) store = std::make_unique<mda::MaildirPlusStore>(disk, "mail/", "mx.b.example");
  else store = std::make_unique<mda::MemoryMailboxStore>("mx.b.example");
  Host host;
  host.store = store.get();
  store->ensure_user("bob", 0);
  for (const char* m : kMessages) {
    mda::AppendRequest r;
    r.content = io::make_bytes(m);
    r.unique = ++host.counter;
    store->append("bob", "INBOX", r);
  }
  ServerConfig cfg;
  cfg.hostname = "mx.b.example";
  cfg.auth_failure_delay = std::chrono::milliseconds(in.flag(2) ? 2000 : 0);
  if (in.flag(1)) {
    cfg.plaintext_auth = false;
    cfg.starttls = true;
  }
  if (in.flag(3)) {
    cfg.limits.max_line = 200;
    cfg.limits.max_literal = 64;
    cfg.limits.max_append_literal = 512;
  }
  if (in.flag(4)) cfg.max_auth_failures = 0;

  Result r;
  Quiet quiet(&host);
  ServerSession idler(cfg, quiet);
  idler.start();
  idler.receive("i1 LOGIN bob builder\r\ni2 SELECT INBOX\r\ni3 IDLE\r\n");
  idler.take_output();

  ServerSession s(cfg, host);
  s.start();
  r.output = s.take_output();
  auto settle = [&] {
    // A held login failure: the timer fires after the delay.
    while (!s.closed() && in.flag(2) && s.output().empty() && s.timeout() <= std::chrono::milliseconds(2000)) {
      host.now += std::chrono::duration_cast<std::chrono::nanoseconds>(s.timeout()).count();
      s.on_timeout();
      if (s.output().empty()) break;
      r.output += s.take_output();
    }
  };
  auto feed = [&](std::string_view chunk) {
    const bool was_closed = s.closed();
    s.receive(chunk);
    const std::string out = s.take_output();
    FUZZ_CHECK(!was_closed || out.empty(), "output after closed(): " + fuzz::shown(out));
    r.output += out;
    if (s.wants_tls()) s.on_tls_started({});
    settle();
    FUZZ_CHECK(s.closed() == (s.timeout().count() == 0), "timeout() is 0 exactly when closed");
  };
  // The payload is fed in pieces that end after each "STARTTLS" line: what a client
  // pipelines behind STARTTLS in the same read is discarded (CVE-2011-0411), and what
  // comes later is what it sends over TLS, so a split there would change the story.
  // The delivery (bit 5) comes at the same byte whatever the split.
  std::vector<std::size_t> cuts;
  for (std::size_t i = 0; i + 8 <= in.payload.size(); ++i) {
    std::string word(in.payload.substr(i, 8));
    for (char& ch : word) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
    if (word != "STARTTLS") continue;
    std::size_t end = i + 8;
    if (end < in.payload.size() && in.payload[end] == '\r') ++end;
    if (end < in.payload.size() && in.payload[end] == '\n') cuts.push_back(end + 1);
  }
  const std::size_t half = in.payload.size() / 2;
  if (in.flag(5)) cuts.push_back(half);
  cuts.push_back(in.payload.size());
  std::sort(cuts.begin(), cuts.end());
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    if (in.flag(5) && cut == half && from <= half) {
      feed_all(in.payload.substr(from, half - from), feed);
      from = half;
      mda::AppendRequest d;
      d.content = io::make_bytes(kMessages[0]);
      d.unique = ++host.counter;
      store->append("bob", "INBOX", d);
      continue;
    }
    if (cut <= from) continue;
    feed_all(in.payload.substr(from, cut - from), feed);
    from = cut;
  }
  if (in.flag(6)) {
    host.now += 3'600'000'000'000;
    s.on_timeout();
  } else {
    s.receive_eof();
  }
  r.output += s.take_output();
  FUZZ_CHECK(s.closed(), "not closed at the end");
  r.idle_output = idler.take_output();
  check_framing(r.output);
  check_framing(r.idle_output);
  // Every tagged status the host saw is in the output, in order.
  std::size_t at = 0;
  for (const auto& [command, status] : host.exchanges) {
    const std::size_t found = r.output.find(status + "\r\n", at);
    FUZZ_CHECK(found != std::string::npos, "status not in the output: " + fuzz::shown(status));
    at = found + status.size();
  }
  r.exchanges = host.exchanges;
  r.store = store_state(*store);
  if (in.flag(0)) {
    mda::MaildirPlusStore again(disk, "mail/", "mx.b.example");
    const std::string reread = store_state(again);
    FUZZ_CHECK(reread == r.store, "the disk reads back differently:\n" + reread + "\nvs\n" + r.store);
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Input in = Input::from(data, size);
  const Result a = run(in, [&](std::string_view piece, auto&& feed) { in.feed_chunks(piece, feed); });
  const Result b = run(in, [&](std::string_view piece, auto&& feed) { fuzz::feed_bytes(piece, feed); });
  FUZZ_CHECK(a.output == b.output,
             "chunked:\n" + fuzz::shown(a.output, 4000) + "\nbyte-by-byte:\n" + fuzz::shown(b.output, 4000));
  FUZZ_CHECK(a.exchanges == b.exchanges, "exchanges differ with the split");
  FUZZ_CHECK(a.store == b.store, "stores differ with the split");
  return 0;
}
