// smtp_server_fuzz: arbitrary client bytes into smtp::ServerSession, split into many
// receive() calls, with a handler that accepts everything (any AUTH credentials too).
//
// Flags (fuzz_support.hpp): bit 0 AUTH PLAIN/LOGIN offered, bit 1 AUTH required (with
// bit 0), bit 2 message_size_limit of 64..1087 octets (from the size bytes), bit 3 no
// PIPELINING, bit 4 no ENHANCEDSTATUSCODES, bit 5 hard_error_limit 1000 (lets the fuzzer
// go deep), bit 6 the session ends with on_timeout() instead of receive_eof(), bit 7
// smtpd_error_sleep_time of 1 s past the soft error limit (replies held until a timeout,
// so the DATA oracle's byte offsets no longer say when a command ran: it is skipped).
//
// Checks:
// - every message handed to on_message is CRLF lines (ends with CRLF, no bare CR or LF),
//   within the size limit, with a sender, at least one recipient, and the AUTH user
//   when AUTH is required;
// - the DATA oracle: the same bytes fed one at a time to a second session; after each 354
//   the content must end exactly at the first CRLF "." CRLF of the stream (the start of
//   the content counting as a CRLF), never earlier (a bare LF/CR "." line, SMTP
//   smuggling) nor later, and the content delivered must be that wire text with bare line
//   ends turned into CRLF and one leading dot removed from dotted lines (RFC 5321 4.5.2);
//   over the size limit nothing is delivered; a message that came by BDAT (RFC 3030) is
//   not the oracle's (no 354 starts it) and is only held to the rules above;
// - the split does not matter: the chunked session and the byte-at-a-time one send the
//   same bytes and deliver the same messages with the same envelopes;
// - the output is well-formed replies ("ddd " or "ddd-", code 2xx-5xx, CRLF lines);
// - once closed() nothing more is sent; the session is closed after receive_eof() and
//   after on_timeout() (which sends a 421 if it was still open); timeout() is 0 closed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocols/smtp/server_session.hpp"

using namespace maillab;
using namespace maillab::smtp;
using fuzz::Input;

namespace {

struct Delivery {
  std::size_t at;  // offset in the payload right after the byte that ended DATA
  std::string content;
  std::string from;
  std::vector<std::string> rcpts;
  std::string auth_user;
  bool bdat = false;  // ended by a BDAT LAST chunk, not by CRLF.CRLF
  bool operator==(const Delivery& o) const {
    return content == o.content && from == o.from && rcpts == o.rcpts && auth_user == o.auth_user;
  }
};

class AcceptAll : public ServerHandler {
 public:
  AcceptAll(const ServerConfig& config, const std::size_t& offset) : config_(config), offset_(offset) {}

  std::vector<Delivery> delivered;
  std::vector<std::size_t> data_starts;  // offset of the first content byte after each 354
  std::vector<std::string> exchanges;
  int close_requests = 0;

  Reply on_message(const Envelope& e, std::string content) override {
    FUZZ_CHECK(content.empty() || fuzz::ends_with(content, "\r\n"), fuzz::shown(content));
    FUZZ_CHECK(fuzz::crlf_only(content), fuzz::shown(content));
    FUZZ_CHECK(config_.size_limit == 0 || content.size() <= config_.size_limit, fuzz::shown(content));
    FUZZ_CHECK(!e.rcpts.empty(), "a message without recipients");
    FUZZ_CHECK(!config_.auth_required || !e.auth_user.empty(), "a message without AUTH");
    Delivery d{offset_, std::move(content), e.mail_from.bracketed(), {}, e.auth_user};
    for (const auto& r : e.rcpts) d.rcpts.push_back(r.path.bracketed());
    delivered.push_back(std::move(d));
    return ServerHandler::on_message(e, {});
  }
  bool authenticate(std::string_view, std::string_view) override { return true; }
  void on_exchange(std::string_view line, const Reply& reply) override {
    if (reply.code == 354) data_starts.push_back(offset_);
    // on_message runs just before the exchange that answers it: "<data>" or a BDAT line.
    if (delivered.size() > answered_ && line != "<data>") delivered.back().bdat = true;
    answered_ = delivered.size();
    exchanges.push_back(std::string(line) + " -> " + reply.summary());
  }
  void on_close_requested() override { ++close_requests; }

 private:
  const ServerConfig& config_;
  const std::size_t& offset_;
  std::size_t answered_ = 0;  // deliveries whose exchange was seen
};

ServerConfig make_config(const Input& in) {
  ServerConfig c;
  c.hostname = "mx.example.org";
  if (in.flag(0)) {
    c.auth_mechanisms = {"PLAIN", "LOGIN"};
    c.auth_required = in.flag(1);
  }
  if (in.flag(2)) c.size_limit = 64 + ((in.sizes[0] << 2) | (in.sizes[1] & 3));
  c.pipelining = !in.flag(3);
  c.enhanced_status_codes = !in.flag(4);
  if (in.flag(5)) c.hard_error_limit = 1000;
  c.error_sleep_time = in.flag(7) ? std::chrono::milliseconds(1000) : std::chrono::milliseconds(0);
  return c;
}

// Replies only: "ddd" then " " or "-" (or nothing: a reply with no text), CRLF lines.
void check_replies(std::string_view out) {
  FUZZ_CHECK(fuzz::crlf_only(out), fuzz::shown(out));
  FUZZ_CHECK(out.empty() || fuzz::ends_with(out, "\r\n"), fuzz::shown(out));
  while (!out.empty()) {
    const std::size_t eol = out.find("\r\n");
    const std::string_view line = out.substr(0, eol);
    out.remove_prefix(eol + 2);
    const bool ok = line.size() >= 3 && line[0] >= '2' && line[0] <= '5' && line[1] >= '0' &&
                    line[1] <= '9' && line[2] >= '0' && line[2] <= '9' &&
                    (line.size() == 3 || line[3] == ' ' || line[3] == '-');
    FUZZ_CHECK(ok, fuzz::shown(line));
  }
}

// RFC 5321 4.5.2 receiver side, written independently of DataReader: content lines end
// at CRLF, bare CR or bare LF; each is stored with CRLF; a line of more than "." that
// starts with "." loses that dot.
std::string expected_content(std::string_view wire) {
  std::string out, line;
  auto end_line = [&] {
    if (line.size() > 1 && line[0] == '.') line.erase(0, 1);
    out += line;
    out += "\r\n";
    line.clear();
  };
  for (std::size_t i = 0; i < wire.size(); ++i) {
    if (wire[i] == '\r') {
      if (i + 1 < wire.size() && wire[i + 1] == '\n') ++i;
      end_line();
    } else if (wire[i] == '\n') {
      end_line();
    } else {
      line += wire[i];
    }
  }
  FUZZ_CHECK(line.empty(), "oracle: content wire not ended by a line end");
  return out;
}

struct Run {
  std::string output;
  bool closed_before_end = false;
};

// Feeds the payload (chunked, or one byte at a time) and ends the session.
template <class Feed>
Run run(ServerSession& s, const Input& in, std::size_t& offset, Feed&& feed_all) {
  Run r;
  r.output = s.take_output();
  feed_all([&](std::string_view chunk) {
    const bool was_closed = s.closed();
    offset += chunk.size();  // handler events see the offset right after this chunk
    s.receive(chunk);
    std::string out = s.take_output();
    FUZZ_CHECK(!was_closed || out.empty(), "output after closed(): " + fuzz::shown(out));
    FUZZ_CHECK(s.closed() == (s.timeout().count() == 0), "timeout() is 0 exactly when closed");
    r.output += out;
  });
  r.closed_before_end = s.closed();
  if (in.flag(6)) {
    // A timeout first ends a delay the engine asked for (an error reply held back, as
    // Postfix's smtpd_error_sleep_time), which may let held commands run; each ends one
    // delay, so the idle timeout and its 421 come within one step per input byte, unless a
    // held QUIT ends the session first with its 221 (or a held BDAT with its 521).
    std::string out;
    for (std::size_t step = 0; step <= in.payload.size() + 1 && !s.closed(); ++step) {
      s.on_timeout();
      out += s.take_output();
    }
    if (r.closed_before_end) FUZZ_CHECK(out.empty(), fuzz::shown(out));
    // A held BDAT whose size cannot be read ends the session with 521 (RFC 3030 2, as
    // Postfix: the chunk's end is unknown).
    else FUZZ_CHECK(fuzz::starts_with(fuzz::last_line(out), "421") || fuzz::starts_with(fuzz::last_line(out), "221") ||
                        fuzz::starts_with(fuzz::last_line(out), "521"),
                    "neither the idle timeout's 421, a held QUIT's 221 nor a held BDAT's 521: " + fuzz::shown(out));
    r.output += out;
  } else {
    s.receive_eof();
    const std::string out = s.take_output();
    FUZZ_CHECK(out.empty(), "output after EOF: " + fuzz::shown(out));
  }
  FUZZ_CHECK(s.closed(), "not closed at the end");
  FUZZ_CHECK(s.timeout().count() == 0, "a timeout once closed");
  check_replies(r.output);
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Input in = Input::from(data, size);
  const ServerConfig config = make_config(in);
  const std::string_view payload = in.payload;

  // The session under test: the payload in the chunks the header chose.
  std::size_t offset_a = 0;
  AcceptAll handler_a(config, offset_a);
  ServerSession a(config, handler_a);
  const Run run_a = run(a, in, offset_a, [&](auto&& feed) { in.feed_chunks(feed); });

  // The reference: one byte at a time, so every event is known to the byte.
  std::size_t offset_b = 0;
  AcceptAll handler_b(config, offset_b);
  ServerSession b(config, handler_b);
  const Run run_b = run(b, in, offset_b, [&](auto&& feed) {
    for (std::size_t i = 0; i < payload.size(); ++i) feed(payload.substr(i, 1));
  });

  // The split does not matter.
  FUZZ_CHECK(run_a.output == run_b.output,
             "chunked:\n" + fuzz::shown(run_a.output, 4000) + "\nbyte-by-byte:\n" + fuzz::shown(run_b.output, 4000));
  FUZZ_CHECK(handler_a.delivered == handler_b.delivered, "deliveries differ with the split");
  FUZZ_CHECK(handler_a.exchanges == handler_b.exchanges, "exchanges differ with the split");

  // The DATA oracle, on the byte-at-a-time run.
  if (config.error_sleep_time.count() != 0) return 0;
  std::size_t expected_deliveries = 0;
  for (const std::size_t start : handler_b.data_starts) {
    const std::string stream = "\r\n" + std::string(payload.substr(start));
    const std::size_t mark = stream.find("\r\n.\r\n");
    const Delivery* got = nullptr;
    for (const auto& d : handler_b.delivered)
      if (!d.bdat && d.at > start && (!got || d.at < got->at)) got = &d;
    if (mark == std::string::npos) {
      FUZZ_CHECK(got == nullptr, "delivered without an end-of-data mark: " + fuzz::shown(got->content));
      continue;
    }
    // stream[mark..mark+5) is CRLF "." CRLF; the payload's end mark ends at start+mark+3.
    const std::size_t end = start + mark + 3;
    const std::string wire = stream.substr(2, mark);  // the content lines, CRLF included
    const std::string want = expected_content(wire);
    if (config.size_limit != 0 && want.size() > config.size_limit) {
      FUZZ_CHECK(got == nullptr || got->at > end, "an oversize message was delivered");
      continue;
    }
    FUZZ_CHECK(got != nullptr, "no delivery for content ended by CRLF.CRLF at " + std::to_string(end) +
                                   ": " + fuzz::shown(wire));
    FUZZ_CHECK(got->at == end, "DATA ended at " + std::to_string(got->at) + ", the first CRLF.CRLF ends at " +
                                   std::to_string(end) + ": " + fuzz::shown(wire));
    FUZZ_CHECK(got->content == want,
               "content:\n" + fuzz::shown(got->content) + "\nexpected:\n" + fuzz::shown(want));
    ++expected_deliveries;
  }
  std::size_t by_data = 0;
  for (const auto& d : handler_b.delivered) by_data += d.bdat ? 0 : 1;
  FUZZ_CHECK(by_data == expected_deliveries,
             "deliveries after DATA: " + std::to_string(by_data) + ", expected " +
                 std::to_string(expected_deliveries));
  return 0;
}
