// mta::Qmgr on a host with a clock the test moves and no way out (no resolver: every
// SMTP attempt defers with 4.3.5): the retry times Postfix's backoff gives, what a flush
// does, the queue lifetime ending in a bounce to the sender (its bytes read back), no
// report about a report, and local recipients delivered in the same pass.
#include "protocols/mta/qmgr.hpp"

#include <catch2/catch.hpp>

#include "protocols/message/dsn.hpp"
#include "protocols/message/message.hpp"
#include "test_host.hpp"

using namespace maillab;
using namespace maillab::mta;
using maillab::test::kS;

namespace {

struct Lab {
  explicit Lab(MtaConfig cfg = {}) : host(std::move(cfg)) {
    qmgr.use_store(store);
    qmgr.start();
  }
  test::TestHost host;
  LocalDelivery::Delivered delivered;
  LocalDelivery local{host, delivered};
  Qmgr qmgr{host, local};
  MemoryQueueStore store;

  void queue(std::string id, std::string sender, std::vector<std::string> rcpts) {
    QueueFile q;
    q.id = std::move(id);
    q.arrival = host.rt.now();
    q.sender = std::move(sender);
    for (auto& r : rcpts) q.rcpts.push_back({r, r, RcptState::Pending, "", "", "", false, 0, ""});
    REQUIRE(qmgr.accept(std::move(q), io::make_bytes("From: alice@a.example\r\nSubject: Hi\r\n\r\nHello\r\n")));
  }
  const QueueFile& only() {
    static QueueFile copy;
    auto all = qmgr.queue();
    REQUIRE(all.size() == 1);
    copy = all[0];
    return copy;
  }
};

}  // namespace

TEST_CASE("qmgr: a deferred message is retried at Postfix's backoff times", "[mta][qmgr]") {
  // Defaults: queue_run_delay 300 s, minimal_backoff_time 300 s, maximal_backoff_time
  // 4000 s; the delay is the time in queue, clamped.
  Lab lab;
  lab.queue("Q1", "alice@a.example", {"bob@far.example"});
  lab.host.rt.run_until(0);
  CHECK(lab.only().state == QueueState::Deferred);
  CHECK(lab.only().attempts == 1);
  CHECK(lab.only().rcpts[0].status == "4.3.5");
  // {due, the scan that picks it up}: the queue is scanned every 300 s from boot.
  const std::pair<io::Time, io::Time> retries[] = {{300, 300},   {600, 600},   {1200, 1200},
                                                   {2400, 2400}, {4800, 4800}, {8800, 9000}};
  for (std::size_t k = 0; k < std::size(retries); ++k) {
    const auto [due, picked] = retries[k];
    INFO("retry " << k);
    CHECK(lab.only().next_attempt == due * kS);
    lab.host.rt.run_until(picked * kS - 1);
    CHECK(lab.only().attempts == static_cast<int>(k + 1));
    lab.host.rt.run_until(picked * kS);
    CHECK(lab.only().attempts == static_cast<int>(k + 2));
  }
}

TEST_CASE("qmgr: a flush tries deferred mail now", "[mta][qmgr]") {
  Lab lab;
  lab.queue("Q1", "alice@a.example", {"bob@far.example"});
  lab.host.rt.run_until(10 * kS);
  REQUIRE(lab.only().attempts == 1);
  lab.qmgr.flush();
  lab.host.rt.run_until(10 * kS);
  CHECK(lab.only().attempts == 2);
  CHECK(lab.only().next_attempt == 310 * kS);  // 10 s in queue: the minimal backoff
}

TEST_CASE("qmgr: at the end of the queue lifetime the sender gets a bounce", "[mta][qmgr][dsn]") {
  MtaConfig cfg;
  cfg.hostname = "mx.a.example";
  cfg.queue.maximal_queue_lifetime = 1000 * kS;
  Lab lab(cfg);
  lab.queue("Q1", "alice@a.example", {"bob@far.example"});
  lab.host.rt.run_until(900 * kS);  // attempts at 0, 300, 600
  CHECK(lab.host.reports.empty());
  lab.host.rt.run_until(1200 * kS);  // the attempt at 1200 s finds it 1200 s old
  CHECK(lab.qmgr.queued() == 0);
  REQUIRE(lab.host.reports.size() == 1);
  const Submission& bounce = lab.host.reports[0];
  CHECK(bounce.sender.empty());
  CHECK(bounce.rcpts == std::vector<std::string>{"alice@a.example"});
  auto dsn = message::parse_dsn(message::Message::parse(bounce.content));
  REQUIRE(dsn);
  REQUIRE(dsn->recipients.size() == 1);
  CHECK(dsn->recipients[0].final_recipient.find("bob@far.example") != std::string::npos);
  CHECK(dsn->recipients[0].action == "failed");
  CHECK(dsn->recipients[0].status == "4.3.5");  // the last transient status it had
  CHECK(bounce.content.find("From: Mail Delivery System <MAILER-DAEMON@mx.a.example>\r\n") != std::string::npos);
  CHECK(bounce.content.find("Subject: Undelivered Mail Returned to Sender\r\n") != std::string::npos);
  CHECK(bounce.content.find("Subject: Hi") != std::string::npos);  // the message returned
}

TEST_CASE("qmgr: mail from <> that expires is dropped without a report", "[mta][qmgr][dsn]") {
  MtaConfig cfg;
  cfg.queue.bounce_queue_lifetime = 0;  // Postfix: bounces are not kept at all
  Lab lab(cfg);
  lab.queue("Q1", "", {"bob@far.example"});
  lab.host.rt.run_until(0);
  CHECK(lab.qmgr.queued() == 0);
  CHECK(lab.host.reports.empty());
}

TEST_CASE("qmgr: a delay warning once the delay_warning_time has passed", "[mta][qmgr][dsn]") {
  MtaConfig cfg;
  cfg.queue.delay_warning_time = 500 * kS;
  Lab lab(cfg);
  lab.queue("Q1", "alice@a.example", {"bob@far.example"});
  lab.host.rt.run_until(300 * kS);
  CHECK(lab.host.reports.empty());
  lab.host.rt.run_until(1200 * kS);  // attempts at 600 and 1200: one warning
  REQUIRE(lab.host.reports.size() == 1);
  auto dsn = message::parse_dsn(message::Message::parse(lab.host.reports[0].content));
  REQUIRE(dsn);
  CHECK(dsn->recipients.at(0).action == "delayed");
  CHECK(lab.qmgr.queued() == 1);
}

TEST_CASE("qmgr: local recipients are delivered, remote ones deferred, in one pass", "[mta][qmgr]") {
  MtaConfig cfg;
  cfg.domains = {"a.example"};
  cfg.users.add("carol", std::string("pw"));
  Lab lab(cfg);
  std::vector<DeliveryRecord> got;
  lab.delivered = [&got](const DeliveryRecord& d) { got.push_back(d); };
  lab.queue("Q1", "alice@a.example", {"carol@a.example", "bob@far.example"});
  lab.host.rt.run_until(0);
  REQUIRE(got.size() == 1);
  CHECK(got[0].user == "carol");
  CHECK(got[0].queue_id == "Q1");
  const QueueFile& q = lab.only();
  CHECK(q.rcpts[0].state == RcptState::Delivered);
  CHECK(q.rcpts[1].state == RcptState::Pending);
  // A retry does not deliver carol's copy again.
  lab.host.rt.run_until(300 * kS);
  CHECK(lab.only().attempts == 2);
  CHECK(got.size() == 1);
}

TEST_CASE("qmgr: a message the store refuses is not queued", "[mta][qmgr]") {
  Lab lab;
  lab.store.set_full(true);
  QueueFile q;
  q.id = "Q1";
  q.sender = "alice@a.example";
  CHECK(!lab.qmgr.accept(std::move(q), io::make_bytes("x\r\n")));
  CHECK(lab.qmgr.queued() == 0);
}

TEST_CASE("qmgr: after a restart the queue comes back from the store", "[mta][qmgr]") {
  MemoryQueueStore kept;
  {
    Lab lab;
    lab.qmgr.use_store(kept);  // before anything is queued
    lab.queue("Q1", "alice@a.example", {"bob@far.example"});
    lab.host.rt.run_until(0);
  }
  MtaConfig cfg;
  test::TestHost host(cfg);
  LocalDelivery::Delivered none;
  LocalDelivery local(host, none);
  Qmgr again(host, local);
  again.use_store(kept);
  again.start();
  REQUIRE(again.queued() == 1);
  CHECK(again.queue()[0].state == QueueState::Deferred);
  CHECK(again.queue()[0].next_attempt == 300 * kS);
}
