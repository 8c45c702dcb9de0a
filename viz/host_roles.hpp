// viz::host_roles: what each host of a scenario is, in the words of the mail journey
// (MUA -> MSA -> MTA -> MX -> MDA -> mailbox -> MRA -> MUA), for lane and node labels.
//
// Roles come from the scenario alone, so a lane is labelled before anything happened:
// - MUA: the host is where a `send` or `fetch` runs (its `client`, else its `server`);
// - MSA: its MTA has `submission: true`;  MTA: it runs an MTA;
// - MX: a DNS zone of the scenario names it (by A record address or by name) in an MX;
// - MDA: its MTA is the final destination of a domain (local delivery into mailboxes);
// - MRA: it runs POP3;  DNS: it serves zones.
//
// lane_order: the order of the chart's lanes, fixed by the scenario alone (so it never
// changes while a run plays, steps, jumps or rewinds, and the SVG of a run has the same
// lanes as the visualiser): along the path mail takes, event by event - the sending MUA,
// its MSA, the name servers, the MXs of the recipients' domains in preference order
// (MUA -> MSA -> DNS -> MTA -> MX), then the POP3 server and its reader for a fetch; the
// hosts no event names (a forwarding target, a router-only host) after them by role,
// then as the scenario lists them.
#pragma once

#include <string>
#include <vector>

#include "scenarios/model.hpp"

namespace maillab::viz {

// Roles of `host` in the fixed order MUA, MSA, MTA, MX, MDA, MRA, DNS.
std::vector<std::string> host_roles(const scenario::Scenario& s, const scenario::Host& host);

// "MSA · MTA · MDA" (or "host" when the host has no role).
std::string roles_label(const std::vector<std::string>& roles);

// Every host of the scenario, in lane order (above).
std::vector<std::string> lane_order(const scenario::Scenario& s);

}  // namespace maillab::viz
