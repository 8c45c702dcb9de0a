#include "protocols/http/router.hpp"

#include <algorithm>
#include <cassert>

namespace maillab::http {

namespace {

bool is_param(std::string_view seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

std::vector<std::string> split_pattern(std::string_view pattern) {
  assert(!pattern.empty() && pattern.front() == '/');
  std::vector<std::string> out;
  pattern.remove_prefix(1);
  if (pattern.empty()) return out;
  for (;;) {
    const auto slash = pattern.find('/');
    std::string seg(pattern.substr(0, slash));
    assert(seg.find_first_of("{}") == std::string::npos || is_param(seg));
    out.push_back(std::move(seg));
    if (slash == std::string_view::npos) break;
    pattern.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

std::string_view RouteParams::get(std::string_view name) const {
  for (const auto& [k, v] : items_) {
    if (k == name) return v;
  }
  return {};
}

Router::Router(ErrorFactory errors) : errors_(std::move(errors)) {
  if (!errors_) errors_ = [](int status, std::string_view detail) { return Response::error(status, detail); };
}

void Router::add(std::string method, std::string_view pattern, Handler handler) {
  routes_.push_back({std::move(method), split_pattern(pattern), std::move(handler)});
}

bool Router::match(const Route& route, const std::vector<std::string>& segments, RouteParams* params) {
  if (route.pattern.size() != segments.size()) return false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string& p = route.pattern[i];
    if (is_param(p)) {
      if (segments[i].empty()) return false;
    } else if (p != segments[i]) {
      return false;
    }
  }
  if (params) {
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const std::string& p = route.pattern[i];
      if (is_param(p)) params->add(p.substr(1, p.size() - 2), segments[i]);
    }
  }
  return true;
}

std::string Router::allowed(const std::vector<std::string>& segments) const {
  std::vector<std::string> methods;
  auto note = [&](const std::string& m) {
    if (std::find(methods.begin(), methods.end(), m) == methods.end()) methods.push_back(m);
  };
  for (const auto& r : routes_) {
    if (!match(r, segments, nullptr)) continue;
    note(r.method);
    if (r.method == "GET") note("HEAD");
  }
  if (methods.empty()) return {};
  note("OPTIONS");
  std::string out;
  for (const auto& m : methods) {
    if (!out.empty()) out += ", ";
    out += m;
  }
  return out;
}

Answer Router::dispatch(const Request& request, RequestId id) const {
  const Route* fallback = nullptr;  // a GET route for a HEAD request
  for (const auto& r : routes_) {
    if (r.method != request.method && !(request.method == "HEAD" && r.method == "GET")) continue;
    if (!match(r, request.segments, nullptr)) continue;
    if (r.method == request.method) {
      RouteParams params;
      match(r, request.segments, &params);
      return r.handler(request, params, id);
    }
    if (!fallback) fallback = &r;
  }
  if (fallback) {
    RouteParams params;
    match(*fallback, request.segments, &params);
    return fallback->handler(request, params, id);
  }
  const std::string allow = allowed(request.segments);
  if (allow.empty()) return errors_(404, "no such resource");
  if (request.method == "OPTIONS") {
    Response r(204);
    r.set("Allow", allow);
    return r;
  }
  Response r = errors_(405, "method " + request.method + " not allowed here");
  r.set("Allow", allow);
  return r;
}

}  // namespace maillab::http
