// The text timeline's closing part (text_timeline.hpp): one paragraph per message -
// composed, submitted, each hop with its queue id and attempts, delivered / bounced /
// still deferred, downloaded by which client and whether it left the server - each with
// its simulated time.
#pragma once

#include <string>
#include <vector>

#include "viz/journey.hpp"
#include "viz/message_path.hpp"

namespace maillab::viz {

std::string message_summaries(const std::vector<Journey>& journeys, const std::vector<MessagePath>& paths,
                              const std::vector<std::size_t>& shown, const std::vector<sim::TraceEvent>& trace);

// Whether `host` took part in the message's way (a hop, its MUA, a client that downloaded it).
bool journey_touches(const Journey& j, const MessagePath& p, const std::string& host);

}  // namespace maillab::viz
