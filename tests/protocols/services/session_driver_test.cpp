// SessionDriver with an engine that keeps its output buffer (output(), clear_output()):
// every byte the engine writes goes out exactly once, in order, and closing, timing out
// and the peer hanging up behave as with take_output().
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "protocols/io/disk.hpp"
#include "protocols/io/runtime.hpp"
#include "protocols/services/session_driver.hpp"

#include "driver_test_support.hpp"

using namespace maillab;
using services::test::RecordingConnection;
using services::test::TimerRuntime;

namespace {

// Answers every chunk with "ok <chunk>\n" (several lines for a long chunk, so the buffer
// grows and is reused), says "hello\n" first, "bye\n" on a timeout, closes on "quit".
struct KeepingEngine {
  std::string out = "hello\n";
  bool quit = false;
  int take_output_calls = 0;
  void receive(std::string_view bytes) {
    for (std::size_t i = 0; i < bytes.size(); i += 40) out.append("ok ").append(bytes.substr(i, 40)).append("\n");
    quit = bytes == "quit";
  }
  void receive_eof() { out += "unsent\n"; }
  std::string_view output() const { return out; }
  void clear_output() { out.clear(); }
  std::string take_output() {
    ++take_output_calls;
    return std::exchange(out, {});
  }
  std::chrono::milliseconds timeout() const { return std::chrono::milliseconds(1000); }
  void on_timeout() { out += "bye\n"; }
  bool closed() const { return quit; }
};

using Driver = services::SessionDriver<KeepingEngine>;

struct Setup {
  TimerRuntime rt;
  std::shared_ptr<RecordingConnection> conn = std::make_shared<RecordingConnection>();
  std::shared_ptr<Driver> driver = std::make_shared<Driver>(rt, conn);
  std::optional<io::CloseKind> finished;
  Setup() {
    driver->start([this](io::CloseKind why) { finished = why; });
  }
};

}  // namespace

TEST_CASE("SessionDriver sends a keeping engine's output once per exchange, in order", "[services][driver]") {
  Setup s;
  CHECK(s.conn->sent == std::vector<std::string>{"hello\n"});
  std::mt19937 rng(7);
  std::vector<std::string> expected{"hello\n"};
  for (int i = 0; i < 200; ++i) {
    // Short and long chunks: the buffer grows, then serves the short ones again.
    const std::string chunk(1 + rng() % (i % 10 == 0 ? 2000 : 30), static_cast<char>('a' + i % 26));
    s.conn->handler->on_data(chunk);
    std::string reply;
    for (std::size_t at = 0; at < chunk.size(); at += 40) reply += "ok " + chunk.substr(at, 40) + "\n";
    expected.push_back(reply);
    REQUIRE(s.conn->sent == expected);
  }
  CHECK(s.driver->engine().take_output_calls == 0);
  CHECK(s.driver->engine().output().empty());
  CHECK_FALSE(s.finished);
  s.conn->handler->on_close(io::CloseKind::Orderly);  // ends the session (and its self-reference)
  CHECK(s.finished == io::CloseKind::Orderly);
}

TEST_CASE("SessionDriver with a keeping engine: close, timeout and hang-up", "[services][driver]") {
  SECTION("the engine closes after its last reply") {
    Setup s;
    s.conn->handler->on_data("quit");
    CHECK(s.conn->sent == std::vector<std::string>{"hello\n", "ok quit\n"});
    CHECK(s.conn->closed);
    CHECK(s.finished == io::CloseKind::Orderly);
  }
  SECTION("a timeout sends the engine's farewell, then closes") {
    Setup s;
    s.conn->handler->on_data("x");
    s.rt.fire();
    CHECK(s.conn->sent == std::vector<std::string>{"hello\n", "ok x\n", "bye\n"});
    CHECK(s.conn->closed);
    CHECK(s.finished == io::CloseKind::TimedOut);
    CHECK(s.rt.pending() == 0);
  }
  SECTION("after the peer hangs up nothing more is sent") {
    Setup s;
    s.conn->handler->on_close(io::CloseKind::Reset);
    CHECK(s.conn->sent == std::vector<std::string>{"hello\n"});
    CHECK(s.finished == io::CloseKind::Reset);
    CHECK(s.driver->engine().output().empty());  // what receive_eof() wrote was dropped
    CHECK(s.driver->engine().take_output_calls == 0);
  }
}

namespace {

// Holds its reply to "err" for 500 ms (as the SMTP server's error sleep does), keeping what
// it is given meanwhile; idle timeout 1 s.
struct PausingEngine {
  std::string out, held, input;
  bool paused_ = false;
  void receive(std::string_view bytes) {
    if (paused_) {
      input.append(bytes);
      return;
    }
    if (bytes == "err") {
      paused_ = true;
      held = "late\n";
    } else {
      out.append("ok ").append(bytes).append("\n");
    }
  }
  void receive_eof() {}
  std::string take_output() { return std::exchange(out, {}); }
  std::chrono::milliseconds timeout() const { return std::chrono::milliseconds(paused_ ? 500 : 1000); }
  void on_timeout() {
    if (!paused_) return;
    paused_ = false;
    out += std::exchange(held, {});
    if (!input.empty()) receive(std::exchange(input, {}));
  }
  bool paused() const { return paused_; }
  bool closed() const { return false; }
};

// A peer that reads only when told to: unsent() is what the driver sent and the peer has
// not read yet; reading may be paused; one drained notification may be pending.
struct SlowPeerConnection : io::Connection {
  io::ConnectionHandler* handler = nullptr;
  std::string sent;      // everything, in order
  std::size_t read = 0;  // how much of it the peer has read
  bool paused = false;
  std::optional<std::size_t> drain_level;
  bool closed = false, aborted = false;
  void set_handler(io::ConnectionHandler* h) override { handler = h; }
  void send(std::string_view bytes) override { sent.append(bytes); }
  void close() override { closed = true; }
  void abort() override { aborted = true; }
  std::size_t unsent() const override { return sent.size() - read; }
  void pause_reading(bool p) override { paused = p; }
  void notify_drained(std::size_t level) override { drain_level = level; }
  std::string peer_address() const override { return "192.0.2.9"; }
  std::uint16_t local_port() const override { return 110; }

  // The peer reads everything; the driver hears of it as a runtime would tell it.
  void peer_reads_all() {
    read = sent.size();
    if (drain_level && unsent() <= *drain_level) {
      drain_level.reset();
      handler->on_drained();
    }
  }
};

// Answers each line with 1 KiB (a line "QUIT" closes), and takes lines only while its
// output is below the limit it is given.
struct AmplifyingEngine {
  std::string out;
  std::string partial;
  bool quit = false;
  std::size_t largest_step = 0;  // the most input it was handed and consumed in one call
  std::size_t receive_some(std::string_view data, std::size_t limit) {
    std::size_t used = 0;
    while (used < data.size() && out.size() < limit && !quit) {
      const std::size_t lf = data.find('\n', used);
      if (lf == std::string_view::npos) {
        partial.append(data.substr(used));
        used = data.size();
        break;
      }
      const std::string line = partial + std::string(data.substr(used, lf - used));
      partial.clear();
      used = lf + 1;
      if (line == "QUIT") {
        quit = true;
      } else {
        out.append(1023, line.empty() ? '-' : line[0]).append("\n");
      }
    }
    largest_step = std::max(largest_step, used);
    return quit ? data.size() : used;
  }
  void receive(std::string_view data) { receive_some(data, std::string::npos); }
  void receive_eof() {}
  std::string take_output() { return std::exchange(out, {}); }
  std::chrono::milliseconds timeout() const { return std::chrono::milliseconds(quit ? 0 : 1000); }
  void on_timeout() { quit = true; }
  bool closed() const { return quit; }
};

}  // namespace

TEST_CASE("SessionDriver: an engine's pause keeps its deadline and ending it is no timeout", "[services][driver]") {
  TimerRuntime rt;
  auto conn = std::make_shared<RecordingConnection>();
  auto driver = std::make_shared<services::SessionDriver<PausingEngine>>(rt, conn);
  std::optional<io::CloseKind> finished;
  driver->start([&](io::CloseKind why) { finished = why; });
  conn->handler->on_data("err");
  CHECK(conn->sent.empty());
  CHECK(rt.delays.back() == 500'000'000);
  const std::size_t started = rt.delays.size();
  conn->handler->on_data("a");  // held (the driver reads no more): the pause's timer is not moved
  CHECK(conn->reading_paused);     // what the peer sends next waits in its TCP window
  conn->handler->on_data("b");     // read before the pause took effect: held too
  CHECK(rt.delays.size() == started);
  CHECK(conn->sent.empty());
  CHECK(driver->held_input() == 2);
  CHECK(driver->engine().input.empty());  // never in the engine, which would cap it with 421
  rt.fire();  // the pause ends: the held reply, then the input read meanwhile
  std::string wire;
  for (const auto& piece : conn->sent) wire += piece;
  CHECK(wire == "late\nok ab\n");
  CHECK_FALSE(conn->reading_paused);
  CHECK(driver->held_input() == 0);
  CHECK_FALSE(conn->closed);
  CHECK_FALSE(finished);
  CHECK(rt.delays.back() == 1'000'000'000);  // waiting for the peer again
  rt.fire();  // a real timeout now
  CHECK(conn->closed);
  CHECK(finished == io::CloseKind::TimedOut);
}

TEST_CASE("SessionDriver stops reading while the peer does not read, and resumes when it does",
          "[services][driver][backpressure]") {
  TimerRuntime rt;
  auto conn = std::make_shared<SlowPeerConnection>();
  auto driver = std::make_shared<services::SessionDriver<AmplifyingEngine>>(rt, conn);
  std::optional<io::CloseKind> finished;
  driver->start([&](io::CloseKind why) { finished = why; });

  // 16 KiB reads of 2-octet commands, each answered with 1 KiB: 8 MiB of replies per read.
  std::string read;
  for (int i = 0; i < 8192; ++i) read += static_cast<char>('a' + i % 26), read += '\n';
  std::size_t fed = 0;
  int reads = 0;
  while (!conn->paused && reads < 1000) {
    conn->handler->on_data(read);
    fed += read.size();
    ++reads;
  }
  REQUIRE(conn->paused);
  CHECK(reads == 1);  // the first read already filled the bound
  // Bounded: unsent output at most the bound plus one step of replies; input held at most
  // one read; the engine never took more than a step's worth at once.
  CHECK(conn->unsent() > services::kMaxUnsent);
  CHECK(conn->unsent() <= services::kMaxUnsent + services::kOutputSlice + 1024);
  CHECK(driver->held_input() < read.size());
  CHECK(driver->engine().largest_step <= 2 * (services::kOutputSlice / 1024 + 1));
  REQUIRE(conn->drain_level == services::kResumeUnsent);

  // The peer reads: the held rest is fed, reading resumes when the bound allows; until
  // every command is answered, in order.
  std::string sent_order;
  while (driver->reading_paused() || fed < 20 * read.size()) {
    if (driver->reading_paused()) {
      conn->peer_reads_all();
    } else {
      conn->handler->on_data(read);
      fed += read.size();
    }
  }
  while (driver->reading_paused()) conn->peer_reads_all();
  conn->peer_reads_all();
  REQUIRE(conn->sent.size() == fed / 2 * 1024);
  for (std::size_t i = 0; i < fed / 2; ++i) {
    if (conn->sent[i * 1024] != static_cast<char>('a' + i % 8192 % 26)) {
      FAIL("reply " << i << " out of order");
    }
  }
  conn->handler->on_data("QUIT\n");
  CHECK(finished == io::CloseKind::Orderly);
  CHECK(conn->closed);
}

TEST_CASE("SessionDriver resets a peer that reads nothing for a whole timeout",
          "[services][driver][backpressure]") {
  TimerRuntime rt;
  auto conn = std::make_shared<SlowPeerConnection>();
  auto driver = std::make_shared<services::SessionDriver<AmplifyingEngine>>(rt, conn);
  std::optional<io::CloseKind> finished;
  driver->start([&](io::CloseKind why) { finished = why; });
  std::string read;
  for (int i = 0; i < 1000; ++i) read += "x\n";
  while (!conn->paused) conn->handler->on_data(read);
  rt.fire();
  CHECK(finished == io::CloseKind::TimedOut);
  CHECK(conn->aborted);
  CHECK_FALSE(conn->closed);
}

namespace {

// An engine that waits for its owner's decision ("ask": the SMTP server's pending hook),
// which may start a pause of its own (an error reply past the soft limit).
struct DecidingEngine {
  std::string out;
  bool waiting = false, paused_ = false;
  void receive(std::string_view bytes) {
    if (bytes == "ask") waiting = true;
  }
  void decide(bool error) {
    waiting = false;
    if (error) {
      paused_ = true;
    } else {
      out += "decided\n";
    }
  }
  void receive_eof() {}
  std::string take_output() { return std::exchange(out, {}); }
  std::chrono::milliseconds timeout() const {
    return std::chrono::milliseconds(waiting ? 2000 : paused_ ? 500 : 1000);
  }
  void on_timeout() {
    if (waiting) {
      waiting = false;
      out += "timed out\n";
    } else if (paused_) {
      paused_ = false;
      out += "error\n";
    }
  }
  bool paused() const { return waiting || paused_; }
  bool closed() const { return false; }
};

}  // namespace

TEST_CASE("SessionDriver: an owner's decision is pumped out, and a pause it starts gets its own deadline",
          "[services][driver]") {
  TimerRuntime rt;
  auto conn = std::make_shared<RecordingConnection>();
  auto driver = std::make_shared<services::SessionDriver<DecidingEngine>>(rt, conn);
  std::optional<io::CloseKind> finished;
  driver->start([&](io::CloseKind why) { finished = why; });
  conn->handler->on_data("ask");
  CHECK(rt.delays.back() == 2'000'000'000);
  driver->engine().decide(false);
  driver->pump();
  CHECK(conn->sent == std::vector<std::string>{"decided\n"});
  CHECK(rt.delays.back() == 1'000'000'000);
  conn->handler->on_data("ask");
  driver->engine().decide(true);  // the decision is an error the engine holds back
  driver->pump();
  CHECK(rt.delays.back() == 500'000'000);  // the pause's own time, not the decision's remainder
  rt.fire();
  CHECK(conn->sent.back() == "error\n");
  conn->handler->on_data("ask");
  rt.fire();  // no decision: the engine answers by itself and the session goes on
  CHECK(conn->sent.back() == "timed out\n");
  CHECK_FALSE(finished);
  CHECK_FALSE(conn->closed);
}
