#include "viz/text_summary.hpp"

#include <algorithm>

#include "protocols/io/trace_vocab.hpp"
#include "protocols/message/peer_text.hpp"
#include "scenarios/runner.hpp"
#include "viz/text.hpp"

namespace maillab::viz {

namespace key = io::trace::key;

namespace {

std::string attempts(const Hop& h) {
  const std::size_t n = h.attempts.empty() ? 0 : h.attempts.size() - 1;
  return std::to_string(n) + " attempt" + (n == 1 ? "" : "s");
}

}  // namespace

bool journey_touches(const Journey& j, const MessagePath& p, const std::string& host) {
  if (j.mua == host) return true;
  for (const auto& h : j.hops)
    if (h.host == host) return true;
  for (const auto& r : p.retrievals)
    if (r.client == host) return true;
  return false;
}

std::string message_summaries(const std::vector<Journey>& journeys, const std::vector<MessagePath>& paths,
                              const std::vector<std::size_t>& shown, const std::vector<sim::TraceEvent>& trace) {
  std::string out = "messages: " + std::to_string(shown.size()) + "\n";
  for (std::size_t k : shown) {
    const Journey& j = journeys[k];
    // What happened to it, in time order; each line through the terminal gate (subjects
    // and ids are a stranger's text).
    std::vector<std::pair<Time, std::string>> steps;
    auto at = [&steps](Time t, const std::string& what) {
      steps.emplace_back(t, message::terminal_safe("    " + scenario::format_clock(t) + "  " + what) + "\n");
      return std::string();
    };
    std::string p = "  " + (j.is_dsn ? "DSN about " + j.dsn_about + ": " : std::string()) + "\"" + j.subject + "\"";
    std::string msgid = j.message_id;
    if (msgid.empty() && !j.hops.empty() && !j.hops[0].attempts.empty() && !j.hops[0].attempts[0].events.empty())
      msgid = trace[j.hops[0].attempts[0].events[0]].get(key::kMsgid);
    if (!msgid.empty()) p += " " + msgid;
    if (!j.hops.empty()) p += "  from <" + j.hops[0].from + ">";
    p = message::terminal_safe(p) + "\n";
    if (!j.mua.empty()) p += at(j.start, "composed on " + j.mua);
    if (j.submission_failed) p += at(trace[j.submission.back()].t_ns, "the submission failed: it never left " + j.mua);
    for (std::size_t n = 0; n < j.hops.size(); ++n) {
      const Hop& h = j.hops[n];
      if (n == 0 && !j.mua.empty())
        p += at(h.enqueued, "submitted to " + h.host + ", queued as " + h.queue_id);
      else if (h.parent >= 0)
        p += at(h.enqueued, "relayed by " + j.hops[h.parent].host + " to " + h.host + ", queued as " + h.queue_id);
      else
        p += at(h.enqueued, "queued on " + h.host + " as " + h.queue_id);
      const std::string since = ", " + format_span(h.status_time - j.start) + " after it " +
                                (j.mua.empty() ? "was queued" : "was composed");
      if (h.status == "delivered")
        p += at(h.status_time, "delivered on " + h.host + ": " + h.status_detail + since);
      else if (h.status == "bounced" || h.status == "expired")
        p += at(h.status_time, h.status + " on " + h.host + " after " + attempts(h) + ": " + h.status_detail + since);
      else if (h.status == "relayed")
        p += at(h.status_time, h.queue_id + " left " + h.host + " after " + attempts(h) + ": " + h.status_detail);
      else if (h.status == "deferred")
        p += at(h.status_time, "still deferred on " + h.host + " after " + attempts(h) + ", " + h.status_detail);
      else
        p += at(h.status_time, "in the queue of " + h.host + " (" + h.queue_id + ")");
    }
    for (const auto& r : paths[k].retrievals)
      p += at(r.t, "downloaded by " + r.client + " (POP3, " + r.user + ")" +
                       (r.deleted ? ", deleted from " + r.server : ", left on " + r.server));
    std::stable_sort(steps.begin(), steps.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [t, line] : steps) p += line;
    out += p;
  }
  return out;
}

}  // namespace maillab::viz
