// The scenario's timed actions on a World (docs/scenario-format.md `events[]`): host and port
// states, link cuts, loss and the STARTTLS-stripping attacker, disk full, dns_set, flush.
// Each is traced where it happens; a mail action (send, fetch, idle) goes to world.cpp.
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

std::uint16_t service_port(Service s) {
  switch (s) {
    case Service::kSmtp: return 25;
    case Service::kSubmission: return 587;
    case Service::kPop3: return 110;
    case Service::kDns: return 53;
    case Service::kImap: return 143;
    case Service::kSmtps: return 465;
    case Service::kPop3s: return 995;
    case Service::kImaps: return 993;
    case Service::kHttp: return 80;
    case Service::kHttps: return 443;
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
          if (a.service == Service::kDns) {
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
            net_->set_tamper(a.a, a.b, [this](sim::Address from, std::uint16_t, sim::Address to,
                                              std::uint16_t, std::span<char> bytes) {
              strip_starttls(from, to, bytes);
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

void World::strip_starttls(sim::Address from, sim::Address to, std::span<char> bytes) {
  const smtp::StripCount n = smtp::strip_starttls(bytes);
  if (!n.any()) return;
  HostNode* sender = nullptr;
  std::string receiver = sim::format_address(to);
  for (const auto& [name, h] : hosts_) {
    if (h->runtime->sim_address() == from) sender = h.get();
    if (h->runtime->sim_address() == to) receiver = name;
  }
  if (!sender) return;
  const std::string detail = n.replies ? "EHLO reply: 250-STARTTLS -> 250-XXXXXXXA"
                                       : "command: STARTTLS -> XXXXXXXX";
  sender->runtime->trace(agent::kNet, ev::kStarttlsStripped, {{key::kTo, receiver}, {key::kDetail, detail}});
}

}  // namespace maillab::scenario
