// The REST API's event and check bodies (scenarios/loader_api.cpp): read by the scenario
// loader's own rules, with its messages, naming the body and a place in it.
#include <catch2/catch.hpp>

#include "scenarios/library.hpp"
#include "scenarios/loader.hpp"

using namespace maillab::scenario;

namespace {

const Scenario& lab() {
  static const Scenario s = std::get<Scenario>(load_scenario("basic-delivery"));
  return s;
}

std::string error_of(const std::variant<Action, LoadError>& r) {
  const auto* e = std::get_if<LoadError>(&r);
  return e ? e->str() : std::string();
}

}  // namespace

TEST_CASE("api events: one action, now") {
  auto down = load_action_text(R"({"down": "mx.b.example"})", lab(), "request body");
  REQUIRE(std::holds_alternative<Action>(down));
  const auto* h = std::get_if<HostState>(&std::get<Action>(down));
  REQUIRE(h);
  CHECK(h->host == "mx.b.example");
  CHECK_FALSE(h->up);

  auto send = load_action_text(
      R"({"send": {"from": "alice@a.example", "to": ["bob@b.example"], "subject": "Hi \u00e9", "client": "pc.alice", "server": "mail.a.example"}})",
      lab(), "request body");
  REQUIRE(std::holds_alternative<Action>(send));
  const auto* s = std::get_if<Send>(&std::get<Action>(send));
  REQUIRE(s);
  CHECK(s->subject == "Hi \xc3\xa9");
  CHECK(s->to == std::vector<std::string>{"bob@b.example"});

  // YAML flow is accepted as well (JSON is YAML's flow style).
  CHECK(std::holds_alternative<Action>(load_action_text("{cut: [mail.a.example, mx.b.example]}", lab(), "b")));
}

TEST_CASE("api events: the scenario file's messages, at a place in the body") {
  CHECK(error_of(load_action_text(R"({"down": "mx.b.exampel"})", lab(), "request body")) ==
        "request body:1:10: error: `down` names `mx.b.exampel`, which is not a host (did you mean "
        "`mx.b.example`?); hosts: ns.example, mail.a.example, mx.b.example, pc.alice");
  CHECK(error_of(load_action_text(R"({"at": "1s", "down": "mx.b.example"})", lab(), "request body"))
            .find("leave out `at`") != std::string::npos);
  CHECK(error_of(load_action_text(R"({"down": "mx.b.example", "up": "mx.b.example"})", lab(), "r"))
            .find("exactly one action") != std::string::npos);
  CHECK(error_of(load_action_text(R"({"explode": "mx.b.example"})", lab(), "r")).find("r:1:2: error:") == 0);
  CHECK(error_of(load_action_text(R"({"down": )", lab(), "r")).find("invalid JSON") != std::string::npos);
  CHECK(error_of(load_action_text(R"(["down"])", lab(), "r")).find("must be a mapping") != std::string::npos);
  CHECK(error_of(load_action_text(std::string("{\"down\": \"a\0b\"}", 15), lab(), "r")).find("NUL") !=
        std::string::npos);
  CHECK_FALSE(error_of(load_action_text("", lab(), "r")).empty());
}

TEST_CASE("api checks: a list of expectations") {
  auto ok = load_checks_text(R"([{"delivered": {"to": "bob@b.example", "subject": "Hi"}}, {"queue_empty": "all"}])",
                             lab(), "request body");
  REQUIRE(std::holds_alternative<std::vector<Expectation>>(ok));
  CHECK(std::get<std::vector<Expectation>>(ok).size() == 2);

  auto not_list = load_checks_text(R"({"delivered": {"to": "bob@b.example"}})", lab(), "request body");
  REQUIRE(std::holds_alternative<LoadError>(not_list));
  CHECK(std::get<LoadError>(not_list).message.find("must be a list") != std::string::npos);

  auto bad_host = load_checks_text(R"([{"queue_empty": "mx.nowhere"}])", lab(), "request body");
  REQUIRE(std::holds_alternative<LoadError>(bad_host));
  CHECK(std::get<LoadError>(bad_host).line == 1);
}
