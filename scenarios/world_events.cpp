// The scenario's timed actions on a World (docs/scenario-format.md `events[]`): host and port
// states, link cuts, loss and the STARTTLS-stripping attacker, disk full, dns_set, flush.
// Each is traced where it happens; a mail action (send, fetch, idle) goes to world.cpp.
#include <map>
#include <memory>
#include <tuple>

#include "protocols/smtp/starttls_strip.hpp"
#include "scenarios/world.hpp"

namespace maillab::scenario {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

// A fault on a link, recorded under its first end (a host or a router: no runtime to ask),
// with both ends as fields and "between" for reading; `rate` for loss.
sim::TraceEvent link_event(io::Time now, io::trace::Event event, const std::string& a, const std::string& b,
                           const std::string* rate = nullptr) {
  sim::TraceEvent e{now, a, std::string(agent::kNet), std::string(event), {}};
  e.fields.emplace_back(key::kBetween, a + " " + b);
  if (rate) e.fields.emplace_back(key::kRate, *rate);
  e.fields.emplace_back(key::kA, a);
  e.fields.emplace_back(key::kB, b);
  return e;
}

// The attacker of one `strip_starttls` link: it follows each SMTP connection (server
// port 25 or 587) it saw greeted, from its 220 on, to the end (221) or to TLS; a
// connection already under way when it arrived, or any other port, passes untouched.
class StarttlsAttacker {
 public:
  smtp::StripCount tamper(sim::Address from, std::uint16_t from_port, sim::Address to, std::uint16_t to_port,
                          std::span<char> bytes) {
    const bool from_server = is_smtp(from_port);
    if (!from_server && !is_smtp(to_port)) return {};
    const Key k = from_server ? Key{to, to_port, from, from_port} : Key{from, from_port, to, to_port};
    auto it = sessions_.find(k);
    const bool greeting = from_server && bytes.size() >= 3 && std::string_view(bytes.data(), 3) == "220";
    if (greeting && (it == sessions_.end() || !it->second.awaiting_tls())) {
      if (sessions_.size() >= kMaxSessions) sessions_.clear();  // bounded: forgotten ones pass
      it = sessions_.insert_or_assign(k, smtp::StarttlsStripper()).first;
    }
    if (it == sessions_.end()) return {};
    const smtp::StripCount n = from_server ? it->second.from_server(bytes) : it->second.from_client(bytes);
    if (it->second.done()) sessions_.erase(it);
    return n;
  }

 private:
  using Key = std::tuple<sim::Address, std::uint16_t, sim::Address, std::uint16_t>;  // client, server
  static constexpr std::size_t kMaxSessions = 4096;
  static bool is_smtp(std::uint16_t port) { return port == 25 || port == 587; }
  std::map<Key, smtp::StarttlsStripper> sessions_;
};

std::uint16_t service_port(Service s) {
  switch (s) {
    case Service::Smtp: return 25;
    case Service::Submission: return 587;
    case Service::Pop3: return 110;
    case Service::Dns: return 53;
    case Service::Imap: return 143;
    case Service::Smtps: return 465;
    case Service::Pop3s: return 995;
    case Service::Imaps: return 993;
    case Service::Http: return 80;
    case Service::Https: return 443;
  }
  return 0;
}

}  // namespace

void World::inject(const Action& action) { apply(action); }

void World::apply(const Action& action) {
  std::visit(
      [&](const auto& a) {
        using A = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<A, Send>) {
          do_send(a);
        } else if constexpr (std::is_same_v<A, Fetch>) {
          do_fetch(a);
        } else if constexpr (std::is_same_v<A, Idle>) {
          do_idle(a);
        } else if constexpr (std::is_same_v<A, HostState>) {
          HostNode* h = host(a.host);
          if (!h || h->up == a.up) return;
          h->up = a.up;
          h->runtime->trace(agent::kNet, a.up ? ev::kHostUp : ev::kHostDown, {});
          if (a.up) {
            net_->set_host_up(h->runtime->sim_address(), true);
            boot(*h);
          } else {
            crash(*h);
            net_->set_host_up(h->runtime->sim_address(), false);
          }
        } else if constexpr (std::is_same_v<A, PortState>) {
          HostNode* h = host(a.host);
          if (!h) return;
          h->runtime->trace(agent::kNet, a.accept ? ev::kPortAccept : ev::kPortRefuse,
                            {{key::kService, std::string(service_name(a.service))}});
          if (a.service == Service::Dns) {
            // UDP has no reset: a refused DNS port is a server that answers nothing. Over
            // TCP the port refuses (a reset), as for the other services.
            net_->set_refused(h->runtime->sim_address(), 53, !a.accept);
            h->runtime->set_port_refused(53, !a.accept);
            h->dns_refused = !a.accept;
            if (!a.accept) {
              h->dns.reset();
            } else if (h->up && !h->dns) {
              if (auto it = zones_.find(a.host); it != zones_.end()) {
                h->dns = std::make_unique<services::DnsServer>(*h->runtime, it->second);
              }
            }
            return;
          }
          net_->set_refused(h->runtime->sim_address(), service_port(a.service), !a.accept);
          h->runtime->set_port_refused(service_port(a.service), !a.accept);
        } else if constexpr (std::is_same_v<A, Cut>) {
          trace_.record(link_event(sim_.now(), a.heal ? ev::kHeal : ev::kCut, a.a, a.b));
          if (a.heal) {
            net_->heal(a.a, a.b);
          } else {
            net_->cut(a.a, a.b);
          }
        } else if constexpr (std::is_same_v<A, Strip>) {
          trace_.record(link_event(sim_.now(), a.unstrip ? ev::kStarttlsUnstrip : ev::kStarttlsStrip, a.a, a.b));
          if (a.unstrip) {
            net_->clear_tamper(a.a, a.b);
          } else {
            auto attacker = std::make_shared<StarttlsAttacker>();
            net_->set_tamper(a.a, a.b, [this, attacker](sim::Address from, std::uint16_t from_port, sim::Address to,
                                                        std::uint16_t to_port, std::span<char> bytes) {
              const smtp::StripCount n = attacker->tamper(from, from_port, to, to_port, bytes);
              if (n.any()) report_stripped(from, to, n.replies != 0);
            });
          }
        } else if constexpr (std::is_same_v<A, Loss>) {
          const std::string rate = std::to_string(a.rate);
          trace_.record(link_event(sim_.now(), ev::kLoss, a.a, a.b, &rate));
          net_->set_loss(a.a, a.b, a.rate);
        } else if constexpr (std::is_same_v<A, DiskState>) {
          HostNode* h = host(a.host);
          if (!h) return;
          h->disk.set_full(a.full);
          h->runtime->trace(agent::kNet, a.full ? ev::kDiskFull : ev::kDiskOk, {});
        } else if constexpr (std::is_same_v<A, DnsSet>) {
          do_dns_set(a);
        } else if constexpr (std::is_same_v<A, Flush>) {
          HostNode* h = host(a.host);
          if (h && h->mta) h->mta->flush();
        }
      },
      action);
}

void World::report_stripped(sim::Address from, sim::Address to, bool reply) {
  HostNode* sender = nullptr;
  std::string receiver = sim::format_address(to);
  for (const auto& [name, h] : hosts_) {
    if (h->runtime->sim_address() == from) sender = h.get();
    if (h->runtime->sim_address() == to) receiver = name;
  }
  if (!sender) return;
  const std::string detail = reply ? "EHLO reply: 250-STARTTLS -> 250-XXXXXXXA"
                                       : "command: STARTTLS -> XXXXXXXX";
  sender->runtime->trace(agent::kNet, ev::kStarttlsStripped, {{key::kTo, receiver}, {key::kDetail, detail}});
}

}  // namespace maillab::scenario
