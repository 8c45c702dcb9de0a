#include "protocols/services/resolver.hpp"

#include <algorithm>
#include <chrono>

#include "protocols/message/ascii.hpp"

namespace maillab::services {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

// The TCP connection of a query asked again after a truncated answer: collects the
// length-prefixed response (RFC 1035 4.2.2) and hands it to the lookup.
struct Resolver::StreamReader final : io::ConnectionHandler {
  Resolver& resolver;
  std::uint64_t key;
  io::ConnectionPtr conn;
  std::string buffer;
  StreamReader(Resolver& r, std::uint64_t k) : resolver(r), key(k) {}
  void on_data(std::string_view bytes) override;
  void on_close(io::CloseKind why) override;
};

struct Resolver::Pending {
  std::uint16_t port = 0;
  std::string name;
  dns::Type type;
  dns::Lookup lookup;
  Done done;
  io::TimerHandle timer = 0;
  std::shared_ptr<StreamReader> stream;  // the TCP retry, while open
  Pending(std::string n, dns::Type t, std::uint16_t id, dns::ResolverConfig cfg)
      : name(n), type(t), lookup(std::move(n), t, id, cfg) {}
  // Ends the TCP retry: an orderly close once the answer is in, a reset otherwise. The
  // reader and the connection are released from a fresh event, never from inside one of
  // their own callbacks.
  void close_stream(io::Runtime& rt, bool orderly) {
    if (!stream) return;
    if (auto& c = stream->conn) {
      c->set_handler(nullptr);
      orderly ? c->close() : c->abort();
    }
    rt.start_timer(0, [s = std::move(stream)] {});
  }
};

void Resolver::StreamReader::on_data(std::string_view bytes) {
  buffer.append(bytes);
  if (buffer.size() < 2) return;
  const std::size_t len = (static_cast<unsigned char>(buffer[0]) << 8) | static_cast<unsigned char>(buffer[1]);
  if (buffer.size() < 2 + len) return;
  Pending* found = resolver.find(key);
  if (!found) return;
  Pending& pd = *found;
  Resolver& r = resolver;
  const std::uint64_t k = key;
  const std::string message = buffer.substr(2, len);
  pd.close_stream(r.rt_, true);  // one answer per connection
  pd.lookup.receive(message, dns::Transport::Tcp);
  if (pd.lookup.over_tcp() && !pd.lookup.done()) {
    // Not an answer to our query (ignored by the lookup): nothing more will come.
    pd.lookup.on_stream_failed("the server's answer did not match the query");
  }
  r.step(k, pd);
}

void Resolver::StreamReader::on_close(io::CloseKind why) {
  Pending* found = resolver.find(key);
  if (!found) return;
  Pending& pd = *found;
  Resolver& r = resolver;
  const std::uint64_t k = key;
  pd.close_stream(r.rt_, false);
  pd.lookup.on_stream_failed(why == io::CloseKind::Orderly ? "the server closed the connection"
                             : why == io::CloseKind::Reset ? "the connection was reset"
                                                            : "the connection timed out");
  r.step(k, pd);
}

Resolver::Resolver(io::Runtime& rt, std::string server_address, dns::ResolverConfig cfg)
    : rt_(rt), server_(std::move(server_address)), cfg_(cfg) {}

Resolver::~Resolver() {
  for (auto& [key, p] : pending_) {
    rt_.cancel_timer(p->timer);
    rt_.udp_unbind(p->port);
    p->close_stream(rt_, false);
  }
}

void Resolver::enable_cache(std::size_t max_entries) {
  cache_limit_ = max_entries;
  cache_.clear();
}

std::string Resolver::cache_key(const std::string& name, dns::Type type) {
  std::string key = message::ascii_lower(name);
  key += '/';
  key += std::to_string(static_cast<int>(type));
  return key;
}

void Resolver::lookup(const std::string& name, dns::Type type, Done done) {
  if (cache_limit_) {
    auto hit = cache_.find(cache_key(name, type));
    if (hit != cache_.end() && hit->second.expires > rt_.now()) {
      if (rt_.tracing()) {
        rt_.trace(agent::kDns, ev::kDnsQuery,
                  {{key::kName, name},
                   {key::kType, dns::to_string(type)},
                   {key::kServer, server_},
                   {key::kCached, "yes"}});
      }
      auto result = std::make_shared<dns::LookupResult>(hit->second.result);
      auto d = std::make_shared<Done>(std::move(done));
      rt_.start_timer(0, [result, d] { (*d)(*result); });
      return;
    }
    if (hit != cache_.end()) cache_.erase(hit);
  }
  auto id = static_cast<std::uint16_t>(rt_.rng("dns-id")());
  auto p = std::make_shared<Pending>(name, type, id, cfg_);
  p->done = std::move(done);
  Pending* raw = p.get();
  std::uint64_t key = ++next_key_;
  raw->port = rt_.udp_bind(0, [this, key](const std::string& from, std::uint16_t from_port,
                                          std::string_view bytes) {
    Pending* found = find(key);
    if (!found) return;
    Pending& pd = *found;
    if (from != server_ || from_port != 53) return;  // not our server: ignore
    pd.lookup.receive(bytes);
    step(key, pd);
  });
  pending_.emplace_back(key, std::move(p));
  if (rt_.tracing()) {
    rt_.trace(agent::kDns, ev::kDnsQuery,
              {{key::kName, name}, {key::kType, dns::to_string(type)}, {key::kServer, server_}});
  }
  send(key, *raw);
}

void Resolver::step(std::uint64_t key, Pending& p) {
  if (p.lookup.done()) {
    finish(key);
    return;
  }
  send(key, p);
}

void Resolver::send(std::uint64_t key, Pending& p) {
  while (auto dgram = p.lookup.take_datagram()) rt_.udp_send(p.port, server_, 53, *dgram);
  if (auto query = p.lookup.take_stream_query()) {
    open_stream(key, p, std::move(*query));
  } else if (p.stream) {
    return;  // a TCP query is under way: its timer runs
  }
  arm(key, p);
}

void Resolver::open_stream(std::uint64_t key, Pending& p, std::string query) {
  if (rt_.tracing()) {
    rt_.trace(agent::kDns, ev::kDnsTcp,
              {{key::kName, p.name}, {key::kType, dns::to_string(p.type)}, {key::kServer, server_}});
  }
  p.stream = std::make_shared<StreamReader>(*this, key);
  std::string framed;
  framed.reserve(query.size() + 2);
  framed += static_cast<char>(query.size() >> 8);
  framed += static_cast<char>(query.size() & 0xff);
  framed += query;
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(p.lookup.timeout()).count();
  StreamReader* reader = p.stream.get();
  // A connect cannot be cancelled: the callback finds this resolver through a token that
  // dies with it.
  if (!self_) self_ = std::make_shared<Resolver*>(this);
  rt_.connect(server_, 53, ns,
              [self = std::weak_ptr<Resolver*>(self_), key, reader, framed = std::move(framed)](
                  io::ConnectStatus st, io::ConnectionPtr c) {
                const auto alive = self.lock();
                Pending* found = alive ? (*alive)->find(key) : nullptr;
                if (!found || found->stream.get() != reader) {
                  if (c) c->abort();  // the lookup (or the resolver) ended meanwhile
                  return;
                }
                Resolver& r = **alive;
                Pending& pd = *found;
                if (st != io::ConnectStatus::Connected || !c) {
                  pd.stream.reset();  // not connected: nothing calls it
                  pd.lookup.on_stream_failed(st == io::ConnectStatus::Refused ? "connection refused"
                                             : st == io::ConnectStatus::TimedOut
                                                 ? "the connection timed out"
                                                 : "the server is unreachable");
                  r.step(key, pd);
                  return;
                }
                reader->conn = c;
                c->set_handler(reader);
                c->send(framed);
              });
}

void Resolver::arm(std::uint64_t key, Pending& p) {
  rt_.cancel_timer(p.timer);
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(p.lookup.timeout()).count();
  p.timer = rt_.start_timer(ns, [this, key] {
    Pending* found = find(key);
    if (!found) return;
    Pending& pd = *found;
    pd.timer = 0;
    pd.lookup.on_timeout();
    if (pd.lookup.done()) {
      finish(key);
      return;
    }
    send(key, pd);
  });
}

namespace {
template <class Vec>
auto locate(Vec& pending, std::uint64_t key) {
  auto it = std::lower_bound(pending.begin(), pending.end(), key,
                             [](const auto& e, std::uint64_t k) { return e.first < k; });
  return it != pending.end() && it->first == key ? it : pending.end();
}
}  // namespace

Resolver::Pending* Resolver::find(std::uint64_t key) {
  auto it = locate(pending_, key);
  return it != pending_.end() ? it->second.get() : nullptr;
}

void Resolver::finish(std::uint64_t key) {
  auto it = locate(pending_, key);
  if (it == pending_.end()) return;
  std::shared_ptr<Pending> p = std::move(it->second);
  pending_.erase(it);
  rt_.cancel_timer(p->timer);
  rt_.udp_unbind(p->port);
  p->close_stream(rt_, false);
  const auto& res = p->lookup.result();
  if (rt_.tracing()) {
    std::string records;
    for (const auto& rr : res.answers) records += (records.empty() ? "" : ", ") + rr.rdata_text();
    rt_.trace(agent::kDns, ev::kDnsAnswer,
              {{key::kName, p->name},
               {key::kType, dns::to_string(p->type)},
               {key::kOutcome, std::string(dns::to_string(res.outcome))},
               {key::kRecords, records}});
  }
  if (cache_limit_ && res.outcome == dns::Outcome::Answer && !res.answers.empty()) {
    // A caching resolver keeps an answer for the smallest TTL among its records (RFC 1035
    // 3.2.1, RFC 2181 5.2); negative answers and failures are not cached here.
    std::uint32_t ttl = res.answers.front().ttl;
    for (const auto& rr : res.answers) ttl = std::min(ttl, rr.ttl);
    for (const auto& rr : res.additional) ttl = std::min(ttl, rr.ttl);
    if (ttl > 0) {
      // Bounded: when full, one entry goes (the first in the table's order, which is the
      // same in every run with the same inputs).
      if (cache_.size() >= cache_limit_) cache_.erase(cache_.begin());
      cache_[cache_key(p->name, p->type)] =
          CacheEntry{res, rt_.now() + static_cast<io::Time>(ttl) * 1'000'000'000LL};
    }
  }
  // Deliver from a fresh event so callers never see re-entrancy. The event owns the
  // finished lookup: its result is handed over without a copy.
  rt_.start_timer(0, [p = std::move(p)] { p->done(p->lookup.result()); });
}

}  // namespace maillab::services
