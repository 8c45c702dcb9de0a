// imap_client_fuzz: arbitrary server bytes into imap::ClientSession (a user agent that
// logs in, saves a message to Sent, fetches unseen mail and idles), split into many
// receive() calls.
//
// Flags (fuzz_support.hpp): bit 0 delete after fetching, bit 1 IDLE, bit 2 APPEND a
// message first, bit 3 LOGIN instead of the best method, bit 4 STARTTLS required (the
// fuzzer plays the TLS layer when asked), bit 5 small limits (line 100, literal 64),
// bit 6 the session ends with on_timeout() instead of receive_eof(), bit 7 stop() when
// half the payload is in.
//
// Checks:
// - status() leaves InProgress at most once and never changes afterwards; the session
//   is closed at the end; timeout() is 0 exactly when closed; nothing is sent once closed;
// - what the client sends is CRLF-terminated, its tags ascend (A1, A2, ...), and the
//   password goes out only in a LOGIN line, and never before TLS when TLS is required;
// - fetched messages have distinct UIDs and fit the literal limit;
// - the split does not matter: the same bytes one at a time give the same commands,
//   status and fetched messages.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocols/imap/client_session.hpp"
#include "protocols/message/base64.hpp"

using namespace maillab;
using namespace maillab::imap;
using fuzz::Input;

namespace {

const std::string kSaved = "Subject: saved\r\n\r\nbye\r\n";

struct Result {
  std::string output;
  ClientSession::Status status = ClientSession::Status::InProgress;
  std::string error;
  std::vector<ClientSession::Fetched> fetched;
};

bool operator_equal(const std::vector<ClientSession::Fetched>& a, const std::vector<ClientSession::Fetched>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].uid != b[i].uid || a[i].content != b[i].content) return false;
  return true;
}

void check_output(std::string_view out, const ClientConfig& config, std::size_t clear_until) {
  FUZZ_CHECK(out.empty() || fuzz::ends_with(out, "\r\n"), "output ends mid-line: " + fuzz::shown(out));
  const std::string plain = message::base64_encode(std::string(1, '\0') + config.user + '\0' + config.password);
  // Tags ascend; the password only in LOGIN lines, never in clear when TLS is required.
  std::uint64_t last = 0;
  std::size_t pos = 0;
  while (pos < out.size()) {
    std::size_t eol = out.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = out.size();
    const std::string_view line = out.substr(pos, eol - pos);
    if (line.size() > 1 && line[0] == 'A' && line[1] >= '0' && line[1] <= '9') {
      std::uint64_t n = 0;
      std::size_t i = 1;
      while (i < line.size() && line[i] >= '0' && line[i] <= '9' && i < 12) n = n * 10 + static_cast<std::uint64_t>(line[i++] - '0');
      if (i < line.size() && line[i] == ' ') {
        FUZZ_CHECK(n > last, "tags out of order: " + fuzz::shown(line));
        last = n;
      }
    }
    const bool secret = line.find(config.password) != std::string_view::npos || line.find(plain) != std::string_view::npos;
    if (line.find(config.password) != std::string_view::npos)
      FUZZ_CHECK(line.find(" LOGIN ") != std::string_view::npos, "password outside LOGIN: " + fuzz::shown(line));
    if (secret && config.require_tls) FUZZ_CHECK(pos >= clear_until, "password sent before TLS: " + fuzz::shown(line));
    pos = eol + 2;
  }
}

template <class Feed>
Result run(const Input& in, Feed&& feed_all) {
  ClientConfig config;
  config.user = "bob";
  config.password = "builder";
  config.delete_after_fetch = in.flag(0);
  config.idle = in.flag(1);
  if (in.flag(2)) config.append = {kSaved};
  if (in.flag(3)) config.auth = ClientConfig::Auth::Login;
  if (in.flag(4)) {
    config.starttls = true;
    config.require_tls = true;
  }
  if (in.flag(5)) {
    config.limits.max_line = 100;
    config.limits.max_literal = 64;
    config.limits.max_response = 400;
  }
  ClientSession c(config);
  Result r;
  ClientSession::Status status = c.status();
  std::size_t clear_until = SIZE_MAX;  // output offset where TLS began
  auto feed = [&](std::string_view chunk) {
    const bool was_closed = c.closed();
    c.receive(chunk);
    const std::string out = c.take_output();
    FUZZ_CHECK(!was_closed || out.empty(), "output after closed(): " + fuzz::shown(out));
    r.output += out;
    if (c.wants_tls()) {
      clear_until = r.output.size();
      tls::HandshakeInfo info;
      info.verification = tls::Verification::Ok;
      c.on_tls_started(info);
      r.output += c.take_output();
    }
    FUZZ_CHECK(c.closed() == (c.timeout().count() == 0), "timeout() is 0 exactly when closed");
    if (status != ClientSession::Status::InProgress) FUZZ_CHECK(c.status() == status, "status changed twice");
    status = c.status();
  };
  // With STARTTLS (bit 4) the payload is fed a line at a time (each line still split by
  // the header): the client drops what the server sent behind its STARTTLS answer in the
  // same read, and a later read is what came over TLS, so a split there would change the
  // story. stop() (bit 7) comes at the same byte whatever the split.
  std::vector<std::size_t> cuts;
  if (in.flag(4))
    for (std::size_t i = 0; i < in.payload.size(); ++i)
      if (in.payload[i] == '\n') cuts.push_back(i + 1);
  const std::size_t half = in.payload.size() / 2;
  if (in.flag(7)) cuts.push_back(half);
  cuts.push_back(in.payload.size());
  std::sort(cuts.begin(), cuts.end());
  std::size_t from = 0;
  bool stopped = false;
  for (std::size_t cut : cuts) {
    if (cut > from) {
      feed_all(in.payload.substr(from, cut - from), feed);
      from = cut;
    }
    if (in.flag(7) && !stopped && from >= half) {
      stopped = true;
      c.stop();
      r.output += c.take_output();
    }
  }
  if (in.flag(6)) c.on_timeout();
  if (!c.closed()) c.receive_eof();
  r.output += c.take_output();
  FUZZ_CHECK(c.closed(), "not closed at the end");
  FUZZ_CHECK(c.status() != ClientSession::Status::InProgress, "no final status");
  if (status != ClientSession::Status::InProgress) FUZZ_CHECK(c.status() == status, "status changed at the end");
  check_output(r.output, config, config.require_tls ? clear_until : 0);
  std::set<std::uint32_t> uids;
  for (const auto& f : c.fetched()) {
    FUZZ_CHECK(uids.insert(f.uid).second, "a UID fetched twice");
    FUZZ_CHECK(f.content.size() <= config.limits.max_literal || f.content.size() <= config.limits.max_line,
               "a message over the limits");
  }
  r.status = c.status();
  r.error = c.error();
  r.fetched = c.fetched();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Input in = Input::from(data, size);
  const Result a = run(in, [&](std::string_view piece, auto&& feed) { in.feed_chunks(piece, feed); });
  const Result b = run(in, [&](std::string_view piece, auto&& feed) { fuzz::feed_bytes(piece, feed); });
  FUZZ_CHECK(a.output == b.output,
             "chunked:\n" + fuzz::shown(a.output, 4000) + "\nbyte-by-byte:\n" + fuzz::shown(b.output, 4000));
  FUZZ_CHECK(a.status == b.status && a.error == b.error, "status differs with the split: " + a.error + " / " + b.error);
  FUZZ_CHECK(operator_equal(a.fetched, b.fetched), "fetched messages differ with the split");
  return 0;
}
