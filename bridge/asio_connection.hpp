// bridge::AsioConnection: an io::Connection over a real TCP socket, so a service written
// against io::Runtime (the MTA, the POP3 server, an SMTP attempt) talks to real software
// with the very same engine objects it uses in the simulation.
//
// Semantics follow the simulator's streams (sim/network.hpp), as SessionDriver expects:
// - on_data/on_close are only ever called from Asio handlers, never from inside send(),
//   close(), abort() or set_handler() (data that arrives while no handler is attached is
//   kept and handed over from a posted handler).
// - on_close is delivered exactly once, for EOF (kOrderly), any socket error (kReset) or
//   when the bridge gives up on the connection (fail()); never after close() or abort().
// - close(): orderly, after every queued byte is written: shutdown(send), then the reads
//   are drained until the peer closes (or `linger` passes) so no RST destroys the last
//   reply in flight. abort(): RST now (SO_LINGER 0).
// - No exception leaves this class: every Asio call uses the error_code overloads.
// - Limbo (to_limbo()): the virtual host behind the connection crashed or is down. The
//   handler is dropped without a word (the service is gone or going), the socket stays
//   open and silent, as a dead machine is (reads are discarded, nothing is sent), until
//   the bridge resets it (the host is back: reset()) or the peer leaves. A service torn
//   down by a crash aborts its sessions; with a `dead_host` predicate set, an abort() while
//   it holds turns into limbo instead of a RST.
//
// - Backpressure (io::Connection): unsent() counts what send() was given and the socket
//   has not taken (queued, being written, held for a sync). While reading is paused no
//   read is issued, so the kernel's buffers fill and TCP holds the peer back; the bytes of
//   one read at most reach the handler late (after resume). on_drained() comes from the
//   write completion that brings unsent() down to the level asked for.
// - Held output (set_commit(), serve --mailboxes): what send() is given after a disk change
//   it may rest on waits until that change is durable (bridge/group_commit.hpp); close()
//   still waits for it to be written. Without it, send() starts writing at once.
//
// Lifetime: held by shared_ptr; every pending Asio operation holds one, so the object
// outlives its last handler even when the service drops it.
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "bridge/group_commit.hpp"
#include "bridge/handler_memory.hpp"
#include "protocols/io/runtime.hpp"

namespace maillab::bridge {

class AsioConnection final : public io::Connection,
                             public std::enable_shared_from_this<AsioConnection> {
 public:
  // `local_port` is what local_port() reports: the virtual service port for accepted
  // connections (25, 110, ...), the real one for outgoing connections.
  AsioConnection(boost::asio::ip::tcp::socket socket, std::uint16_t local_port,
                 std::chrono::milliseconds linger = std::chrono::milliseconds(2000));
  // The same, with the peer as accept() gave it (no getpeername() per socket); the
  // address as address_text() writes it.
  AsioConnection(boost::asio::ip::tcp::socket socket, std::uint16_t local_port,
                 std::string peer_address, std::uint16_t peer_port,
                 std::chrono::milliseconds linger = std::chrono::milliseconds(2000));
  // "127.0.0.1", "::1"; an IPv4-mapped IPv6 address as plain IPv4.
  static std::string address_text(const boost::asio::ip::address& a);
  ~AsioConnection() override;
  AsioConnection(const AsioConnection&) = delete;
  AsioConnection& operator=(const AsioConnection&) = delete;

  // Starts reading. Call once, after the service had its chance to attach a handler.
  void start();

  // io::Connection
  void set_handler(io::ConnectionHandler* h) override;
  void send(std::string_view bytes) override;
  void close() override;
  void abort() override;
  std::size_t unsent() const override { return out_.size() + writing_.size() + held_.size(); }
  void pause_reading(bool paused) override;
  void notify_drained(std::size_t level) override;
  std::string peer_address() const override { return peer_address_; }
  std::uint16_t local_port() const override { return local_port_; }

  // The bridge's side.
  // Tells the handler (once) that the connection is gone, then resets the socket.
  void fail(io::CloseKind why);
  // Drops the handler without telling it and keeps the socket silent (see above).
  void to_limbo();
  // RST now, whatever dead_host says.
  void reset();
  void set_dead_host(std::function<bool()> pred) { dead_host_ = std::move(pred); }
  void set_commit(std::shared_ptr<GroupCommit> gc) { commit_ = std::move(gc); }
  // Around a call into the engines on this connection's behalf (accept, connect).
  GroupCommit::Scope engine_call() { return GroupCommit::Scope(commit_.get(), &own_need_); }
  // The batch the held bytes wait for; release_held(): they are written now (or discarded).
  std::uint64_t held_need() const { return held_need_; }
  void release_held(bool write);
  bool in_limbo() const { return limbo_; }
  // True while a handler may still be called or bytes are still to be written: a session
  // that shutdown waits for.
  bool busy() const;
  bool socket_closed() const { return closed_; }
  std::uint16_t peer_port() const { return peer_port_; }

 private:
  void do_read();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  void do_write();
  void deliver_close(io::CloseKind why);
  void flush_unread();
  void post_flush();
  void check_drained();
  void maybe_finish_close();
  void close_socket();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer linger_timer_;
  std::chrono::milliseconds linger_;
  std::string peer_address_;
  std::uint16_t peer_port_ = 0;
  std::uint16_t local_port_;
  io::ConnectionHandler* handler_ = nullptr;
  std::function<bool()> dead_host_;

  std::array<char, 16384> buf_;  // not zeroed (docs/performance.md, "Profile before")
  HandlerMemory read_memory_, write_memory_;  // the read and the write in flight
  std::string unread_;                      // arrived while no handler was attached
  std::optional<io::CloseKind> owed_close_;  // on_close owed to a handler not yet attached
  bool flush_posted_ = false;

  std::shared_ptr<GroupCommit> commit_;
  std::string held_;              // waiting for batch held_need_
  std::uint64_t held_need_ = 0;
  std::uint64_t own_need_ = 0;    // the batch this connection's own changes are in
  bool in_hold_ = false;          // registered with commit_
  std::string out_;       // queued, not yet handed to the socket
  std::string writing_;   // the write in flight
  bool write_in_flight_ = false;
  bool write_failed_ = false;
  bool read_pending_ = false;
  bool peer_eof_ = false;
  bool paused_ = false;        // pause_reading(true): no read is issued, unread_ waits
  bool drain_wanted_ = false;  // notify_drained(drain_level_) is pending
  bool drain_posted_ = false;
  std::size_t drain_level_ = 0;

  bool started_ = false;
  bool reported_ = false;      // on_close delivered or owed; or no longer owed (close/abort)
  bool local_closed_ = false;  // close() or peer EOF: finish writing, then shut down
  bool shut_down_ = false;     // shutdown(send) done, draining reads
  bool aborted_ = false;
  bool limbo_ = false;
  bool closed_ = false;        // the socket is closed
};

}  // namespace maillab::bridge
