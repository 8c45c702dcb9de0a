// Shared by the HTTP engine tests: an application on a Router (what the engine serves),
// a session runner that feeds bytes in any split, and a reader of raw responses written
// here, independently of the engine's code (it checks what a client would see).
#pragma once

#include <catch2/catch.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/http/router.hpp"
#include "protocols/http/server_session.hpp"

namespace maillab::http::test {

struct App : ServerHandler {
  Router router;
  std::vector<Request> requests;
  std::vector<std::pair<std::string, int>> exchanges;  // "METHOD target", status
  std::vector<RequestId> deferred;
  std::vector<RequestId> streams;

  App() {
    router.add("GET", "/hello", [](const Request&, const RouteParams&, RequestId) {
      return Response::text(200, "hello\n");
    });
    router.add("GET", "/api/v1/messages/{id}/raw", [](const Request&, const RouteParams& p, RequestId) {
      Response r = Response::text(200, "message " + std::string(p.get("id")));
      r.set("Content-Type", "message/rfc822");
      return r;
    });
    router.add("DELETE", "/api/v1/messages", [](const Request&, const RouteParams&, RequestId) {
      return Response::json(200, "{\"deleted\":3}");
    });
    router.add("POST", "/echo", [](const Request& r, const RouteParams&, RequestId) {
      return Response::text(200, r.body);
    });
    router.add("GET", "/later", [this](const Request&, const RouteParams&, RequestId id) -> Answer {
      deferred.push_back(id);
      return std::nullopt;
    });
    router.add("GET", "/stream", [this](const Request&, const RouteParams&, RequestId id) -> Answer {
      streams.push_back(id);
      Response r = Response::text(200, "first\n");
      r.set("Content-Type", "text/event-stream");
      r.stream = true;
      return r;
    });
    router.add("GET", "/close", [](const Request&, const RouteParams&, RequestId) {
      Response r = Response::text(200, "bye");
      r.close = true;
      return r;
    });
    router.add("GET", "/big/{n}", [](const Request&, const RouteParams& p, RequestId) {
      return Response::text(200, std::string(std::stoul(std::string(p.get("n"))), 'x'));
    });
  }

  Answer on_request(const Request& r, RequestId id) override {
    requests.push_back(r);
    return router.dispatch(r, id);
  }
  void on_exchange(std::string_view method, std::string_view target, int status) override {
    exchanges.emplace_back(std::string(method) + " " + std::string(target), status);
  }
};

// One response as a client reads it.
struct Seen {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string body;

  std::size_t count(std::string_view name) const {
    std::size_t n = 0;
    for (const auto& [k, v] : fields) n += iequals(k, name) ? 1 : 0;
    return n;
  }
  std::string get(std::string_view name) const {
    for (const auto& [k, v] : fields) {
      if (iequals(k, name)) return v;
    }
    return {};
  }
};

// Reads every response in `out`; `heads` lists which of them answer a HEAD (no body).
// Framing by Content-Length, chunked, or the end of the output. Fails the test on
// anything malformed.
inline std::vector<Seen> read_responses(std::string_view out, std::vector<bool> heads = {}) {
  std::vector<Seen> all;
  while (!out.empty()) {
    const auto end = out.find("\r\n\r\n");
    REQUIRE(end != std::string_view::npos);
    std::string_view head = out.substr(0, end + 2);
    out.remove_prefix(end + 4);
    Seen s;
    const auto eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    REQUIRE(line.substr(0, 9) == "HTTP/1.1 ");
    s.status = std::stoi(std::string(line.substr(9, 3)));
    s.reason = std::string(line.substr(13));
    head.remove_prefix(eol + 2);
    while (!head.empty()) {
      const auto e = head.find("\r\n");
      const std::string_view f = head.substr(0, e);
      head.remove_prefix(e + 2);
      const auto colon = f.find(':');
      REQUIRE(colon != std::string_view::npos);
      REQUIRE(f.find_first_of("\r\n") == std::string_view::npos);
      std::string_view v = f.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      s.fields.emplace_back(std::string(f.substr(0, colon)), std::string(v));
    }
    const bool head_only = all.size() < heads.size() && heads[all.size()];
    if (s.status == 100) {  // interim
      all.push_back(std::move(s));
      continue;
    }
    if (head_only || s.status == 204 || s.status == 304) {
      // no body
    } else if (iequals(s.get("Transfer-Encoding"), "chunked")) {
      for (;;) {
        const auto e = out.find("\r\n");
        REQUIRE(e != std::string_view::npos);
        const std::size_t n = std::stoul(std::string(out.substr(0, e)), nullptr, 16);
        out.remove_prefix(e + 2);
        if (n == 0) {
          REQUIRE(out.substr(0, 2) == "\r\n");
          out.remove_prefix(2);
          break;
        }
        REQUIRE(out.size() >= n + 2);
        s.body += out.substr(0, n);
        REQUIRE(out.substr(n, 2) == "\r\n");
        out.remove_prefix(n + 2);
      }
    } else if (s.count("Content-Length") == 1) {
      const std::size_t n = std::stoul(s.get("Content-Length"));
      REQUIRE(out.size() >= n);
      s.body = std::string(out.substr(0, n));
      out.remove_prefix(n);
    } else {
      s.body = std::string(out);
      out = {};
    }
    all.push_back(std::move(s));
  }
  return all;
}

struct Run {
  std::string output;
  bool closed = false;
  std::vector<Seen> responses;
};

// Feeds `input` to a fresh session in pieces of `chunk` bytes (0: all at once).
inline Run serve(App& app, std::string_view input, std::size_t chunk = 0, ServerConfig config = {},
                 std::vector<bool> heads = {}) {
  ServerSession s(std::move(config), app);
  Run r;
  if (chunk == 0) chunk = input.size() == 0 ? 1 : input.size();
  for (std::size_t i = 0; i < input.size(); i += chunk) {
    s.receive(input.substr(i, chunk));
    r.output += s.take_output();
  }
  r.closed = s.closed();
  r.responses = read_responses(r.output, std::move(heads));
  return r;
}

}  // namespace maillab::http::test
