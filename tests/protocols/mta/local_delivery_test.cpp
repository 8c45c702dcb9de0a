// mta::LocalDelivery (Postfix local(8)): the bytes that land in a user's Maildir, the
// recipient's outcome the queue manager records (status and diagnostic, what a bounce
// reports), postmaster, quotas and a full disk.
#include "protocols/mta/local_delivery.hpp"

#include <catch2/catch.hpp>

#include "test_host.hpp"

using namespace maillab;
using namespace maillab::mta;

namespace {

struct Lab {
  explicit Lab(MtaConfig cfg) : host(std::move(cfg)) {}
  test::TestHost host;
  std::vector<DeliveryRecord> got;
  LocalDelivery::Delivered delivered = [this](const DeliveryRecord& d) { got.push_back(d); };
  LocalDelivery local{host, delivered};

  QueueRecipient deliver(const std::string& to, const std::string& body = "Subject: Hi\r\n\r\nHello\r\n") {
    QueueFile q;
    q.id = "4F2Q1";
    q.sender = "alice@a.example";
    q.rcpts.push_back({to, to, RcptState::Pending, "", "", "", false, 0, ""});
    local.deliver(q, q.rcpts[0], io::make_bytes(body));
    return q.rcpts[0];
  }
  std::vector<std::string> mailbox(const std::string& user) {
    std::vector<std::string> out;
    for (const auto& path : host.rt.memory_disk().list("mail/" + user + "/")) out.push_back(*host.rt.disk().read(path));
    return out;
  }
};

MtaConfig config() {
  MtaConfig c;
  c.hostname = "mx.b.example";
  c.domains = {"b.example"};
  c.users.add("bob", std::string("secret"));
  c.users.add("carol", std::string("secret"));
  return c;
}

}  // namespace

TEST_CASE("local delivery puts the message in the user's Maildir with Return-Path and Delivered-To",
          "[mta][local]") {
  Lab lab(config());
  QueueRecipient r = lab.deliver("Bob@b.example");
  CHECK(r.state == RcptState::Delivered);
  CHECK(r.status == "2.0.0");
  CHECK(r.diagnostic == "X-maillab; delivered to maildir");
  auto box = lab.mailbox("bob");
  REQUIRE(box.size() == 1);
  // A Maildir file has the local line ending; what was delivered is the CRLF message.
  CHECK(box[0] == "Return-Path: <alice@a.example>\nDelivered-To: Bob@b.example\nSubject: Hi\n\nHello\n");
  REQUIRE(lab.got.size() == 1);
  CHECK(lab.got[0].user == "bob");
  CHECK(lab.got[0].queue_id == "4F2Q1");
  CHECK(*lab.got[0].content == "Return-Path: <alice@a.example>\r\nDelivered-To: Bob@b.example\r\nSubject: Hi\r\n\r\nHello\r\n");
}

TEST_CASE("local delivery: postmaster is the first user; an unknown user fails 5.1.1", "[mta][local]") {
  Lab lab(config());
  CHECK(lab.deliver("postmaster@b.example").state == RcptState::Delivered);
  CHECK(lab.mailbox("bob").size() == 1);
  QueueRecipient r = lab.deliver("nobody@b.example");
  CHECK(r.state == RcptState::Failed);
  CHECK(r.status == "5.1.1");
  CHECK(r.diagnostic == "X-maillab; unknown user: \"nobody\"");
}

TEST_CASE("local delivery: which domains are this host's", "[mta][local]") {
  Lab lab(config());
  CHECK(lab.local.is_local("B.EXAMPLE"));
  CHECK(!lab.local.is_local("mx.b.example"));  // mydestination names b.example only
  MtaConfig bare;
  bare.hostname = "mx.b.example";
  Lab none(bare);
  CHECK(none.local.is_local("mx.b.example"));  // no mydestination: its own name
}

TEST_CASE("local delivery: a message that would go over the quota", "[mta][local][quota]") {
  MtaConfig cfg = config();
  cfg.quotas["carol"] = 80;
  SECTION("is deferred 4.2.2 with quota_full_tempfail") {
    Lab lab(cfg);
    QueueRecipient r = lab.deliver("carol@b.example");
    CHECK(r.state == RcptState::Pending);
    CHECK(r.status == "4.2.2");
    CHECK(lab.mailbox("carol").empty());
  }
  SECTION("fails 5.2.2 without it") {
    cfg.quota_full_tempfail = false;
    Lab lab(cfg);
    QueueRecipient r = lab.deliver("carol@b.example");
    CHECK(r.state == RcptState::Failed);
    CHECK(r.status == "5.2.2");
    CHECK(r.diagnostic.find("Quota exceeded") != std::string::npos);
  }
}

TEST_CASE("local delivery: a full disk defers 4.3.1, the mail kept for a retry", "[mta][local]") {
  Lab lab(config());
  lab.host.rt.memory_disk().set_full(true);
  QueueRecipient r = lab.deliver("bob@b.example");
  CHECK(r.state == RcptState::Pending);
  CHECK(r.status == "4.3.1");
  CHECK(lab.got.empty());
}

TEST_CASE("local delivery: the same message to the same recipient again is a loop", "[mta][local]") {
  Lab lab(config());
  REQUIRE(lab.deliver("bob@b.example").state == RcptState::Delivered);
  QueueRecipient r = lab.deliver("bob@b.example", *lab.got.at(0).content);  // delivered back here
  CHECK(r.state == RcptState::Failed);
  CHECK(r.status == "5.4.6");
}
