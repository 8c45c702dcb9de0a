// The trace's JSON Lines (TraceRecorder::to_json): one JSON object per event whatever
// bytes its host, keys and values hold (a peer's Subject of raw F5-FF octets), read by a
// strict JSON parser (issue 16 item 7).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "sim/trace_recorder.hpp"

using namespace maillab::sim;

TEST_CASE("a trace line is a JSON object whatever its fields hold", "[trace]") {
  TraceEvent e;
  e.t_ns = 5;
  e.host = "mx\xFF";
  e.agent = "SMTP";
  e.event = "queue.accepted";
  e.fields = {{"subject", "\xF5\xF6\xF7\xF8\xF9\xFA\xFB\xFC\xFD\xFE\xFF"}, {"helo\x80", "\xC0\xAF"}};
  const auto j = nlohmann::json::parse(TraceRecorder::to_json(e));
  CHECK(j["t_ns"] == 5);
  CHECK(j["agent"] == "SMTP");
  CHECK(j["subject"].get<std::string>().size() == 22);  // 11 bytes, each a 2-octet U+00XX
}
