#include "bridge/server.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <limits>

#include "bridge/asio_connection.hpp"
#include "bridge/dns_front.hpp"
#include "bridge/group_commit.hpp"
#include "bridge/mirrored_disk.hpp"
#include "bridge/tcp_front.hpp"

namespace maillab::bridge {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {
constexpr std::size_t kMaxLimbo = 256;  // silent sockets of down hosts kept at once
}

// A real TCP connect on behalf of a virtual host, with the host's timeout (scaled by speed).
struct Server::PendingConnect {
  explicit PendingConnect(asio::io_context& io) : socket(io), timer(io) {}
  tcp::socket socket;
  asio::steady_timer timer;
  std::function<void(io::ConnectStatus, io::ConnectionPtr)> done;
  bool finished = false;
  bool timed_out = false;
};

Server::Server(asio::io_context& io, scenario::World& world, ServeOptions options)
    : io_(io), world_(world), opt_(std::move(options)) {
  for (const auto& h : world_.scenario().hosts) virtual_addresses_.insert(h.address.text);
  for (const auto& r : opt_.routes) route_targets_.insert({r.to.address, r.to.port});
  std::vector<FileDisk*> disks;
  for (const auto& [name, node] : world_.hosts()) {
    node->runtime->set_external(this);
    std::string host = name;
    node->runtime->set_crash_hook([this, host] { on_host_crash(host); });
    if (auto* m = dynamic_cast<MirroredDisk*>(node->service_disk.get())) disks.push_back(&m->files());
  }
  if (!disks.empty()) {
    commit_ = std::make_shared<GroupCommit>(io_, std::move(disks), [this](const std::string& l) { log(l); });
    for (const auto& [name, node] : world_.hosts()) {
      if (auto* m = dynamic_cast<MirroredDisk*>(node->service_disk.get()))
        m->set_durability([gc = std::weak_ptr<GroupCommit>(commit_)](std::function<void(bool)> done) {
          auto c = gc.lock();
          return c && c->when_durable(std::move(done));
        });
    }
  }
}

Server::~Server() {
  for (const auto& [name, node] : world_.hosts()) {
    node->runtime->set_external(nullptr);
    node->runtime->set_crash_hook(nullptr);
  }
  abort_everything();
  if (commit_) commit_->stop();
  // Let the cancelled operations complete while the fronts they point to still exist.
  try {
    for (int i = 0; i < 8; ++i) {
      io_.restart();
      if (io_.poll() == 0) break;
    }
  } catch (...) {
  }
}

bool Server::open(std::string* error) {
  for (const auto& spec : opt_.listen) {
    bool ok;
    RealEndpoint real;
    if (spec.service == scenario::Service::Dns) {
      auto f = std::make_unique<DnsFront>(*this, spec);
      ok = f->open(error);
      if (ok) {
        real = f->local();
        dns_.push_back(std::move(f));
      }
    } else {
      auto f = std::make_unique<TcpFront>(*this, spec);
      ok = f->open(error);
      if (ok) {
        real = f->local();
        tcp_.push_back(std::move(f));
      }
    }
    if (!ok) {
      for (auto& f : tcp_) f->close();
      for (auto& f : dns_) f->close();
      bound_.clear();
      return false;
    }
    bound_.push_back(Bound{spec, real});
  }
  if (!opt_.trace_file.empty()) {
    trace_out_.open(opt_.trace_file, std::ios::binary | std::ios::trunc);
    if (!trace_out_) {
      *error = "cannot write " + opt_.trace_file;
      for (auto& f : tcp_) f->close();
      for (auto& f : dns_) f->close();
      return false;
    }
  }
  return true;
}

void Server::handle_signals() {
  signals_ = std::make_unique<asio::signal_set>(io_, SIGINT, SIGTERM);
  wait_signal();
}

void Server::wait_signal() {
  signals_->async_wait([this](const error_code& ec, int signo) {
    if (ec) return;
    begin_shutdown(signo == SIGINT ? "SIGINT" : "SIGTERM");
    wait_signal();
  });
}

void Server::request_stop() {
  asio::post(io_, [this] { begin_shutdown("stop requested"); });
}

void Server::log(const std::string& line) {
  if (on_log) on_log(line);
}

// ---- time --------------------------------------------------------------------------------

namespace {

// A double to int64 nanoseconds, saturating (a cast out of range is undefined).
std::int64_t saturate(double ns) {
  constexpr double kMax = 9.2e18;  // below INT64_MAX, exactly representable
  return ns >= kMax ? static_cast<std::int64_t>(kMax) : ns <= -kMax ? -static_cast<std::int64_t>(kMax)
                                                                   : static_cast<std::int64_t>(ns);
}

}  // namespace

std::int64_t Server::sim_time_now() const {
  auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start_wall_);
  const std::int64_t ahead = saturate(static_cast<double>(elapsed.count()) * opt_.speed);
  return ahead > std::numeric_limits<std::int64_t>::max() - start_sim_ ? std::numeric_limits<std::int64_t>::max()
                                                                     : start_sim_ + ahead;
}

std::chrono::nanoseconds Server::wall(io::Time sim_ns) const {
  return std::chrono::nanoseconds(saturate(static_cast<double>(sim_ns) / opt_.speed));
}

void Server::run() {
  if (!opt_.keep_trace && !trace_out_.is_open() && !on_trace) world_.trace().set_enabled(false);
  // Like the trace: a long serve keeps no record of each delivery (the mailboxes do).
  if (!opt_.keep_trace) world_.set_keep_deliveries(false);
  start_wall_ = Clock::now();
  start_sim_ = world_.simulator().now();
  auto guard = asio::make_work_guard(io_);
  while (!done_) {
    try {
      advance();
      if (commit_) commit_->kick();
      housekeeping();
      if (!done_) wait_for_io();
    } catch (const std::exception& e) {
      log(std::string("internal error (the loop goes on): ") + e.what());
    }
  }
  // The aborted operations complete; the services drop their finished sessions.
  try {
    for (int i = 0; i < 8; ++i) {
      io_.restart();
      std::size_t n = io_.poll();
      world_.run_until(world_.simulator().now());
      if (n == 0) break;
    }
  } catch (const std::exception& e) {
    log(std::string("internal error while stopping: ") + e.what());
  }
  if (commit_) commit_->stop();  // what the last turns changed: durable, removals done
  write_trace();
}

void Server::advance() {
  auto& sim = world_.simulator();
  io::Time target = std::max(sim_time_now(), sim.now());
  if (opt_.until_ns && target >= *opt_.until_ns) target = std::max(*opt_.until_ns, sim.now());
  world_.run_until(target);
  if (opt_.until_ns && sim.now() >= *opt_.until_ns && !stopping_) begin_shutdown("--until reached");
}

void Server::wait_for_io() {
  // The handlers that are ready first: under load there always are some, and then the
  // time of the next simulator event is not needed. (Peeking at it moves the event
  // queue's cursor to that event, often minutes ahead; the next timer a handler arms
  // before it re-files the whole queue: docs/performance.md, "Profile before".)
  if (io_.poll() > 0) {
    if (io_.stopped()) io_.restart();
    return;
  }
  auto& sim = world_.simulator();
  std::chrono::nanoseconds wait = opt_.max_wait;
  io::Time next = sim.next_event_time();
  if (next != std::numeric_limits<io::Time>::max()) {
    io::Time now = sim_time_now();
    wait = next <= now ? std::chrono::nanoseconds(0) : std::min(wait, wall(next - now));
  }
  if (wait.count() <= 0) {
    io_.poll();
  } else {
    io_.run_one_for(wait);
    io_.poll();
  }
  if (io_.stopped()) io_.restart();
}

// ---- connections -------------------------------------------------------------------------

void Server::track(const std::shared_ptr<AsioConnection>& c, const std::string& host, bool inbound) {
  if (commit_) c->set_commit(commit_);
  tracked_.push_back(Tracked{c, host, inbound});
}

bool Server::limbo_room() const {
  std::size_t n = 0;
  for (const auto& t : tracked_) {
    auto c = t.conn.lock();
    if (c && c->in_limbo() && !c->socket_closed()) ++n;
  }
  return n < kMaxLimbo;
}

std::size_t Server::connections() const {
  std::size_t n = 0;
  for (const auto& t : tracked_) {
    auto c = t.conn.lock();
    if (c && !c->socket_closed()) ++n;
  }
  return n;
}

void Server::on_host_crash(const std::string& host) {
  // Runs inside SimRuntime::crash(). The services of the host are normally gone already
  // (their sessions aborted, which put the inbound sockets in limbo, see TcpFront); what
  // is left is detached without calling into it: the real clients of the dead host hear
  // nothing more, its outgoing connections are reset.
  for (auto& t : tracked_) {
    if (t.host != host) continue;
    auto c = t.conn.lock();
    if (!c) continue;
    if (t.inbound) {
      c->to_limbo();
    } else {
      c->reset();
    }
  }
}

void Server::housekeeping() {
  write_trace();
  tracked_.erase(std::remove_if(tracked_.begin(), tracked_.end(),
                                [this](const Tracked& t) {
                                  auto c = t.conn.lock();
                                  if (!c || c->socket_closed()) return true;
                                  if (c->in_limbo()) {
                                    auto* h = world_.host(t.host);
                                    if (h && h->up) {
                                      c->reset();  // back up: the old connection is unknown
                                      return true;
                                    }
                                  }
                                  return false;
                                }),
                 tracked_.end());
  if (!stopping_) return;
  bool busy = std::any_of(tracked_.begin(), tracked_.end(), [](const Tracked& t) {
    auto c = t.conn.lock();
    return c && c->busy();
  });
  if (!busy || force_ || Clock::now() >= deadline_) {
    if (busy) log("aborting the sessions still open");
    abort_everything();
    done_ = true;
  }
}

void Server::begin_shutdown(const std::string& why) {
  if (stopping_) {
    if (!force_) log("stopping now (" + why + " again)");
    force_ = true;
    return;
  }
  stopping_ = true;
  deadline_ = Clock::now() + opt_.grace;
  log("stopping (" + why + "): no new connections; open sessions may finish");
  for (auto& f : tcp_) f->close();
  for (auto& f : dns_) f->close();
  for (auto& t : tracked_) {
    auto c = t.conn.lock();
    if (c && c->in_limbo()) c->reset();
  }
}

void Server::abort_everything() {
  for (auto& f : tcp_) f->close();
  for (auto& f : dns_) f->close();
  // Connects still under way end now (their owners hear "timed out" from the loop).
  for (auto& w : connecting_) {
    if (auto op = w.lock()) {
      op->timed_out = true;
      error_code ec;
      op->socket.close(ec);
    }
  }
  connecting_.clear();
  auto tracked = std::move(tracked_);
  tracked_.clear();
  for (auto& t : tracked) {
    if (auto c = t.conn.lock()) {
      c->set_dead_host(nullptr);  // it points into the World, which may go first
      c->fail(io::CloseKind::Reset);
    }
  }
}

void Server::write_trace() {
  auto& recorder = world_.trace();
  const auto& events = recorder.events();
  if (trace_done_ >= events.size()) return;
  for (std::size_t i = trace_done_; i < events.size(); ++i) {
    if (trace_out_.is_open()) trace_out_ << sim::TraceRecorder::to_json(events[i]) << '\n';
    if (on_trace) on_trace(events[i]);
  }
  trace_done_ = events.size();
  if (trace_out_.is_open()) trace_out_.flush();
  if (trace_out_.is_open() && !trace_out_ && output_error_.empty()) {
    // A trace with a hole is no trace: stop, and say why (serve then exits 2).
    output_error_ = "--trace: cannot write " + opt_.trace_file + ": " + std::strerror(errno ? errno : EIO);
    trace_out_.close();
    log(output_error_);
    if (!stopping_) begin_shutdown("--trace cannot be written");
  }
  if (!opt_.keep_trace) {
    recorder.clear();  // written out: a long serve keeps one loop turn's events at most
    trace_done_ = 0;
  }
}

// ---- the real network, as the virtual hosts reach it ------------------------------------------

bool Server::is_external(const std::string& address, std::uint16_t port) const {
  if (route_targets_.count({address, port})) return true;
  return virtual_addresses_.count(address) == 0;
}


void Server::connect(scenario::SimRuntime& from, const std::string& address, std::uint16_t port,
                     io::Time timeout,
                     std::function<void(io::ConnectStatus, io::ConnectionPtr)> done) {
  std::string peer = (address.find(':') != std::string::npos ? "[" + address + "]" : address) +
                     ":" + std::to_string(port);
  auto fail_later = [&](io::ConnectStatus st, const std::string& why) {
    from.trace(agent::kNet, ev::kBridgeConnectFailed, {{key::kPeer, peer}, {key::kReason, why}});
    asio::post(io_, [done = std::move(done), st] { done(st, nullptr); });
  };
  error_code ec;
  auto addr = asio::ip::make_address(address, ec);
  if (ec) return fail_later(io::ConnectStatus::Unreachable, "not a virtual host nor an IP address");
  if (!opt_.allow_nonlocal && !is_loopback(address)) {
    return fail_later(io::ConnectStatus::Unreachable,
                      "not a loopback address (serve --allow-nonlocal allows it)");
  }
  if (stopping_) return fail_later(io::ConnectStatus::Unreachable, "the bridge is stopping");
  from.trace(agent::kNet, ev::kBridgeConnect, {{key::kPeer, peer}});
  auto op = std::make_shared<PendingConnect>(io_);
  op->done = std::move(done);
  connecting_.erase(std::remove_if(connecting_.begin(), connecting_.end(),
                                   [](const auto& w) { return w.expired(); }),
                    connecting_.end());
  connecting_.push_back(op);
  auto real_timeout = std::max(wall(timeout), std::chrono::nanoseconds(std::chrono::milliseconds(1)));
  op->timer.expires_after(real_timeout);
  op->timer.async_wait([op](const error_code& e) {
    if (e || op->finished) return;
    op->timed_out = true;
    error_code ignored;
    op->socket.close(ignored);
  });
  std::string host = from.hostname();
  op->socket.async_connect(tcp::endpoint(addr, port), [this, op, host](const error_code& e) {
    if (op->finished) return;
    op->finished = true;
    op->timer.cancel();
    if (e || op->timed_out) {
      auto st = op->timed_out                            ? io::ConnectStatus::TimedOut
                : e == asio::error::connection_refused   ? io::ConnectStatus::Refused
                                                         : io::ConnectStatus::Unreachable;
      op->done(st, nullptr);
      return;
    }
    error_code lec;
    auto local = op->socket.local_endpoint(lec);
    auto conn = std::make_shared<AsioConnection>(std::move(op->socket), lec ? 0 : local.port());
    track(conn, host, false);
    {
      auto scope = conn->engine_call();
      op->done(io::ConnectStatus::Connected, conn);
    }
    conn->start();
  });
}

void Server::udp_send(scenario::SimRuntime& from, std::uint16_t from_port, const std::string& to,
                      std::uint16_t to_port, std::string_view bytes) {
  for (auto& f : dns_) {
    if (f->host() == from.hostname() && f->reply(to, to_port, bytes)) return;
  }
  // Not an answer to a real peer: a virtual host does not send datagrams to the real world.
  from.trace(agent::kNet, ev::kBridgeUdpDropped,
             {{key::kTo, to + ":" + std::to_string(to_port)}, {key::kFromPort, std::to_string(from_port)}});
}

}  // namespace maillab::bridge
