// check_resolvers: an MTA that will have to look up a domain in the lab's DNS but has no
// `resolver` is an error before the run (docs/scenario-format.md "Resolvers"); without the
// check its mail would wait in the queue with 4.3.5 until it bounced, with no hint.
//
// An MTA must resolve when the scenario gives it mail for a domain that is not its own
// (its `domains`, or its host name when it has none): a `send` to it with such a
// recipient, an alias of it with such a target, or any of its `relay_domains`. Domains in
// `routed` (`serve --route`) need no lookup; a `discard` MTA never delivers. A host where
// only a MUA runs needs no resolver: the lab's MUA is given its server's address.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "scenarios/loader.hpp"
#include "scenarios/model.hpp"

namespace maillab::scenario {

// The first such host in file order, as an error at its name; nullopt when there is none.
std::optional<LoadError> check_resolvers(const Scenario& s,
                                         const std::map<std::string, std::string>& routed = {});

}  // namespace maillab::scenario
