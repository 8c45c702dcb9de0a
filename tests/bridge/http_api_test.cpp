// bridge::HttpApi's message answers (GET /api/v1/messages, .../ID/raw) follow every change
// of a mailbox even though they are cached between requests (bridge/http_mailboxes.hpp
// MessageCache): a new delivery, a flag change (the file renamed), a rewrite in place, a
// removal.
#include <catch2/catch.hpp>

#include <string>

#include "api_lab.hpp"

using namespace maillab;

namespace {

const char* kYaml = R"(scenario: http-api-cache
duration: 1h
hosts:
  mx.b.example:
    address: 192.0.2.20
    mta:
      domains: [b.example]
      mailbox: maildir
    users:
      bob: {password: builder}
)";

struct Lab : bridge::test::ApiLab {
  Lab() : ApiLab(kYaml) {}
  io::MemoryDisk& disk() { return disk_of("mx.b.example"); }
  std::string list(const std::string& query = "") { return answer("/api/v1/messages" + query).body; }
  // The id of the message whose JSON holds `needle` ("" if none).
  std::string id_with(const std::string& needle) {
    const std::string body = list();
    const std::size_t at = body.find(needle);
    if (at == std::string::npos) return "";
    const std::size_t id = body.rfind("{\"id\":\"", at);
    return body.substr(id + 7, 16);
  }
};

std::string mail_text(const std::string& subject, const std::string& body = "hello") {
  return "From: alice@a.example\r\nTo: bob@b.example\r\nSubject: " + subject + "\r\n\r\n" + body + "\r\n";
}

}  // namespace

TEST_CASE("the message list and raw fetches follow each change of the mailbox") {
  Lab lab;
  CHECK(lab.list() == "[]");
  lab.disk().write("mail/bob/new/1.M1.mx", mail_text("first"));
  CHECK(lab.list().find("\"subject\":\"first\"") != std::string::npos);
  const std::string first = lab.id_with("\"first\"");
  REQUIRE(first.size() == 16);
  CHECK(lab.answer("/api/v1/messages/" + first + "/raw").body == mail_text("first"));

  SECTION("a second delivery shows up, the first stays") {
    lab.disk().write("mail/bob/new/2.M2.mx", mail_text("second"));
    const std::string list = lab.list();
    CHECK(list.find("\"first\"") != std::string::npos);
    CHECK(list.find("\"second\"") != std::string::npos);
    CHECK(lab.list("?subject=sec").find("\"first\"") == std::string::npos);
    CHECK(lab.list("?subject=sec").find("\"second\"") != std::string::npos);
  }
  SECTION("a flag change moves the message: new id and flags, the old id is gone") {
    REQUIRE(lab.disk().rename("mail/bob/new/1.M1.mx", "mail/bob/cur/1.M1.mx:2,S"));
    const std::string list = lab.list();
    CHECK(list.find("[\"\\\\Seen\"]") != std::string::npos);
    const std::string moved = lab.id_with("\"first\"");
    CHECK(moved != first);
    CHECK(lab.answer("/api/v1/messages/" + first + "/raw").status == 404);
    CHECK(lab.answer("/api/v1/messages/" + moved + "/raw").body == mail_text("first"));
  }
  SECTION("a rewrite in place changes what both answers show") {
    lab.disk().write("mail/bob/new/1.M1.mx", mail_text("rewritten", "new body"));
    CHECK(lab.list().find("\"first\"") == std::string::npos);
    CHECK(lab.list().find("\"rewritten\"") != std::string::npos);
    CHECK(lab.answer("/api/v1/messages/" + first + "/raw").body == mail_text("rewritten", "new body"));
  }
  SECTION("a removal empties the list and the raw fetch is 404") {
    REQUIRE(lab.disk().remove("mail/bob/new/1.M1.mx"));
    CHECK(lab.list() == "[]");
    CHECK(lab.answer("/api/v1/messages/" + first + "/raw").status == 404);
  }
}

TEST_CASE("many messages come and go: the list is always the disk's") {
  Lab lab;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 200; ++i)
      lab.disk().write("mail/bob/new/" + std::to_string(round) + "." + std::to_string(i) + ".mx",
                       mail_text("r" + std::to_string(round) + "m" + std::to_string(i)));
    const std::string list = lab.list();
    CHECK(list.find("\"r" + std::to_string(round) + "m199\"") != std::string::npos);
    if (round > 0) CHECK(list.find("\"r" + std::to_string(round - 1) + "m0\"") == std::string::npos);
    for (int i = 0; i < 200; ++i)
      if (round < 2) REQUIRE(lab.disk().remove("mail/bob/new/" + std::to_string(round) + "." + std::to_string(i) + ".mx"));
  }
  std::size_t n = 0;
  for (std::size_t at = 0; (at = lab.list().find("{\"id\"", at)) != std::string::npos; ++at) ++n;
  CHECK(n == 200);
}
