// services::SessionDriver: runs one sans-I/O engine (SMTP or POP3, server or client) over
// an io::Connection. Written once for every engine and both worlds (simulated streams and
// real sockets): bytes in -> engine.receive(), engine output -> connection, the engine's
// timeout() -> a runtime timer re-armed after every exchange, engine closed() -> orderly
// close once its last reply is sent.
//
// Engine concept: receive(string_view), receive_eof(), take_output() -> string,
// timeout() -> std::chrono::milliseconds, on_timeout(), closed() -> bool. An engine that
// also has output() -> string_view and clear_output() is sent from its own buffer, which
// it keeps: an exchange then allocates nothing for its output. An engine with
// paused() -> bool may ask for time for itself (a reply it holds back: Postfix's
// smtpd_error_sleep_time, Dovecot's auth_failure_delay): while paused() its timeout() is
// that wait, and the on_timeout() ending it is no timeout (the session goes on).
//
// Lifetime: the driver is held by a shared_ptr (the owner's set of sessions) and keeps
// itself alive while the connection can still call it; `on_finished` runs exactly once,
// when the connection is gone (closed by either side, reset or timed out).
#pragma once

#include <chrono>
#include <concepts>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "protocols/io/runtime.hpp"

namespace maillab::services {

template <class Engine>
class SessionDriver final : public io::ConnectionHandler,
                            public std::enable_shared_from_this<SessionDriver<Engine>> {
 public:
  template <class... Args>
  SessionDriver(io::Runtime& rt, io::ConnectionPtr conn, Args&&... args)
      : rt_(rt), conn_(std::move(conn)), engine_(std::forward<Args>(args)...) {}

  ~SessionDriver() override { rt_.cancel_timer(timer_); }

  Engine& engine() { return engine_; }
  const Engine& engine() const { return engine_; }

  // Attach to the connection and flush whatever the engine has to say first (a greeting).
  void start(std::function<void(io::CloseKind)> on_finished) {
    on_finished_ = std::move(on_finished);
    self_ = this->shared_from_this();
    conn_->set_handler(this);
    pump();
  }

  // Push pending engine output (after the owner changed the engine from outside).
  void pump() {
    if (!conn_) return;
    flush();
    if (engine_.closed()) {
      conn_->close();
      finish(io::CloseKind::kOrderly);
      return;
    }
    arm();
  }

  void on_data(std::string_view bytes) override {
    auto keep = self_;
    engine_.receive(bytes);
    pump();
  }

  void on_close(io::CloseKind why) override {
    auto keep = self_;
    if (!conn_) return;
    engine_.receive_eof();
    discard_output();  // nothing can be sent any more
    conn_.reset();
    finish(why);
  }

  // The owner gives up on the session (host shutting down a service).
  void abort() {
    auto keep = self_;
    if (!conn_) return;
    conn_->set_handler(nullptr);
    conn_->abort();
    conn_.reset();
    finish(io::CloseKind::kReset);
  }

 private:
  static constexpr bool kKeepsOutput = requires(Engine& e) {
    { e.output() } -> std::convertible_to<std::string_view>;
    e.clear_output();
  };

  bool paused() const {
    if constexpr (requires(const Engine& e) { { e.paused() } -> std::convertible_to<bool>; }) {
      return engine_.paused();
    } else {
      return false;
    }
  }

  // Sends the engine's pending output (send() copies it and never calls back).
  void flush() {
    if constexpr (kKeepsOutput) {
      if (const std::string_view out = engine_.output(); !out.empty()) conn_->send(out);
      engine_.clear_output();
    } else {
      if (const std::string out = engine_.take_output(); !out.empty()) conn_->send(out);
    }
  }

  void discard_output() {
    if constexpr (kKeepsOutput) {
      engine_.clear_output();
    } else {
      engine_.take_output();
    }
  }

  void arm() {
    // A pause keeps the deadline it started with: input arriving meanwhile (held by the
    // engine) does not stretch it.
    if (paused() && pause_armed_ && timer_ != 0) return;
    pause_armed_ = paused();
    auto ms = engine_.timeout();
    if (ms.count() <= 0) {
      rt_.cancel_timer(timer_);
      timer_ = 0;
      return;
    }
    const io::Time delay = std::chrono::duration_cast<std::chrono::nanoseconds>(ms).count();
    if (timer_ != 0) {
      // Usually still pending from the last exchange: moved, callback and all.
      if (io::TimerHandle t = rt_.restart_timer(timer_, delay)) {
        timer_ = t;
        return;
      }
      rt_.cancel_timer(timer_);
    }
    // A plain pointer is enough: the destructor cancels timer_, and a cancelled timer never
    // fires (io::Runtime), so the callback never sees a dead driver. (A weak_ptr here cost
    // an allocation per exchange.)
    timer_ = rt_.start_timer(delay, [this] { fire(); });
  }

  void fire() {
    timer_ = 0;
    pause_armed_ = false;
    if (!conn_) return;
    auto keep = self_;
    if (paused()) {
      engine_.on_timeout();  // the wait is over: held replies go out, input is read
      return pump();
    }
    engine_.on_timeout();
    flush();
    conn_->set_handler(nullptr);
    conn_->close();
    conn_.reset();
    finish(io::CloseKind::kTimedOut);
  }

  void finish(io::CloseKind why) {
    rt_.cancel_timer(timer_);
    timer_ = 0;
    if (conn_) conn_->set_handler(nullptr);
    conn_.reset();
    auto done = std::move(on_finished_);
    on_finished_ = nullptr;
    auto keep = std::move(self_);  // may destroy *this after the callback returns
    if (done) done(why);
  }

  io::Runtime& rt_;
  io::ConnectionPtr conn_;
  Engine engine_;
  io::TimerHandle timer_ = 0;
  bool pause_armed_ = false;  // timer_ is the engine's pause, not its wait for the peer
  std::function<void(io::CloseKind)> on_finished_;
  std::shared_ptr<SessionDriver> self_;
};

}  // namespace maillab::services
