// An MTA booted on the disk an earlier run left, with a clock that started over (what
// `maillab serve` does when restarted on the same --mailboxes DIR): reloaded mail is kept
// next to new mail, and an envelope whose content a crash cut short (or that does not parse)
// is not taken for mail but set aside in queue/corrupt/.
#include <catch2/catch.hpp>

#include "protocols/mta/mta.hpp"
#include "protocols/mta/queue_file.hpp"
#include "scenarios/sim_runtime.hpp"

using namespace maillab;

namespace {

mta::MtaConfig config() {
  mta::MtaConfig c;
  c.hostname = "mx.b.example";
  c.domains = {"b.example"};
  return c;
}

mta::Submission submission(const std::string& subject) {
  mta::Submission s;
  s.sender = "alice@a.example";
  s.rcpts = {"carol@c.example"};
  s.content = "Subject: " + subject + "\r\n\r\nbody\r\n";
  s.client = "local";
  return s;
}

// One boot of the host: its own simulator (time 0), the shared disk.
struct Boot {
  sim::Simulator sim{1};
  sim::TraceRecorder trace;
  sim::Network net{sim};
  std::unique_ptr<scenario::SimRuntime> rt;
  std::unique_ptr<mta::Mta> mta;
  explicit Boot(io::MemoryDisk& disk) {
    net.add_host("mx.b.example", *sim::parse_address("10.0.0.2"));
    rt = std::make_unique<scenario::SimRuntime>(sim, net, trace, "mx.b.example", "10.0.0.2", disk);
    mta = std::make_unique<mta::Mta>(*rt, config());
    mta->start();
  }
};

std::vector<std::string> contents(const io::MemoryDisk& disk) {
  std::vector<std::string> out;
  for (const auto& p : disk.list("queue/msg/")) out.push_back(*disk.read(p));
  return out;
}

}  // namespace

TEST_CASE("queue restart: a new message never takes the id of a reloaded one") {
  io::MemoryDisk disk;
  {
    Boot first(disk);
    REQUIRE(first.mta->enqueue(submission("first run")).code == 250);
    REQUIRE(first.mta->queued() == 1);
  }  // stopped before any delivery attempt: the message stays queued
  Boot second(disk);
  REQUIRE(second.mta->queued() == 1);  // reloaded
  // Same simulated time and counter as the first run's message: the same id unless the
  // MTA looks at its queue.
  REQUIRE(second.mta->enqueue(submission("second run")).code == 250);
  CHECK(second.mta->queued() == 2);
  auto c = contents(disk);
  REQUIRE(c.size() == 2);
  CHECK(((c[0].find("first run") != std::string::npos && c[1].find("second run") != std::string::npos) ||
         (c[1].find("first run") != std::string::npos && c[0].find("second run") != std::string::npos)));
}

TEST_CASE("queue restart: an envelope whose content is empty or missing is not reloaded") {
  io::MemoryDisk disk;
  std::string id;
  {
    Boot first(disk);
    REQUIRE(first.mta->enqueue(submission("cut short")).code == 250);
    auto msgs = disk.list("queue/msg/");
    REQUIRE(msgs.size() == 1);
    id = msgs[0].substr(std::string("queue/msg/").size());
  }
  SECTION("empty content (a file created but not yet synced when the power went)") {
    REQUIRE(disk.write(mta::QueueFile::content_path(id), std::string_view("")));
  }
  SECTION("no content") {
    REQUIRE(disk.remove(mta::QueueFile::content_path(id)));
  }
  {
    Boot second(disk);
    CHECK(second.mta->queued() == 0);
    bool corrupt = false;
    for (const auto& e : second.trace.events()) corrupt |= e.event == "queue.corrupt";
    CHECK(corrupt);
    // Set aside (Postfix's corrupt/), out of the queue's way: a new message that gets the
    // same id (the clock started over) is not mixed up with it.
    CHECK(disk.exists("queue/corrupt/incoming." + id));
    CHECK(disk.list("queue/incoming/").empty());
    REQUIRE(second.mta->enqueue(submission("after the crash")).code == 250);
    REQUIRE(disk.exists(mta::QueueFile::content_path(id)));  // the same id, indeed
  }
  Boot third(disk);
  REQUIRE(third.mta->queued() == 1);
  CHECK(third.mta->queue().front().subject == "after the crash");
}

TEST_CASE("queue restart: an envelope that does not parse is set aside, not loaded") {
  io::MemoryDisk disk;
  REQUIRE(disk.write("queue/deferred/ABCQ1", std::string_view("garbage\n")));
  Boot boot(disk);
  CHECK(boot.mta->queued() == 0);
  CHECK(disk.exists("queue/corrupt/deferred.ABCQ1"));
  CHECK(!disk.exists("queue/deferred/ABCQ1"));
}
