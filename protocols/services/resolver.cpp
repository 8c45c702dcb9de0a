#include "protocols/services/resolver.hpp"

#include <algorithm>
#include <chrono>

namespace maillab::services {

struct Resolver::Pending {
  std::uint16_t port = 0;
  std::string name;
  dns::Type type;
  dns::Lookup lookup;
  Done done;
  io::TimerHandle timer = 0;
  Pending(std::string n, dns::Type t, std::uint16_t id, dns::ResolverConfig cfg)
      : name(n), type(t), lookup(std::move(n), t, id, cfg) {}
};

Resolver::Resolver(io::Runtime& rt, std::string server_address, dns::ResolverConfig cfg)
    : rt_(rt), server_(std::move(server_address)), cfg_(cfg) {}

Resolver::~Resolver() {
  for (auto& [key, p] : pending_) {
    rt_.cancel_timer(p->timer);
    rt_.udp_unbind(p->port);
  }
}

void Resolver::enable_cache(std::size_t max_entries) {
  cache_limit_ = max_entries;
  cache_.clear();
}

std::string Resolver::cache_key(const std::string& name, dns::Type type) {
  std::string key = name;
  for (auto& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  key += '/';
  key += std::to_string(static_cast<int>(type));
  return key;
}

void Resolver::lookup(const std::string& name, dns::Type type, Done done) {
  if (cache_limit_) {
    auto hit = cache_.find(cache_key(name, type));
    if (hit != cache_.end() && hit->second.expires > rt_.now()) {
      if (rt_.tracing()) {
        rt_.trace("DNS", "dns.query", {{"name", name}, {"type", dns::to_string(type)},
                                       {"server", server_}, {"cached", "yes"}});
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
    auto it = pending_.find(key);
    if (it == pending_.end()) return;
    Pending& pd = *it->second;
    if (from != server_ || from_port != 53) return;  // not our server: ignore
    pd.lookup.receive(bytes);
    if (pd.lookup.done()) {
      finish(key);
      return;
    }
    send(key, pd);
  });
  pending_[key] = std::move(p);
  if (rt_.tracing()) {
    rt_.trace("DNS", "dns.query", {{"name", name}, {"type", dns::to_string(type)}, {"server", server_}});
  }
  send(key, *raw);
}

void Resolver::send(std::uint64_t key, Pending& p) {
  while (auto dgram = p.lookup.take_datagram()) rt_.udp_send(p.port, server_, 53, *dgram);
  arm(key, p);
}

void Resolver::arm(std::uint64_t key, Pending& p) {
  rt_.cancel_timer(p.timer);
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(p.lookup.timeout()).count();
  p.timer = rt_.start_timer(ns, [this, key] {
    auto it = pending_.find(key);
    if (it == pending_.end()) return;
    Pending& pd = *it->second;
    pd.timer = 0;
    pd.lookup.on_timeout();
    if (pd.lookup.done()) {
      finish(key);
      return;
    }
    send(key, pd);
  });
}

void Resolver::finish(std::uint64_t key) {
  auto it = pending_.find(key);
  if (it == pending_.end()) return;
  std::shared_ptr<Pending> p = std::move(it->second);
  pending_.erase(it);
  rt_.cancel_timer(p->timer);
  rt_.udp_unbind(p->port);
  const auto& res = p->lookup.result();
  if (rt_.tracing()) {
    std::string records;
    for (const auto& rr : res.answers) records += (records.empty() ? "" : ", ") + rr.rdata_text();
    rt_.trace("DNS", "dns.answer", {{"name", p->name}, {"type", dns::to_string(p->type)},
                                    {"outcome", std::string(dns::to_string(res.outcome))},
                                    {"records", records}});
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
