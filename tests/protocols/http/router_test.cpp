// http::Router: 404, 405 with Allow, OPTIONS, HEAD through GET, {name} parameters, order.
#include <catch2/catch.hpp>

#include "protocols/http/router.hpp"

using namespace maillab::http;

namespace {

Request req(std::string method, std::string target) {
  Request r;
  r.method = std::move(method);
  r.target = target;
  const auto t = parse_target(target);
  REQUIRE(t);
  r.path = t->path;
  r.segments = t->segments;
  r.query = t->query;
  return r;
}

Answer named(std::string name) { return Response::text(200, std::move(name)); }

}  // namespace

TEST_CASE("router: the first route whose pattern and method match answers, with its parameters") {
  Router router;
  router.add("GET", "/api/v1/messages/search", [](const Request&, const RouteParams&, RequestId) { return named("search"); });
  router.add("GET", "/api/v1/messages/{id}", [](const Request&, const RouteParams& p, RequestId) {
    return named("one " + std::string(p.get("id")));
  });
  router.add("GET", "/api/v1/messages/{id}/parts/{n}", [](const Request&, const RouteParams& p, RequestId id) {
    return named(std::string(p.get("id")) + "/" + std::string(p.get("n")) + " #" + std::to_string(id));
  });
  router.add("GET", "/", [](const Request&, const RouteParams&, RequestId) { return named("console"); });
  CHECK(router.dispatch(req("GET", "/api/v1/messages/search"), 1)->body == "search");
  CHECK(router.dispatch(req("GET", "/api/v1/messages/m%201"), 1)->body == "one m 1");
  CHECK(router.dispatch(req("GET", "/api/v1/messages/7/parts/2"), 9)->body == "7/2 #9");
  CHECK(router.dispatch(req("GET", "/"), 1)->body == "console");
  CHECK(router.dispatch(req("HEAD", "/"), 1)->body == "console");  // the engine drops the body
  CHECK(router.dispatch(req("GET", "/api/v1/messages/"), 1)->status == 404);  // empty {id}
  CHECK(router.dispatch(req("GET", "/api/v1"), 1)->status == 404);
  CHECK(router.dispatch(req("GET", "/api/v1/messages/7/parts"), 1)->status == 404);
}

TEST_CASE("router: 405 lists what the path allows, OPTIONS answers it") {
  Router router([](int status, std::string_view detail) { return Response::json_error(status, detail); });
  router.add("GET", "/api/v1/messages", [](const Request&, const RouteParams&, RequestId) { return named("list"); });
  router.add("DELETE", "/api/v1/messages", [](const Request&, const RouteParams&, RequestId) { return named("gone"); });
  router.add("HEAD", "/only-head", [](const Request&, const RouteParams&, RequestId) { return named("h"); });
  const Answer a = router.dispatch(req("POST", "/api/v1/messages"), 1);
  CHECK(a->status == 405);
  CHECK(a->header("Allow") == "GET, HEAD, DELETE, OPTIONS");
  CHECK(a->header("Content-Type") == "application/json");
  CHECK(a->body == "{\"error\":\"method POST not allowed here\"}");
  const Answer o = router.dispatch(req("OPTIONS", "/api/v1/messages"), 1);
  CHECK(o->status == 204);
  CHECK(o->header("Allow") == "GET, HEAD, DELETE, OPTIONS");
  CHECK(router.dispatch(req("GET", "/only-head"), 1)->status == 405);
  const Answer nf = router.dispatch(req("GET", "/nope"), 1);
  CHECK(nf->status == 404);
  CHECK(nf->body == "{\"error\":\"no such resource\"}");
}

TEST_CASE("router: a handler may answer later") {
  Router router;
  router.add("POST", "/api/v1/events", [](const Request&, const RouteParams&, RequestId) -> Answer { return std::nullopt; });
  CHECK_FALSE(router.dispatch(req("POST", "/api/v1/events"), 1).has_value());
}
