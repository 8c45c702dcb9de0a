// Postfix's connection cache on demand (mta.smtp_connection_cache_on_demand) as a user sees
// it: how many connections the sending MTA opens, each message delivered once with its own
// bytes, one message's failure leaving the others delivered.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include "scenarios/library.hpp"
#include "scenarios/runner.hpp"
#include "world_helpers.hpp"

using namespace maillab;
using namespace maillab::scenario;
using namespace maillab::scenario::test;

namespace {

// The built-in scenario's YAML with `from` replaced by `to` (once; it must be there).
std::string edited(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

std::string builtin_text() { return std::string(find_builtin("connection-cache")->text); }

int connects(const World& w) {
  int n = 0;
  for (const auto& e : w.trace().events())
    if (e.host == "mail.a.example" && e.event == "smtp.connect") ++n;
  return n;
}

// Subject -> the contents delivered with it into b.example's mailboxes.
std::map<std::string, std::vector<std::string>> delivered(const World& w) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& d : w.deliveries()) {
    if (d.host != "mx.b.example" || !d.record.content) continue;
    const std::string& c = *d.record.content;
    const auto at = c.find("Subject: ");
    REQUIRE(at != std::string::npos);
    out[c.substr(at + 9, c.find("\r\n", at) - at - 9)].push_back(c);
  }
  return out;
}

void check_four_delivered_once(const World& w) {
  const auto got = delivered(w);
  const std::map<std::string, std::string> bodies{{"Minutes", "The minutes of Monday's meeting."},
                                                  {"Invoice", "The invoice for November."},
                                                  {"Lunch", "Lunch on Friday."},
                                                  {"Report", "The quarterly report is attached in spirit."}};
  CHECK(got.size() == 4);
  for (const auto& [subject, body] : bodies) {
    INFO(subject);
    REQUIRE(got.count(subject));
    REQUIRE(got.at(subject).size() == 1);
    CHECK(got.at(subject)[0].find("\r\n\r\n" + body) != std::string::npos);
  }
  CHECK_FALSE(got.count("Typo"));
}

}  // namespace

TEST_CASE("connection cache: the queued messages go out in one session per queue run") {
  auto w = run_world(from_text(builtin_text()));
  // Rounds at 1s, 10m, 25m and 55m: one connection each, not one per message (20).
  CHECK(connects(*w) == 4);
  check_four_delivered_once(*w);
  // In the one session at 55m every transaction's lines carry its own message's queue id,
  // the one its relay.* event (and the sender's queue) has.
  std::map<std::string, std::string> mail_from_id;  // sender -> ids of the MAIL lines
  std::set<std::string> ids_of_mail;
  std::set<std::string> relayed_ids;
  int greetings = 0;
  for (const auto& e : w->trace().events()) {
    if (e.host != "mail.a.example" || e.t_ns < 55 * kMinute) continue;
    if (e.event == "smtp.out" && e.get("command").rfind("MAIL FROM:", 0) == 0) ids_of_mail.insert(e.get("id"));
    if (e.event == "smtp.out" && e.get("command").empty()) ++greetings;
    if (e.event == "relay.sent" || e.event == "relay.bounced") relayed_ids.insert(e.get("id"));
  }
  CHECK(greetings == 1);
  CHECK(ids_of_mail.size() == 5);
  CHECK(ids_of_mail == relayed_ids);
}

TEST_CASE("connection cache: a 550 for one message bounces it alone; the session goes on after RSET") {
  auto w = run_world(from_text(builtin_text()));
  std::string bounced_to, rset_reply;
  int sent = 0;
  for (const auto& e : w->trace().events()) {
    if (e.host != "mail.a.example") continue;
    if (e.event == "relay.bounced") bounced_to = e.get("to") + " " + e.get("status");
    if (e.event == "relay.sent") ++sent;
    if (e.event == "smtp.out" && e.get("command") == "RSET") rset_reply = e.get("code");
  }
  CHECK(bounced_to == "nobody@b.example 5.1.1");
  CHECK(sent == 4);
  CHECK(rset_reply == "250");
  check_four_delivered_once(*w);
}

TEST_CASE("connection cache off: one connection per message, the same mail delivered") {
  auto w = run_world(from_text(edited(builtin_text(), "      domains: [a.example]\n",
                                      "      domains: [a.example]\n      smtp_connection_cache_on_demand: false\n")));
  CHECK(connects(*w) == 20);
  check_four_delivered_once(*w);
}

TEST_CASE("connection cache: a message the MX's SIZE refuses fails alone, the others go in the same session") {
  // mx.b.example takes at most 1000 octets; the Report grows past it: the client does not
  // send it (552 5.3.4, RFC 1870) and carries on with the next message.
  std::string text = edited(builtin_text(), "      domains: [b.example]\n",
                            "      domains: [b.example]\n      message_size_limit: 1000\n");
  text = edited(text, "body: The quarterly report is attached in spirit.",
                "body: The quarterly report is attached in spirit. " + std::string(700, 'x'));
  auto w = run_world(from_text(text));
  CHECK(connects(*w) == 4);
  const auto got = delivered(*w);
  CHECK(got.count("Minutes"));
  CHECK(got.count("Invoice"));
  CHECK(got.count("Lunch"));
  CHECK_FALSE(got.count("Report"));
  std::multiset<std::string> bounced;
  for (const auto& e : w->trace().events())
    if (e.host == "mail.a.example" && e.event == "relay.bounced") bounced.insert(e.get("to") + " " + e.get("status"));
  CHECK(bounced == std::multiset<std::string>{"bob@b.example 5.3.4", "nobody@b.example 5.1.1"});
}
