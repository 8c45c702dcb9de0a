// bridge::HttpApi: the REST API of `maillab serve --http` (cli.md "The lab over HTTP") on
// an http::Router, answering from the running World: messages (list, raw, delete), queues,
// the trace, events carried out now, checks evaluated now; and the console page at `/`.
// The live stream (GET /api/v1/stream) needs its connection and is the front's
// (bridge/http_front.hpp).
//
// Invariants: every answer is JSON (or the raw message, or JSON Lines, or the page); every
// string in it passes base::json_quote (valid UTF-8 whatever a peer sent); errors are
// {"error": "..."} with 400 (a bad body: the scenario loader's own message, naming
// "request body" and a place in it), 404 (no such message or path) or 405; the API holds
// no state of its own besides the World's (and a cache of what it derives from the
// World's mailboxes), and runs on the bridge's loop thread.
#pragma once

#include <functional>
#include <string>

#include "bridge/message_cache.hpp"
#include "protocols/http/router.hpp"
#include "scenarios/world.hpp"

namespace maillab::bridge {

class HttpApi {
 public:
  explicit HttpApi(scenario::World& world);

  http::Answer on_request(const http::Request& request, http::RequestId id) const {
    return router_.dispatch(request, id);
  }

  // GET /api/v1/timeline.svg: the sequence chart up to now, drawn by the layer above
  // (serve hands it viz::to_svg; the bridge does not depend on viz). Unset: 404.
  void set_timeline_svg(std::function<std::string()> draw) { timeline_svg_ = std::move(draw); }

  // The trace events [since, ...) as JSON Lines, at most `max` of them.
  std::string trace_lines(std::size_t since, std::size_t max) const;

 private:
  http::Response messages(const http::Request& request) const;
  http::Response raw(std::string_view id) const;
  http::Response queues() const;
  http::Response hosts() const;
  http::Response trace(const http::Request& request) const;
  http::Response event(const http::Request& request) const;
  http::Response expect(const http::Request& request) const;

  scenario::World& world_;
  http::Router router_;
  std::function<std::string()> timeline_svg_;
  mutable MessageCache cache_;  // answers as without it, faster (bridge/message_cache.hpp)
};

// The console's page (bridge/http_console.cpp): HTML with its script and style inline.
std::string console_page();
std::string console_script();
std::string console_style();
// Its Content-Security-Policy: the page's own inline script and style, requests to this
// origin only, no framing.
std::string console_csp();

}  // namespace maillab::bridge
