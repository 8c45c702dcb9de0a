#include "viz/exchanges.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <tuple>

#include "protocols/io/trace_vocab.hpp"

namespace maillab::viz {

namespace ev = io::trace::ev;
namespace key = io::trace::key;

std::string host_at(const scenario::Scenario& s, const std::string& address) {
  for (const auto& h : s.hosts)
    if (h.address.text == address) return h.name;
  return "";
}

namespace {

bool known(const scenario::Scenario& s, const std::string& host) { return s.find_host(host) != nullptr; }

bool server_side(const std::string& event) {
  return event == ev::kSmtpIn || event == ev::kPop3In || event == ev::kImapIn || event == ev::kHttpIn;
}

// The protocol of an exchange record of either side: 0 SMTP, 1 POP3, 2 IMAP, 3 HTTP.
int protocol_index(const std::string& event) {
  if (event == ev::kPop3In || event == ev::kPop3Out) return 1;
  if (event == ev::kImapIn || event == ev::kImapOut) return 2;
  if (event == ev::kHttpIn || event == ev::kHttpOut) return 3;
  return 0;
}

}  // namespace

std::string client_of(const scenario::Scenario& s, const sim::TraceEvent& e) {
  if (server_side(e.event)) return host_at(s, e.get(key::kPeer));
  return known(s, e.host) ? e.host : "";
}

std::string server_of(const scenario::Scenario& s, const sim::TraceEvent& e) {
  if (server_side(e.event)) return known(s, e.host) ? e.host : "";
  if (e.event == ev::kDnsQuery || e.event == ev::kDnsTcp || e.event == ev::kFetchStart)
    return host_at(s, e.get(key::kServer));
  return host_at(s, e.get(key::kPeer));
}

Exchanges pair_exchanges(const scenario::Scenario& s, const std::vector<sim::TraceEvent>& trace,
                         std::size_t n) {
  constexpr std::size_t npos = Exchanges::npos;
  Exchanges out;
  using Key = std::tuple<int, std::string, std::string, std::string>;  // protocol, client, server, cmd
  std::map<Key, std::deque<std::size_t>> pending;                       // -> index in exchanges
  // (client, server, POP3): smtp.connect, or fetch.start for POP3, until the greeting.
  std::map<std::tuple<std::string, std::string, bool>, std::deque<std::size_t>> connects;
  std::map<std::tuple<std::string, std::string, std::string>, std::deque<std::size_t>> queries;
  for (std::size_t i = 0; i < n && i < trace.size(); ++i) {
    const auto& e = trace[i];
    const std::string& name = e.event;
    if (server_side(name)) {
      const bool pop3 = name != ev::kSmtpIn;  // POP3 and IMAP connect from a fetch
      const std::string client = client_of(s, e), server = server_of(s, e);
      if (client.empty() || server.empty()) continue;
      std::size_t connect = npos;
      if (e.get(key::kCommand).empty()) {
        auto& q = connects[{client, server, pop3}];
        if (!q.empty()) {
          connect = q.front();
          q.pop_front();
        }
      }
      pending[{protocol_index(name), client, server, e.get(key::kCommand)}].push_back(out.exchanges.size());
      out.exchanges.push_back({i, npos, connect});
    } else if (name == ev::kSmtpOut || name == ev::kPop3Out || name == ev::kImapOut || name == ev::kHttpOut) {
      auto& q = pending[{protocol_index(name), client_of(s, e), server_of(s, e), e.get(key::kCommand)}];
      if (q.empty()) {
        if (!client_of(s, e).empty() && !server_of(s, e).empty()) out.orphans.push_back(i);
        continue;
      }
      out.exchanges[q.front()].out = i;
      q.pop_front();
    } else if (name == ev::kSmtpConnect || name == ev::kFetchStart) {
      connects[{client_of(s, e), server_of(s, e), name == ev::kFetchStart}].push_back(i);
    } else if (name == ev::kFetchFailed) {
      const std::string& detail = e.get(key::kDetail);
      if (detail != "connection refused" && detail != "connection timed out") continue;
      // The oldest fetch of this client still waiting for its connection.
      std::deque<std::size_t>* oldest = nullptr;
      for (auto& [k, q] : connects)
        if (std::get<0>(k) == e.host && std::get<2>(k) && !q.empty() && (!oldest || q.front() < oldest->front()))
          oldest = &q;
      if (!oldest) continue;
      out.failed_connects.emplace_back(i, oldest->front());
      oldest->pop_front();
    } else if (name == ev::kSmtpConnectFailed) {
      auto& q = connects[{client_of(s, e), server_of(s, e), false}];
      std::size_t c = npos;
      if (!q.empty()) {
        c = q.front();
        q.pop_front();
      }
      out.failed_connects.emplace_back(i, c);
    } else if (name == ev::kDnsQuery) {
      queries[{e.host, e.get(key::kName), e.get(key::kType)}].push_back(out.dns.size());
      out.dns.emplace_back(i, npos);
    } else if (name == ev::kDnsAnswer) {
      auto& q = queries[{e.host, e.get(key::kName), e.get(key::kType)}];
      if (q.empty()) continue;
      out.dns[q.front()].second = i;
      q.pop_front();
    }
  }
  for (const auto& [k, q] : connects)
    for (std::size_t i : q)
      if (!std::get<0>(k).empty() && !std::get<1>(k).empty()) out.waiting_connects.push_back(i);
  std::sort(out.waiting_connects.begin(), out.waiting_connects.end());
  return out;
}

}  // namespace maillab::viz
