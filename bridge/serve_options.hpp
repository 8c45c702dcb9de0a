// bridge::ServeOptions: what `maillab serve` was asked to do (cli.md "maillab serve"), and
// the parsers for its textual forms: `HOST:SERVICE=ADDR:PORT` (--listen) and
// `DOMAIN=ADDR:PORT` (--route).
//
// Safety rule (cli.md): only loopback addresses (127.0.0.0/8, ::1) may be bound or routed
// to unless allow_nonlocal; validate() enforces it before any socket exists. Addresses
// are numeric (no name lookups: a lab must not depend on the machine's resolver).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/model.hpp"

namespace maillab::bridge {

inline constexpr double kMinSpeed = 1e-3, kMaxSpeed = 1e9;

// A real address and port; port 0 on a listener means "any free port".
struct RealEndpoint {
  std::string address;  // numeric IPv4 or IPv6, without brackets
  std::uint16_t port = 0;
  std::string str() const;  // "127.0.0.1:2525", "[::1]:2525"
};

struct ListenSpec {
  std::string host;  // a virtual host of the scenario
  scenario::Service service = scenario::Service::Smtp;
  RealEndpoint at;
};

struct RouteSpec {
  std::string domain;  // lowercase
  RealEndpoint to;
};

struct ServeOptions {
  std::vector<ListenSpec> listen;
  std::vector<RouteSpec> routes;
  double speed = 1.0;              // simulated seconds per real second, kMinSpeed..kMaxSpeed
  bool allow_nonlocal = false;
  std::string mailboxes_dir;       // written through, group commit (bridge/group_commit.hpp)
  std::string trace_file;          // JSON Lines, appended as events happen
  std::optional<std::int64_t> until_ns;                    // stop at this simulated time
  std::chrono::milliseconds grace{2000};                   // real time after a stop request
  std::chrono::milliseconds max_wait{5};                   // longest blocking wait per loop
  // true: every trace event stays in World::trace() for the whole run (what `run` keeps and
  // the tests read). false (`maillab serve`): events are handed to the --trace file and
  // the timeline each loop turn, then dropped, so a long serve does not grow in memory;
  // with neither consumer nothing is recorded at all. Deliveries likewise: false keeps
  // only their count (World::delivery_count), not a record with each message's bytes.
  bool keep_trace = true;
};

// The virtual port of a service: smtp 25, submission 587, pop3 110, dns 53, imap 143.
std::uint16_t virtual_port(scenario::Service s);
std::optional<scenario::Service> parse_service(std::string_view name);

// "ADDR:PORT" or "[V6]:PORT". nullopt and *error on anything else.
std::optional<RealEndpoint> parse_endpoint(std::string_view text, std::string* error);
std::optional<ListenSpec> parse_listen(std::string_view text, std::string* error);
std::optional<RouteSpec> parse_route(std::string_view text, std::string* error);

bool is_loopback(const std::string& numeric_address);

// Every listener names a host of the scenario that runs that service; every address is
// loopback unless allow_nonlocal; speed > 0. Returns "" when fine, else one clear message.
std::string validate(const ServeOptions& o, const scenario::Scenario& s);

}  // namespace maillab::bridge
