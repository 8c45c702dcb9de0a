// Brute force in simulated time (issue 15 item 7): a client guessing passwords on
// submission gets ten fast 535s, then one reply per smtpd_error_sleep_time, and 421 at
// smtpd_hard_error_limit; across connections, its address is refused after
// smtpd_client_auth_failure_limit failures within anvil_rate_time_unit. A client that has
// not failed logs in all the while. POP3 delays every failed login by auth_failure_delay.
// The delays are timers of the simulation: the test takes no real time.
#include <catch2/catch.hpp>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "protocols/message/base64.hpp"
#include "scenarios/loader.hpp"
#include "scenarios/world.hpp"

using namespace maillab;
using namespace maillab::scenario;

namespace {

constexpr io::Time kSec = 1'000'000'000LL;

const char* kYaml = R"(scenario: brute-force
duration: 1d
hosts:
  mx.b.example:
    address: 192.0.2.20
    mta:
      domains: [b.example]
      submission: true
    pop3: true
    users:
      bob: {password: builder}
  attacker.example:
    address: 192.0.2.66
  friend.example:
    address: 192.0.2.77
)";

// A client on a host of the World: sends its next line after each complete reply and
// records every reply line with the simulated time it arrived.
struct Script final : io::ConnectionHandler {
  io::Runtime& rt;
  io::ConnectionPtr conn;
  std::deque<std::string> lines;
  std::string buf;
  std::vector<std::pair<io::Time, std::string>> replies;
  bool closed = false;
  bool pop3 = false;

  Script(io::Runtime& r, std::deque<std::string> l, bool is_pop3) : rt(r), lines(std::move(l)), pop3(is_pop3) {}
  void on_data(std::string_view bytes) override {
    buf.append(bytes);
    for (std::size_t eol; (eol = buf.find("\r\n")) != std::string::npos;) {
      std::string line = buf.substr(0, eol);
      buf.erase(0, eol + 2);
      const bool last = pop3 || line.size() < 4 || line[3] == ' ';
      if (!last) continue;
      replies.emplace_back(rt.now(), line);
      if (!lines.empty()) {
        conn->send(lines.front() + "\r\n");
        lines.pop_front();
      }
    }
  }
  void on_close(io::CloseKind) override { closed = true; }
};

std::shared_ptr<Script> start(World& w, const std::string& from, std::uint16_t port, std::deque<std::string> lines) {
  auto s = std::make_shared<Script>(*w.host(from)->runtime, std::move(lines), port == 110);
  w.host(from)->runtime->connect("192.0.2.20", port, 5 * kSec, [s](io::ConnectStatus st, io::ConnectionPtr c) {
    REQUIRE(st == io::ConnectStatus::Connected);
    s->conn = c;
    c->set_handler(s.get());
  });
  return s;
}

std::string plain(const std::string& user, const std::string& pass) {
  return "AUTH PLAIN " + message::base64_encode(std::string(1, '\0') + user + '\0' + pass);
}

std::unique_ptr<World> build() {
  auto loaded = load_scenario_text(kYaml, "brute-force.yaml");
  REQUIRE(std::holds_alternative<Scenario>(loaded));
  static Scenario s;
  s = std::get<Scenario>(loaded);
  auto built = World::build(s, 1);
  REQUIRE(std::holds_alternative<std::unique_ptr<World>>(built));
  return std::move(std::get<std::unique_ptr<World>>(built));
}

int count_code(const Script& s, std::string_view code) {
  int n = 0;
  for (const auto& [t, line] : s.replies) n += line.rfind(code, 0) == 0;
  return n;
}

}  // namespace

TEST_CASE("100 failed AUTHs take simulated time and get cut off; a friend still logs in", "[throttle]") {
  auto w = build();
  std::vector<std::shared_ptr<Script>> sessions;
  int guesses = 0;
  io::Time t = kSec;
  // Connections one after another, each guessing until the server closes it.
  while (guesses < 100 && sessions.size() < 200) {
    w->run_until(t);
    std::deque<std::string> lines{"EHLO attacker.example"};
    for (int i = 0; i < 100 - guesses; ++i) lines.push_back(plain("bob", "guess" + std::to_string(guesses + i)));
    const std::size_t queued = lines.size();
    auto s = start(*w, "attacker.example", 587, std::move(lines));
    for (const io::Time end = t + 120 * kSec; !s->closed && t < end;) w->run_until(t += kSec / 10);
    REQUIRE(s->closed);
    guesses += static_cast<int>(queued - 1 - s->lines.size());
    sessions.push_back(s);
  }
  CHECK(guesses >= 100);
  const io::Time all_done = t;
  REQUIRE(sessions.size() >= 2);
  // The first session: 10 fast 535s, then one per second, then 421 at 20 errors.
  const Script& first = *sessions[0];
  REQUIRE(first.replies.size() >= 12);
  CHECK(count_code(first, "535") == 20);
  CHECK(first.replies.back().second == "421 4.7.0 mx.b.example Error: too many errors");
  const io::Time start_auth = first.replies[2].first;  // the first 535 (after greeting, EHLO)
  const io::Time fast_end = first.replies[11].first;   // the tenth 535
  CHECK(fast_end - start_auth < kSec);
  CHECK(first.replies.back().first - start_auth >= 10 * kSec);
  // After 30 failures from this address (anvil), AUTH is refused at once, every session.
  const Script& later = *sessions.back();
  CHECK(later.replies.back().second ==
        "421 4.7.0 mx.b.example Error: too many failed AUTH attempts from 192.0.2.66");
  CHECK(count_code(later, "535") == 0);

  CHECK(all_done - start_auth >= 10 * kSec);
  // A friend at another address who has not failed logs in at once, meanwhile.
  w->run_until(t);
  auto friend_session = start(*w, "friend.example", 587, {"EHLO friend.example", plain("bob", "builder"), "QUIT"});
  w->run_until(t + 10 * kSec);
  REQUIRE(friend_session->replies.size() >= 3);
  CHECK(friend_session->replies[2].second == "235 2.7.0 Authentication successful");
  CHECK(friend_session->replies[2].first - friend_session->replies[1].first < kSec);
  // The attacker's own address stays refused within the time unit, even with the password.
  auto blocked = start(*w, "attacker.example", 587, {"EHLO attacker.example", plain("bob", "builder")});
  w->run_until(t + 20 * kSec);
  CHECK(blocked->replies.back().second.rfind("421 4.7.0", 0) == 0);
  // After anvil_rate_time_unit (60s) it may log in again.
  w->run_until(t + 70 * kSec);
  auto later_ok = start(*w, "attacker.example", 587, {"EHLO attacker.example", plain("bob", "builder")});
  w->run_until(t + 80 * kSec);
  REQUIRE(later_ok->replies.size() >= 3);
  CHECK(later_ok->replies[2].second == "235 2.7.0 Authentication successful");
}

TEST_CASE("POP3: each failed login's -ERR waits auth_failure_delay in simulated time", "[throttle]") {
  auto w = build();
  w->run_until(kSec);
  auto s = start(*w, "attacker.example", 110, {"USER bob", "PASS a", "USER bob", "PASS b", "USER bob", "PASS c"});
  w->run_until(60 * kSec);
  REQUIRE(s->closed);
  std::vector<std::pair<io::Time, std::string>> errs;
  for (const auto& r : s->replies)
    if (r.second.rfind("-ERR", 0) == 0) errs.push_back(r);
  REQUIRE(errs.size() == 3);
  // Every failure waited two seconds after the one before it.
  CHECK(errs[1].first - errs[0].first >= 2 * kSec);
  CHECK(errs[2].first - errs[1].first >= 2 * kSec);
  CHECK(s->replies.back().second == "-ERR [AUTH] too many failures");
  auto ok = start(*w, "friend.example", 110, {"USER bob", "PASS builder", "QUIT"});
  w->run_until(70 * kSec);
  REQUIRE(ok->replies.size() >= 3);
  CHECK(ok->replies[2].second.rfind("+OK maildrop has", 0) == 0);
}
