// message_fuzz: arbitrary bytes into the RFC 5322 parser (message::Message) and the DSN
// reader (message::parse_dsn, RFC 3464 inside RFC 6522 multipart/report).
//
// Checks:
// - parse(x).serialize() == x, byte for byte, for any input;
// - the header section plus separator plus body is the input again, and header lookups
//   give unfolded values (no line break: no LF);
// - a field prepended (as an MTA adds Received:) is found first after serialize + parse,
//   with the body unchanged;
// - parse_dsn never crashes, and what it reads holds no LF (folding is undone).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.hpp"
#include "protocols/message/dsn.hpp"
#include "protocols/message/message.hpp"

using namespace maillab;
using namespace maillab::message;

namespace {

// Lines end at LF (CRLF, or a bare LF, message.hpp); a stray CR inside a line is data.
bool one_line(std::string_view s) { return s.find('\n') == std::string_view::npos; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const Message m = Message::parse(bytes);
  const std::string out = m.serialize();
  FUZZ_CHECK(out == bytes, "serialize() differs:\n" + fuzz::shown(out, 2000));
  FUZZ_CHECK(fuzz::starts_with(out, m.header_section()), "the header section is not the start");
  FUZZ_CHECK(fuzz::ends_with(out, m.body()), "the body is not the end");
  FUZZ_CHECK(m.eol() == "\r\n" || m.eol() == "\n", fuzz::shown(m.eol()));

  for (const char* name : {"From", "To", "Subject", "Content-Type", "Received"}) {
    if (const auto v = m.header(name)) FUZZ_CHECK(one_line(*v), std::string(name) + ": " + fuzz::shown(*v));
    FUZZ_CHECK(m.headers(name).size() == m.count(name), name);
  }

  Message stamped = m;
  stamped.prepend_header("X-Fuzz-Trace", "from relay.example by mx.example; Tue, 1 Jul 2025 00:00:00 +0000");
  const Message back = Message::parse(stamped.serialize());
  FUZZ_CHECK(back.header("X-Fuzz-Trace") == "from relay.example by mx.example; Tue, 1 Jul 2025 00:00:00 +0000",
             "a prepended field is lost:\n" + fuzz::shown(stamped.serialize(), 2000));
  FUZZ_CHECK(!back.fields().empty() && iequals(back.fields().front().name, "X-Fuzz-Trace"),
             "a prepended field is not first:\n" + fuzz::shown(stamped.serialize(), 2000));
  FUZZ_CHECK(back.body() == m.body(), "prepending a field changed the body:\n" + fuzz::shown(stamped.serialize(), 2000));

  if (const auto dsn = parse_dsn(m)) {
    FUZZ_CHECK(one_line(dsn->reporting_mta) && one_line(dsn->original_envelope_id), "a DSN field with a line break");
    for (const auto& r : dsn->recipients) {
      FUZZ_CHECK(one_line(r.final_recipient) && one_line(r.original_recipient) && one_line(r.action) &&
                     one_line(r.status) && one_line(r.remote_mta) && one_line(r.diagnostic_code),
                 "a DSN recipient field with a line break: " + fuzz::shown(r.diagnostic_code));
    }
  }
  return 0;
}
