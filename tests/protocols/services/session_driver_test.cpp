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

using namespace maillab;

namespace {

// Timers only: what a driver uses of a runtime.
class TimerRuntime : public io::Runtime {
 public:
  io::Time now() const override { return 0; }
  const std::string& hostname() const override { return name_; }
  const std::string& address() const override { return name_; }
  io::TimerHandle start_timer(io::Time delay, std::function<void()> fn) override {
    delays.push_back(delay);
    timers_[++next_] = std::move(fn);
    return next_;
  }
  std::vector<io::Time> delays;  // of every timer started
  void cancel_timer(io::TimerHandle h) override { timers_.erase(h); }
  void listen(std::uint16_t, std::function<void(io::ConnectionPtr)>) override {}
  void connect(const std::string&, std::uint16_t, io::Time,
               std::function<void(io::ConnectStatus, io::ConnectionPtr)>) override {}
  std::uint16_t udp_bind(std::uint16_t port, DatagramFn) override { return port; }
  void udp_unbind(std::uint16_t) override {}
  void udp_send(std::uint16_t, const std::string&, std::uint16_t, std::string_view) override {}
  io::Disk& disk() override { return disk_; }
  std::mt19937_64& rng(std::string_view) override { return rng_; }
  void trace(io::trace::Agent, io::trace::Event, std::initializer_list<io::TraceField>) override {}

  std::size_t pending() const { return timers_.size(); }
  // Fires the one pending timer (a driver has at most one).
  void fire() {
    REQUIRE(timers_.size() == 1);
    auto fn = std::move(timers_.begin()->second);
    timers_.clear();
    fn();
  }

 private:
  std::string name_ = "test";
  std::map<io::TimerHandle, std::function<void()>> timers_;
  io::TimerHandle next_ = 0;
  io::MemoryDisk disk_;
  std::mt19937_64 rng_;
};

struct RecordingConnection : io::Connection {
  io::ConnectionHandler* handler = nullptr;
  std::vector<std::string> sent;  // one entry per send()
  bool closed = false;
  void set_handler(io::ConnectionHandler* h) override { handler = h; }
  void send(std::string_view bytes) override { sent.emplace_back(bytes); }
  void close() override { closed = true; }
  void abort() override { closed = true; }
  std::string peer_address() const override { return "192.0.2.9"; }
  std::uint16_t local_port() const override { return 25; }
};

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
  s.conn->handler->on_close(io::CloseKind::kOrderly);  // ends the session (and its self-reference)
  CHECK(s.finished == io::CloseKind::kOrderly);
}

TEST_CASE("SessionDriver with a keeping engine: close, timeout and hang-up", "[services][driver]") {
  SECTION("the engine closes after its last reply") {
    Setup s;
    s.conn->handler->on_data("quit");
    CHECK(s.conn->sent == std::vector<std::string>{"hello\n", "ok quit\n"});
    CHECK(s.conn->closed);
    CHECK(s.finished == io::CloseKind::kOrderly);
  }
  SECTION("a timeout sends the engine's farewell, then closes") {
    Setup s;
    s.conn->handler->on_data("x");
    s.rt.fire();
    CHECK(s.conn->sent == std::vector<std::string>{"hello\n", "ok x\n", "bye\n"});
    CHECK(s.conn->closed);
    CHECK(s.finished == io::CloseKind::kTimedOut);
    CHECK(s.rt.pending() == 0);
  }
  SECTION("after the peer hangs up nothing more is sent") {
    Setup s;
    s.conn->handler->on_close(io::CloseKind::kReset);
    CHECK(s.conn->sent == std::vector<std::string>{"hello\n"});
    CHECK(s.finished == io::CloseKind::kReset);
    CHECK(s.driver->engine().output().empty());  // what receive_eof() wrote was dropped
    CHECK(s.driver->engine().take_output_calls == 0);
  }
}

namespace {

// Holds its reply to "err" for 500 ms (as the SMTP server's error sleep does), reading
// nothing meanwhile; idle timeout 1 s.
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
  conn->handler->on_data("a");  // held by the engine: the pause's timer is not moved
  conn->handler->on_data("b");
  CHECK(rt.delays.size() == started);
  CHECK(conn->sent.empty());
  rt.fire();  // the pause ends: the held reply, then the input read meanwhile
  CHECK(conn->sent == std::vector<std::string>{"late\nok ab\n"});
  CHECK_FALSE(conn->closed);
  CHECK_FALSE(finished);
  CHECK(rt.delays.back() == 1'000'000'000);  // waiting for the peer again
  rt.fire();  // a real timeout now
  CHECK(conn->closed);
  CHECK(finished == io::CloseKind::kTimedOut);
}
