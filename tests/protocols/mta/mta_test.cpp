// mta::Mta as the wiring of its parts, run on a ClockRuntime without the simulator: the
// queue id in the 250 and in Received, the queue on the host's disk by default or in a
// store given with use_queue_store(), and a message from <> to a local user delivered.
#include "protocols/mta/mta.hpp"

#include <catch2/catch.hpp>

#include "tests/support/clock_runtime.hpp"

using namespace maillab;
using namespace maillab::mta;

namespace {

constexpr io::Time kS = 1'000'000'000LL;

MtaConfig config() {
  MtaConfig c;
  c.hostname = "mx.b.example";
  c.domains = {"b.example"};
  c.users.add("bob", std::string("secret"));
  return c;
}

Submission letter() {
  Submission s;
  s.sender = "alice@a.example";
  s.rcpts = {"bob@b.example"};
  s.content = "From: alice@a.example\r\nSubject: Hi\r\n\r\nHello\r\n";
  s.helo = "mx.a.example";
  s.client_address = "192.0.2.1";
  return s;
}

}  // namespace

TEST_CASE("mta: the 250 names the queue id; the queue file is on disk until delivery", "[mta]") {
  maillab::test::ClockRuntime rt;
  Mta mta(rt, config());
  std::vector<DeliveryRecord> got;
  mta.on_delivered = [&got](const DeliveryRecord& d) { got.push_back(d); };
  mta.start();
  rt.run_until(2 * kS);
  const smtp::Reply r = mta.enqueue(letter());
  CHECK(r.code == 250);
  // Postfix-like: the arrival time in microseconds (hex), Q, a counter.
  CHECK(r.text() == "Ok: queued as 1E8480Q1");
  CHECK(rt.disk().exists("queue/incoming/1E8480Q1"));
  CHECK(rt.disk().exists("queue/msg/1E8480Q1"));
  rt.run_until(2 * kS);
  REQUIRE(got.size() == 1);
  CHECK(got[0].queue_id == "1E8480Q1");
  CHECK(got[0].content->find("by mx.b.example") != std::string::npos);
  CHECK(got[0].content->find("id 1E8480Q1") != std::string::npos);
  CHECK(rt.disk().list("queue/").empty());  // delivered: gone from the queue
  CHECK(mta.queued() == 0);
}

TEST_CASE("mta: with a queue store of its own the host's disk holds mail only", "[mta][queue]") {
  maillab::test::ClockRuntime rt;
  MemoryQueueStore store;
  MtaConfig cfg = config();
  {
    Mta mta(rt, cfg);
    mta.use_queue_store(store);
    mta.start();
    Submission s = letter();
    s.rcpts = {"carol@far.example"};  // no resolver: deferred
    CHECK(mta.enqueue(s).code == 250);
    rt.run_until(0);
    CHECK(mta.queued() == 1);
    CHECK(rt.disk().list("queue/").empty());
  }
  // A reboot on the same store: the deferred message is back with its retry time.
  Mta again(rt, cfg);
  again.use_queue_store(store);
  again.start();
  REQUIRE(again.queued() == 1);
  CHECK(again.queue()[0].state == QueueState::Deferred);
  CHECK(again.queue()[0].next_attempt == 300 * kS);
}
