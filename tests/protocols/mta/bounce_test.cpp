// mta::dsn_request: what a sender finds in a bounce or a delay warning about its message
// (RFC 3464 fields, RFC 3461 RET), read back from the built report with parse_dsn.
#include "protocols/mta/bounce.hpp"

#include <catch2/catch.hpp>

#include "protocols/message/message.hpp"
#include "protocols/smtp/rcpt_params.hpp"

using namespace maillab;
using namespace maillab::mta;

namespace {

constexpr io::Time kHour = 3'600'000'000'000LL;

QueueFile queued() {
  QueueFile q;
  q.id = "3938700Q1";
  q.arrival = 60'000'000'000LL;
  q.sender = "alice@a.example";
  q.envid = "env-1";
  q.attempts = 3;
  q.rcpts.push_back({"bob@b.example", "Bob@b.example", RcptState::Failed, "5.1.1",
                     "smtp; 550 5.1.1 <bob@b.example>: User unknown", "mx.b.example", false, 0, ""});
  q.rcpts.push_back({"carol@c.example", "carol@c.example", RcptState::Pending, "", "", "", false, 0, ""});
  return q;
}

message::ParsedDsn parsed(const message::DsnRequest& req) {
  const std::string bytes = message::build_dsn(req);
  const auto msg = message::Message::parse(bytes);
  auto dsn = message::parse_dsn(msg);
  REQUIRE(dsn);
  return *dsn;
}

}  // namespace

TEST_CASE("a bounce reports the failed recipients and returns the message", "[mta][dsn]") {
  const QueueFile q = queued();
  auto req = dsn_request(DsnKind::Bounce, q, {&q.rcpts[0]}, "mail.a.example", 4 * kHour, 0);
  req.original_message = "Subject: hi\r\n\r\nbody\r\n";
  CHECK(req.to == "alice@a.example");
  CHECK(req.message_id.rfind("<", 0) == 0);
  CHECK(req.message_id.find(".3938700Q1.3B@mail.a.example>") != std::string::npos);
  CHECK_FALSE(req.headers_only);
  const auto dsn = parsed(req);
  CHECK(dsn.reporting_mta == "mail.a.example");
  CHECK(dsn.original_envelope_id == "env-1");
  REQUIRE(dsn.recipients.size() == 1);
  const auto& r = dsn.recipients[0];
  CHECK(r.final_recipient == "bob@b.example");
  CHECK(r.original_recipient == "Bob@b.example");
  CHECK(r.action == "failed");
  CHECK(r.status == "5.1.1");
  CHECK(r.remote_mta == "mx.b.example");
  CHECK(r.diagnostic_code == "smtp; 550 5.1.1 <bob@b.example>: User unknown");
  CHECK_FALSE(r.will_retry_until_ns);
}

TEST_CASE("a delay warning reports pending recipients, retry-until, headers only", "[mta][dsn]") {
  const QueueFile q = queued();
  const io::Time until = q.arrival + 120 * kHour;
  auto req = dsn_request(DsnKind::Delayed, q, {&q.rcpts[1]}, "mail.a.example", 4 * kHour, until);
  CHECK(req.headers_only);
  CHECK(req.message_id.find(".3938700Q1.3W@mail.a.example>") != std::string::npos);
  const auto dsn = parsed(req);
  REQUIRE(dsn.recipients.size() == 1);
  CHECK(dsn.recipients[0].action == "delayed");
  CHECK(dsn.recipients[0].status == "4.0.0");  // none recorded yet
  REQUIRE(dsn.recipients[0].will_retry_until_ns);
  CHECK(*dsn.recipients[0].will_retry_until_ns / 1'000'000'000 == until / 1'000'000'000);
}

TEST_CASE("a bounce without a recorded status says 5.0.0; RET=HDRS returns headers only", "[mta][dsn]") {
  QueueFile q = queued();
  q.ret_headers = true;
  q.rcpts[0].status.clear();
  const auto req = dsn_request(DsnKind::Bounce, q, {&q.rcpts[0]}, "mail.a.example", kHour, 0);
  CHECK(req.headers_only);
  REQUIRE(req.recipients.size() == 1);
  CHECK(req.recipients[0].status == "5.0.0");
}

TEST_CASE("bounce: success notices and NOTIFY (RFC 3461)", "[mta][dsn]") {
  QueueFile q = queued();
  QueueRecipient& bob = q.rcpts[0];
  CHECK(dsn_wanted(bob, DsnKind::Bounce));  // no NOTIFY: FAILURE,DELAY
  CHECK(dsn_wanted(bob, DsnKind::Delayed));
  CHECK_FALSE(dsn_wanted(bob, DsnKind::Success));
  bob.notify = smtp::RcptParams::notify_never;
  CHECK_FALSE(dsn_wanted(bob, DsnKind::Bounce));
  CHECK_FALSE(dsn_wanted(bob, DsnKind::Delayed));
  bob.notify = smtp::RcptParams::notify_success | smtp::RcptParams::notify_delay;
  CHECK_FALSE(dsn_wanted(bob, DsnKind::Bounce));
  CHECK(dsn_wanted(bob, DsnKind::Delayed));
  CHECK(dsn_wanted(bob, DsnKind::Success));
  bob.state = RcptState::Delivered;
  bob.status = "2.0.0";
  bob.orcpt = "rfc822;Bobby@b.example";
  const auto req = dsn_request(DsnKind::Success, q, {&bob}, "mail.a.example", 3938700LL * 1'000'000'000, 0);
  REQUIRE(req.recipients.size() == 1);
  CHECK(req.recipients[0].action == "relayed");  // a remote MTA took it
  CHECK(req.recipients[0].original_recipient == "rfc822;Bobby@b.example");
  CHECK(req.headers_only);
  CHECK(req.message_id.find("S@mail.a.example>") != std::string::npos);
  bob.remote_mta.clear();
  CHECK(dsn_request(DsnKind::Success, q, {&bob}, "h", 0, 0).recipients[0].action == "delivered");
}
