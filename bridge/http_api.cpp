#include "bridge/http_api.hpp"

#include "base/json.hpp"
#include "bridge/http_mailboxes.hpp"
#include "protocols/message/encoded_word.hpp"
#include "scenarios/duration.hpp"
#include "scenarios/expectations.hpp"
#include "scenarios/loader.hpp"

namespace maillab::bridge {

namespace {

using http::Request;
using http::Response;
using http::RouteParams;
using http::RequestId;

constexpr std::size_t kTraceChunk = 10000;  // events per GET /api/v1/trace at most

// A number in a query parameter: digits only, nullopt otherwise.
std::optional<std::size_t> count_param(const Request& r, std::string_view name, std::size_t fallback) {
  auto v = r.query_param(name);
  if (!v) return fallback;
  if (v->empty() || v->size() > 18 || v->find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  return static_cast<std::size_t>(std::stoull(std::string(*v)));
}

bool json_body(const Request& r) {
  const std::string_view type = r.header("Content-Type");
  // Browsers' cross-site form posts cannot send application/json without a CORS preflight,
  // which this origin never grants: a page elsewhere cannot post events to the lab. A
  // browser names the page's origin on every POST (Origin, Sec-Fetch-Site); a request with
  // neither is no browser's (curl -d, a test's HTTP client), so its body is read as JSON
  // whatever type it claims.
  if (type.substr(0, 16) == "application/json") return true;
  return r.header("Origin").empty() && r.header("Sec-Fetch-Site").empty();
}

}  // namespace

HttpApi::HttpApi(scenario::World& world)
    : world_(world), router_([](int status, std::string_view detail) { return Response::json_error(status, detail); }) {
  router_.add("GET", "/", [](const Request&, const RouteParams&, RequestId) {
    Response r = Response::html(200, console_page());
    r.set("Content-Security-Policy", console_csp());
    return r;
  });
  router_.add("GET", "/console.js", [](const Request&, const RouteParams&, RequestId) {
    Response r(200);
    r.set("Content-Type", "text/javascript; charset=utf-8");
    r.body = console_script();
    return r;
  });
  router_.add("GET", "/console.css", [](const Request&, const RouteParams&, RequestId) {
    Response r(200);
    r.set("Content-Type", "text/css; charset=utf-8");
    r.body = console_style();
    return r;
  });
  router_.add("GET", "/api/v1/timeline.svg", [this](const Request&, const RouteParams&, RequestId) {
    if (!timeline_svg_) return Response::json_error(404, "no timeline drawing in this build");
    Response r(200);
    r.set("Content-Type", "image/svg+xml");
    r.body = timeline_svg_();
    return r;
  });
  router_.add("GET", "/api/v1/hosts", [this](const Request&, const RouteParams&, RequestId) { return hosts(); });
  router_.add("GET", "/api/v1/messages",
              [this](const Request& r, const RouteParams&, RequestId) { return messages(r); });
  router_.add("DELETE", "/api/v1/messages", [this](const Request&, const RouteParams&, RequestId) {
    const std::size_t n = empty_mailboxes(world_);
    return Response::json(200, "{\"deleted\":" + std::to_string(n) + "}");
  });
  router_.add("GET", "/api/v1/messages/{id}/raw",
              [this](const Request&, const RouteParams& p, RequestId) { return raw(p.get("id")); });
  router_.add("GET", "/api/v1/queues", [this](const Request&, const RouteParams&, RequestId) { return queues(); });
  router_.add("GET", "/api/v1/trace", [this](const Request& r, const RouteParams&, RequestId) { return trace(r); });
  router_.add("POST", "/api/v1/events", [this](const Request& r, const RouteParams&, RequestId) { return event(r); });
  router_.add("POST", "/api/v1/expect", [this](const Request& r, const RouteParams&, RequestId) { return expect(r); });
}

Response HttpApi::messages(const Request& r) const {
  const MessageFilter filter{r.query_param("host"), r.query_param("user"), r.query_param("folder"),
                             r.query_param("subject")};
  if (!filter.host && !filter.user && !filter.folder && !filter.subject)
    return Response::json(200, cache_.all_json(world_));
  return Response::json(200, cache_.json(world_, filter));
}

Response HttpApi::raw(std::string_view id) const {
  const std::string key(id);
  const StoredMessage* m = cache_.find(world_, key);
  const io::Bytes file = m ? message_file(world_, *m) : nullptr;
  if (!file) return Response::json_error(404, "no message with id " + key);
  Response r(200);
  r.set("Content-Type", "message/rfc822");
  r.body = std::string(message_view(*m, *file));
  return r;
}

Response HttpApi::queues() const {
  std::string out = "[";
  for (const auto& [host, node] : world_.hosts()) {
    if (!node->spec->mta) continue;
    for (const mta::QueueFile& q : world_.queue_of(host)) {
      std::string rcpts = "[", reason;
      for (const mta::QueueRecipient& rc : q.rcpts) {
        rcpts += (rcpts.size() > 1 ? "," : "") + base::json_quote(rc.address);
        if (!rc.diagnostic.empty()) reason = rc.diagnostic;
      }
      out += (out.size() > 1 ? "," : "") + std::string("{\"host\":") + base::json_quote(host) +
             ",\"id\":" + base::json_quote(q.id) +
             ",\"state\":" + base::json_quote(mta::queue_state_name(q.state)) +
             ",\"sender\":" + base::json_quote(q.sender) + ",\"recipients\":" + rcpts + "]" +
             ",\"subject\":" + base::json_quote(message::decode_rfc2047(q.subject)) +
             ",\"attempts\":" + std::to_string(q.attempts) +
             ",\"next_attempt\":" + base::json_quote(scenario::format_duration(q.next_attempt)) +
             ",\"next_attempt_ns\":" + std::to_string(q.next_attempt) +
             ",\"last_reason\":" + base::json_quote(reason) + "}";
    }
  }
  return Response::json(200, out + "]");
}

Response HttpApi::hosts() const {
  std::string out = "[";
  for (const auto& [name, node] : world_.hosts()) {
    const scenario::Host& h = *node->spec;
    std::string services = "[";
    auto add = [&](std::string_view s) { services += (services.size() > 1 ? "," : "") + base::json_quote(s); };
    if (h.dns) add("dns");
    if (h.mta) add("smtp");
    if (h.mta && h.mta->submission) add("submission");
    if (h.pop3) add("pop3");
    out += (out.size() > 1 ? "," : "") + std::string("{\"name\":") + base::json_quote(name) +
           ",\"address\":" + base::json_quote(h.address.text) + ",\"services\":" + services + "]" +
           ",\"up\":" + (node->up ? "true" : "false") + "}";
  }
  return Response::json(200, out + "]");
}

std::string HttpApi::trace_lines(std::size_t since, std::size_t max) const {
  const auto& events = world_.trace().events();
  std::string out;
  for (std::size_t i = since; i < events.size() && i - since < max; ++i)
    out += sim::TraceRecorder::to_json(events[i]) + "\n";
  return out;
}

Response HttpApi::trace(const Request& r) const {
  const auto since = count_param(r, "since", 0);
  if (!since) return Response::json_error(400, "since must be a whole number (an event's place, from 0)");
  Response out(200);
  out.set("Content-Type", "application/x-ndjson");
  out.body = trace_lines(*since, kTraceChunk);
  const std::size_t total = world_.trace().events().size();
  out.set("X-Trace-Next", std::to_string(std::min(total, std::max(*since, std::min(total, *since + kTraceChunk)))));
  return out;
}

Response HttpApi::event(const Request& r) const {
  if (!json_body(r)) return Response::json_error(415, "the body must be application/json");
  auto loaded = scenario::load_action_text(r.body, world_.scenario(), "request body");
  if (auto* e = std::get_if<scenario::LoadError>(&loaded)) return Response::json_error(400, e->str());
  const scenario::Action& action = std::get<scenario::Action>(loaded);
  world_.inject(action);
  return Response::json(200, "{\"done\":" + base::json_quote(scenario::action_name(action)) +
                                 ",\"t_ns\":" + std::to_string(world_.simulator().now()) + "}");
}

Response HttpApi::expect(const Request& r) const {
  if (!json_body(r)) return Response::json_error(415, "the body must be application/json");
  auto loaded = scenario::load_checks_text(r.body, world_.scenario(), "request body");
  if (auto* e = std::get_if<scenario::LoadError>(&loaded)) return Response::json_error(400, e->str());
  const auto& checks = std::get<std::vector<scenario::Expectation>>(loaded);
  std::size_t passed = 0;
  std::string results = "[";
  for (const scenario::CheckResult& c : scenario::check_now(world_, checks)) {
    passed += c.passed ? 1 : 0;
    const std::string line = std::string(c.passed ? "PASS " : "FAIL ") + c.what + "  (" + c.found + ")";
    results += (results.size() > 1 ? "," : "") + std::string("{\"check\":") + base::json_quote(c.what) +
               ",\"passed\":" + (c.passed ? "true" : "false") + ",\"found\":" + base::json_quote(c.found) +
               ",\"line\":" + base::json_quote(line) + "}";
  }
  return Response::json(200, "{\"passed\":" + std::to_string(passed) +
                                 ",\"failed\":" + std::to_string(checks.size() - passed) +
                                 ",\"ok\":" + (passed == checks.size() ? "true" : "false") +
                                 ",\"results\":" + results + "]}");
}

}  // namespace maillab::bridge
