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
// receive_some(string_view, size_t output_limit) -> size_t (bytes consumed; it stops
// taking commands once its pending output reaches the limit, or once it has paused, and
// consumes at least one when it has no output and no pause) is fed in steps, so one read
// of pipelined commands never produces more than about kOutputSlice of replies at once (a
// POP3 RETR, a DNS answer: one command can answer kilobytes). An engine with
// paused() -> bool may ask for time for itself (a reply it holds back: Postfix's
// smtpd_error_sleep_time, Dovecot's auth_failure_delay): while paused() its timeout() is
// that wait, and the on_timeout() ending it is no timeout (the session goes on). An engine
// may also wait for its owner (the SMTP server awaiting a decision, ServerSession::
// decide()): paused() likewise; the owner calls pump() once it has changed the engine.
//
// Backpressure (DESIGN.md "Backpressure in the glue"): the driver stops reading, and keeps
// the unconsumed rest of the current read (at most one read: the connection reads no more
// meanwhile), while the connection holds more than kMaxUnsent bytes it has not sent (the
// peer does not read; reading resumes once it has drained to kResumeUnsent) and while the
// engine is paused (what the peer sends meanwhile waits in its TCP window, not in the
// engine). So a session's memory is bounded whatever the peer pipelines: unsent output up
// to kMaxUnsent plus one step of replies, and one read of input. A peer that reads
// nothing for a whole engine timeout is reset (Postfix: a write that times out ends the
// session): its farewell could never be delivered.
//
// TLS (docs/tls.md "Integration"): the driver is the record layer between the connection
// and the engine. Given a context (use_tls()), it runs a tls::Session either from the
// first byte (implicit TLS, RFC 8314) or once an engine with wants_tls() asks for it after
// its STARTTLS/STLS exchange (RFC 3207, RFC 2595): from then on every byte from the
// connection is decrypted before the engine sees it and everything the engine writes is
// encrypted; plaintext that arrived behind the STARTTLS command is dropped, never fed.
// The engine learns "TLS is on" through on_tls_started(HandshakeInfo) and never sees the
// session. A failed handshake closes the connection (after the fatal alert); an engine
// that closes sends close_notify first. Backpressure and held input count plaintext.
//
// Lifetime: the driver is held by a shared_ptr (the owner's set of sessions) and keeps
// itself alive while the connection can still call it; `on_finished` runs exactly once,
// when the connection is gone (closed by either side, reset or timed out).
#pragma once

#include <algorithm>
#include <chrono>
#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "protocols/io/runtime.hpp"
#include "protocols/message/date.hpp"
#include "protocols/tls/session.hpp"

namespace maillab::services {

// Reading stops while a connection holds more unsent bytes than this (per connection; the
// kernel's buffers come on top, as for any server).
inline constexpr std::size_t kMaxUnsent = 256u << 10;
// ... and resumes once they have drained to this.
inline constexpr std::size_t kResumeUnsent = 64u << 10;
// The output a bounded engine produces per step before the driver sends it and looks again.
inline constexpr std::size_t kOutputSlice = 64u << 10;

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

  // TLS with this context (which outlives the driver): from the first byte when
  // `implicit`, else when the engine asks (wants_tls()). Before start().
  void use_tls(tls::ServerContext& ctx, bool implicit) {
    server_ctx_ = &ctx;
    if (implicit) start_tls();
  }
  void use_tls(tls::ClientContext& ctx, tls::ClientParams params, bool implicit) {
    client_ctx_ = &ctx;
    client_params_ = std::move(params);
    if (implicit) start_tls();
  }
  // The session once TLS started (handshaking, open, or failed); else nullptr.
  const tls::Session* tls_session() const { return tls_ ? &*tls_ : nullptr; }

  // Attach to the connection and flush whatever the engine has to say first (a greeting).
  void start(std::function<void(io::CloseKind)> on_finished) {
    on_finished_ = std::move(on_finished);
    self_ = this->shared_from_this();
    conn_->set_handler(this);
    pump();
  }

  // Push pending engine output after the owner changed the engine from outside (a
  // decision it waited for): a wait it asked for before is over, and so is its deadline.
  void pump() {
    if (!conn_) return;
    pause_armed_ = false;
    flush();
    if (finish_if_closed()) return;
    if (conn_->unsent() > kMaxUnsent) wait_for_drain();
    arm();
    resume_reading();  // what the peer sent while the engine waited is read now
  }

  void on_data(std::string_view bytes) override {
    auto keep = self_;
    if (!conn_) return;
    if (tls_) {
      if (!decrypt(bytes)) return;
      bytes = plain_;
    }
    if (reading_paused_) {
      held_.append(bytes);  // read before the pause took effect: fed in order later
      return;
    }
    feed(bytes);
  }

  void on_drained() override {
    auto keep = self_;
    resume_reading();
  }

  // Backpressure, as the owner or a test sees it.
  bool reading_paused() const { return reading_paused_; }
  std::size_t held_input() const { return held_.size(); }

  void on_close(io::CloseKind why) override {
    auto keep = self_;
    if (!conn_) return;
    if (tls_) tls_->receive_eof();  // a truncation (no close_notify) changes nothing here
    engine_.receive_eof();
    discard_output();  // nothing can be sent any more
    held_.clear();
    conn_.reset();
    finish(why);
  }

  // The owner gives up on the session (host shutting down a service).
  void abort() {
    auto keep = self_;
    if (!conn_) return;
    held_.clear();
    conn_->set_handler(nullptr);
    conn_->abort();
    conn_.reset();
    finish(io::CloseKind::Reset);
  }

 private:
  static constexpr bool kKeepsOutput = requires(Engine& e) {
    { e.output() } -> std::convertible_to<std::string_view>;
    e.clear_output();
  };
  static constexpr bool kBounded = requires(Engine& e, std::string_view d, std::size_t n) {
    { e.receive_some(d, n) } -> std::convertible_to<std::size_t>;
  };

  static constexpr bool kTlsEngine = requires(Engine& e, const tls::HandshakeInfo& info) {
    { e.wants_tls() } -> std::convertible_to<bool>;
    e.on_tls_started(info);
  };

  bool engine_paused() const {
    if constexpr (requires(const Engine& e) { { e.paused() } -> std::convertible_to<bool>; }) {
      return engine_.paused();
    } else {
      return false;
    }
  }

  // Feeds `data` to the engine, sending its replies as they come, until all is taken, the
  // engine pauses, or the connection is over the bound (then the rest is held and reading
  // stops).
  void feed(std::string_view data) {
    for (;;) {
      if (engine_paused() && !data.empty()) {
        held_.assign(data);
        stop_reading();
        break;
      }
      if constexpr (kBounded) {
        const std::size_t n = engine_.receive_some(data, kOutputSlice);
        if (n == 0 && !data.empty() && !engine_paused()) {
          engine_.receive(data);  // no progress (output left from outside): all at once
          data = {};
        }
        data.remove_prefix(std::min(n, data.size()));
      } else {
        engine_.receive(data);
        data = {};
      }
      const bool was_tls = tls_.has_value();
      flush();
      if (finish_if_closed()) return;
      if (tls_ && !was_tls) data = {};  // sent in clear behind STARTTLS: dropped (RFC 3207 4.2)
      if (conn_->unsent() > kMaxUnsent) {
        held_.assign(data);
        wait_for_drain();
        break;
      }
      if (data.empty()) break;
    }
    arm();
  }

  bool finish_if_closed() {
    if (!engine_.closed()) return false;
    held_.clear();
    if (tls_ && tls_->handshake_done() && !tls_->failed()) {
      tls_->close();  // close_notify (RFC 8446 6.1)
      send_wire();
    }
    conn_->close();
    finish(io::CloseKind::Orderly);
    return true;
  }

  void stop_reading() {
    if (reading_paused_) return;
    reading_paused_ = true;
    conn_->pause_reading(true);
  }

  void wait_for_drain() {
    stop_reading();
    conn_->notify_drained(kResumeUnsent);
  }

  // Feeds what was held and reads again, unless the peer is still behind or the engine
  // still waits (its timer calls this again).
  void resume_reading() {
    if (!conn_ || !reading_paused_ || engine_paused()) return;
    if (conn_->unsent() > kMaxUnsent) return wait_for_drain();
    reading_paused_ = false;
    const std::string held = std::exchange(held_, {});
    feed(held);  // may stop reading again, keeping what is left
    if (conn_ && !reading_paused_) conn_->pause_reading(false);
  }

  // Sends the engine's pending output (send() copies it and never calls back), then
  // starts TLS if the engine asks for it now (its 220/+OK went out in clear).
  void flush() {
    if constexpr (kKeepsOutput) {
      if (const std::string_view out = engine_.output(); !out.empty()) send_plain(out);
      engine_.clear_output();
    } else {
      if (const std::string out = engine_.take_output(); !out.empty()) send_plain(out);
    }
    if constexpr (kTlsEngine) {
      if (!tls_ && engine_.wants_tls() && !engine_paused() && (server_ctx_ || client_ctx_)) {
        held_.clear();
        start_tls();
      }
    }
  }

  void send_plain(std::string_view out) {
    if (!tls_) return conn_->send(out);
    tls_->send(out);  // queued until the handshake is done; nothing after a failure
    send_wire();
  }

  void send_wire() {
    if (!tls_->output().empty() && conn_) conn_->send(tls_->output());
    tls_->clear_output();
  }

  tls::UnixTime tls_now() const { return message::unix_seconds(rt_.now()); }

  void start_tls() {
    if (server_ctx_) {
      tls_.emplace(*server_ctx_, tls_now());
    } else {
      tls_.emplace(*client_ctx_, client_params_, tls_now());
      if (conn_) send_wire();  // the ClientHello (implicit TLS: sent by start())
    }
  }

  // Wire bytes through the TLS session into plain_; false when it failed (the
  // connection is then closed and the session finished).
  bool decrypt(std::string_view wire) {
    tls_->set_time(tls_now());
    const tls::Status status = tls_->receive(wire);
    send_wire();  // handshake records, alerts
    if (status == tls::Status::Failed) {
      engine_.receive_eof();
      discard_output();
      held_.clear();
      conn_->close();  // after the fatal alert
      finish(io::CloseKind::Reset);
      return false;
    }
    if (!tls_told_ && tls_->handshake_done()) {
      tls_told_ = true;
      if constexpr (kTlsEngine) engine_.on_tls_started(tls_->info());
      flush();  // an implicit-TLS greeting, a client's EHLO
      if (finish_if_closed()) return false;
    }
    plain_ = tls_->take_plaintext();
    return true;
  }

  void discard_output() {
    if constexpr (kKeepsOutput) {
      engine_.clear_output();
    } else {
      engine_.take_output();
    }
  }

  void arm() {
    // A pause keeps the deadline it started with: input arriving meanwhile (held here)
    // does not stretch it.
    if (engine_paused() && pause_armed_ && timer_ != 0) return;
    pause_armed_ = engine_paused();
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
    if (engine_paused()) {
      engine_.on_timeout();  // the wait is over: the held reply goes out, then what the
      return pump();         // peer sent meanwhile is read
    }
    engine_.on_timeout();
    flush();
    conn_->set_handler(nullptr);
    if (reading_paused_) {  // not for the engine (it is not paused): the peer is behind
      conn_->abort();  // the peer read nothing for a whole timeout: its farewell cannot go
    } else {
      conn_->close();
    }
    held_.clear();
    conn_.reset();
    finish(io::CloseKind::TimedOut);
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
  bool pause_armed_ = false;     // timer_ is the engine's pause, not its wait for the peer
  bool reading_paused_ = false;  // reading stopped: the peer is behind, or the engine waits
  std::string held_;             // input read and not fed yet (at most one read)
  std::function<void(io::CloseKind)> on_finished_;
  std::shared_ptr<SessionDriver> self_;
  tls::ServerContext* server_ctx_ = nullptr;  // TLS as a server, or
  tls::ClientContext* client_ctx_ = nullptr;  // as a client (use_tls())
  tls::ClientParams client_params_;
  std::optional<tls::Session> tls_;  // once TLS started
  bool tls_told_ = false;            // the engine was told on_tls_started()
  std::string plain_;                // the last read, decrypted
};

// A server's accepted session (a struct holding its `driver`): TLS when the server has a
// context (from the first byte when `implicit_tls`), the engine started, and the session
// kept in `sessions` until its connection is over, then erased from an event of its own
// (never from inside the driver's callback). The POP3 and IMAP servers start theirs so.
template <class Session>
void start_server_session(io::Runtime& rt, std::set<std::shared_ptr<Session>>& sessions,
                          const std::shared_ptr<Session>& s, tls::ServerContext* tls, bool implicit_tls) {
  if (tls != nullptr) s->driver->use_tls(*tls, implicit_tls);
  s->driver->engine().start();
  sessions.insert(s);
  std::weak_ptr<Session> weak = s;
  s->driver->start([&rt, &sessions, weak](io::CloseKind) {
    if (auto keep = weak.lock()) rt.start_timer(0, [&sessions, keep] { sessions.erase(keep); });
  });
}

}  // namespace maillab::services
