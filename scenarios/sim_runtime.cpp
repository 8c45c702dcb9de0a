#include "scenarios/sim_runtime.hpp"

#include <algorithm>

#include "sim/recycling_allocator.hpp"

namespace maillab::scenario {

namespace {
io::TimerHandle pack(sim::TimerId id) {
  return ((static_cast<std::uint64_t>(id.slot) << 32) | id.generation) + 1;
}
sim::TimerId unpack(io::TimerHandle h) {
  --h;
  return sim::TimerId{static_cast<std::uint32_t>(h >> 32), static_cast<std::uint32_t>(h)};
}
// Two per simulated connection: recycled rather than malloc'ed each time.
io::ConnectionPtr make_connection(sim::StreamPtr s) {
  return std::allocate_shared<SimConnection>(sim::RecyclingAllocator<SimConnection>(),
                                             std::move(s));
}
}  // namespace

SimRuntime::SimRuntime(sim::Simulator& sim, sim::Network& net, sim::TraceRecorder& trace,
                       std::string hostname, std::string address, io::Disk& disk)
    : sim_(sim),
      net_(net),
      trace_(trace),
      hostname_(std::move(hostname)),
      address_(std::move(address)),
      addr_(sim::parse_address(address_).value_or(0)),
      disk_(disk) {}

io::TimerHandle SimRuntime::start_timer(io::Time delay, std::function<void()> fn) {
  auto epoch = epoch_;
  auto id = sim_.after(delay < 0 ? 0 : delay, [this, epoch, fn = std::move(fn)] {
    if (epoch == epoch_) fn();
  });
  return pack(id);
}

void SimRuntime::cancel_timer(io::TimerHandle h) {
  if (h != 0) sim_.cancel(unpack(h));
}

io::TimerHandle SimRuntime::restart_timer(io::TimerHandle h, io::Time delay) {
  // After a crash the callback may carry an old epoch (and would be dropped), where a new
  // start_timer() would fire: such hosts take the slow path.
  if (h == 0 || epoch_ != 0) return 0;
  const sim::TimerId id = sim_.reschedule(unpack(h), sim_.now() + (delay < 0 ? 0 : delay));
  return id.valid() ? pack(id) : 0;
}

void SimRuntime::listen(std::uint16_t port, std::function<void(io::ConnectionPtr)> on_accept) {
  auto epoch = epoch_;
  auto& listeners = services().listeners;
  auto it = std::find_if(listeners.begin(), listeners.end(),
                         [port](const auto& l) { return l.first == port; });
  if (it != listeners.end()) {
    it->second = on_accept;
  } else {
    listeners.emplace_back(port, on_accept);
  }
  net_.listen(addr_, port, [this, epoch, on_accept = std::move(on_accept)](sim::StreamPtr s) {
    if (epoch != epoch_) {
      s->abort();
      return;
    }
    on_accept(make_connection(std::move(s)));
  });
}

void SimRuntime::connect(const std::string& address, std::uint16_t port, io::Time timeout,
                         std::function<void(io::ConnectStatus, io::ConnectionPtr)> done) {
  auto epoch = epoch_;
  if (auto* ext = external(); ext && ext->is_external(address, port)) {
    ext->connect(*this, address, port, timeout,
                 [this, epoch, done = std::move(done)](io::ConnectStatus st, io::ConnectionPtr c) {
                   if (epoch != epoch_) {
                     if (c) c->abort();
                     return;
                   }
                   done(st, std::move(c));
                 });
    return;
  }
  auto to = sim::parse_address(address);
  if (!to) {
    start_timer(0, [done = std::move(done)] { done(io::ConnectStatus::Unreachable, nullptr); });
    return;
  }
  net_.connect(addr_, *to, port, timeout,
               [this, epoch, done = std::move(done)](sim::ConnectResult r, sim::StreamPtr s) {
                 if (epoch != epoch_) {
                   if (s) s->abort();
                   return;
                 }
                 switch (r) {
                   case sim::ConnectResult::Connected:
                     done(io::ConnectStatus::Connected, make_connection(std::move(s)));
                     return;
                   case sim::ConnectResult::Refused:
                     done(io::ConnectStatus::Refused, nullptr);
                     return;
                   case sim::ConnectResult::TimedOut:
                     done(io::ConnectStatus::TimedOut, nullptr);
                     return;
                   case sim::ConnectResult::Unreachable:
                     done(io::ConnectStatus::Unreachable, nullptr);
                     return;
                 }
               });
}

std::uint16_t SimRuntime::udp_bind(std::uint16_t port, DatagramFn fn) {
  if (port != 0) {
    // A server's fixed port: remembered for datagrams from real sockets (the ephemeral
    // ports of resolvers are not, to keep lookups allocation-light).
    auto& udp = services().udp;
    auto it = std::find_if(udp.begin(), udp.end(), [port](const auto& u) { return u.first == port; });
    if (it != udp.end()) {
      it->second = fn;
    } else {
      udp.emplace_back(port, fn);
    }
  }
  if (port == 0) port = net_.ephemeral_port(addr_);
  auto epoch = epoch_;
  net_.bind_udp(addr_, port,
                [this, epoch, fn = std::move(fn)](sim::Address from, std::uint16_t from_port,
                                                  std::string_view bytes) {
                  if (epoch == epoch_) fn(sim::format_address(from), from_port, bytes);
                });
  return port;
}

void SimRuntime::udp_unbind(std::uint16_t port) {
  if (services_) {
    auto& udp = services_->udp;
    udp.erase(std::remove_if(udp.begin(), udp.end(), [port](const auto& u) { return u.first == port; }),
              udp.end());
  }
  net_.unbind_udp(addr_, port);
}

void SimRuntime::udp_send(std::uint16_t from_port, const std::string& to, std::uint16_t to_port,
                          std::string_view bytes) {
  if (auto* ext = external(); ext && ext->is_external(to, to_port)) {
    ext->udp_send(*this, from_port, to, to_port, bytes);
    return;
  }
  if (auto a = sim::parse_address(to)) net_.send_udp(addr_, from_port, *a, to_port, bytes);
}

void SimRuntime::crash() {
  if (services_) {
    if (services_->crash_hook) {
      auto hook = services_->crash_hook;  // the hook may replace itself
      hook();
    }
    services_->listeners.clear();
    services_->udp.clear();
  }
  ++epoch_;
}

SimRuntime::Services& SimRuntime::services() {
  if (!services_) services_ = std::make_unique<Services>();
  return *services_;
}

void SimRuntime::set_external(ExternalNetwork* external) { services().external = external; }

void SimRuntime::set_crash_hook(std::function<void()> hook) {
  services().crash_hook = std::move(hook);
}

void SimRuntime::set_port_refused(std::uint16_t port, bool refused) {
  auto& r = services().refused;
  r.erase(std::remove(r.begin(), r.end(), port), r.end());
  if (refused) r.push_back(port);
}

bool SimRuntime::accepting(std::uint16_t port) const {
  if (!services_) return false;
  const auto& r = services_->refused;
  if (std::find(r.begin(), r.end(), port) != r.end()) return false;
  const auto& l = services_->listeners;
  return std::any_of(l.begin(), l.end(), [port](const auto& x) { return x.first == port; });
}

bool SimRuntime::accept_external(std::uint16_t port, io::ConnectionPtr c) {
  if (!accepting(port)) return false;
  for (const auto& [p, fn] : services_->listeners) {
    if (p != port) continue;
    auto on_accept = fn;  // the service may listen again from inside the callback
    on_accept(std::move(c));
    return true;
  }
  return false;
}

bool SimRuntime::deliver_datagram(std::uint16_t port, const std::string& from,
                                  std::uint16_t from_port, std::string_view bytes) {
  if (!services_) return false;
  for (const auto& [p, fn] : services_->udp) {
    if (p != port) continue;
    auto handler = fn;  // the handler may unbind itself
    handler(from, from_port, bytes);
    return true;
  }
  return false;
}

std::mt19937_64& SimRuntime::rng(std::string_view purpose) {
  for (const auto& s : rngs_) {
    if (s->purpose == purpose) return s->rng;
  }
  std::string key = std::string(purpose) + "@" + hostname_;
  rngs_.push_back(std::make_unique<RngStream>(RngStream{std::string(purpose), sim_.rng(key)}));
  return rngs_.back()->rng;
}

void SimRuntime::trace(io::trace::Agent agent, io::trace::Event event,
                       std::initializer_list<io::TraceField> fields) {
  if (!trace_.enabled()) return;
  sim::TraceEvent e;
  e.t_ns = sim_.now();
  e.host = hostname_;
  e.agent = std::string(agent);
  e.event = std::string(event);
  e.fields.reserve(fields.size());
  for (const auto& f : fields)
    if (f.recorded_in(event)) e.fields.emplace_back(std::string(f.key), f.value);
  trace_.record(std::move(e));
}

}  // namespace maillab::scenario
