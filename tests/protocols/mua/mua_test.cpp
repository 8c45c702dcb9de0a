// protocols/mua against the lab's own server engines, wired in memory (loop_runtime.hpp):
// the Submitter's session with an MSA (EHLO, AUTH, MAIL, RCPT for To/Cc/Bcc, DATA) and with
// a server that offers no AUTH, the bytes the server receives (no Bcc header), and
// FetchSession's two paths: the POP3 Fetcher and the IMAP client reading a mailbox that
// the lab's POP3 and IMAP servers serve.
#include <catch2/catch.hpp>

#include "loop_runtime.hpp"
#include "protocols/mda/mailbox_mail_store.hpp"
#include "protocols/mda/maildir_plus_store.hpp"
#include "protocols/mda/mail_store.hpp"
#include "protocols/mua/fetcher.hpp"
#include "protocols/mua/imap_client.hpp"
#include "protocols/mua/submitter.hpp"
#include "protocols/services/imap_server.hpp"
#include "protocols/services/pop3_server.hpp"
#include "protocols/services/session_driver.hpp"
#include "protocols/smtp/server_handler.hpp"
#include "protocols/smtp/server_replies.hpp"
#include "protocols/smtp/server_session.hpp"

using namespace maillab;

namespace {

// An MSA in a few lines: accepts bob/secret, queues whatever it is given.
struct Msa : smtp::ServerHandler {
  bool authenticate(std::string_view user, std::string_view password) override {
    return user == "bob" && password == "secret";
  }
  smtp::Reply on_message(const smtp::Envelope& env, std::string content) override {
    from = env.mail_from.address();
    for (const auto& r : env.rcpts) rcpts.push_back(r.path.address());
    received = std::move(content);
    return smtp::Reply::make(250, "2.0.0", "Ok: queued as 7E1Q1");
  }
  std::string from, received;
  std::vector<std::string> rcpts;
};

struct SmtpLab {
  explicit SmtpLab(bool with_auth) {
    cfg.hostname = "msa.test";
    if (with_auth) {
      cfg.auth_mechanisms = {"PLAIN", "LOGIN"};
      cfg.auth_required = true;
    }
    cfg.replies = smtp::make_server_replies(cfg);
    rt.listen(587, [this](io::ConnectionPtr c) {
      auto d = std::make_shared<services::SessionDriver<smtp::ServerSession>>(rt, std::move(c), cfg, msa);
      drivers.push_back(d);
      d->start([](io::CloseKind) {});
    });
  }
  mua::SubmitResult submit(std::optional<std::pair<std::string, std::string>> auth) {
    mua::SubmitJob job;
    job.draft.from = "Bob <bob@b.example>";
    job.draft.to = {"carol@c.example"};
    job.draft.cc = {"dave@d.example"};
    job.draft.bcc = {"eve@e.example"};
    job.draft.subject = "Lunch";
    job.draft.body = "At noon?\n";
    job.server_address = "192.0.2.10";
    job.server_name = "mail.b.example";
    job.auth = std::move(auth);
    mua::SubmitResult out;
    mua::Submitter s(rt, job, [&out](const mua::SubmitResult& r) { out = r; });
    s.start();
    rt.run();
    return out;
  }
  std::string commands() const {
    std::string all;
    for (const auto& s : rt.client_sent) all += s;
    return all;
  }
  mua::test::LoopRuntime rt;
  smtp::ServerConfig cfg;
  Msa msa;
  std::vector<std::shared_ptr<services::SessionDriver<smtp::ServerSession>>> drivers;
};

// Submits as bob/secret where the MUA cannot log in: no AUTH, no MAIL, QUIT, not accepted.
mua::SubmitResult submit_expecting_quit(SmtpLab& lab) {
  const mua::SubmitResult r = lab.submit(std::make_pair(std::string("bob"), std::string("secret")));
  const std::string sent = lab.commands();
  CHECK(sent.find("AUTH") == std::string::npos);
  CHECK(sent.find("MAIL FROM") == std::string::npos);
  CHECK(sent.find("QUIT\r\n") != std::string::npos);
  CHECK(!r.accepted);
  CHECK(lab.msa.rcpts.empty());
  CHECK(lab.msa.received.empty());
  return r;
}

}  // namespace

TEST_CASE("mua submit: EHLO, AUTH, one MAIL, a RCPT for each of To, Cc and Bcc, DATA", "[mua][submit]") {
  SmtpLab lab(true);
  const mua::SubmitResult r = lab.submit(std::make_pair(std::string("bob"), std::string("secret")));
  CHECK(r.accepted);
  CHECK(r.detail.find("250") == 0);
  const std::string sent = lab.commands();
  const auto ehlo = sent.find("EHLO client.test\r\n"), auth = sent.find("AUTH PLAIN "),
             mail = sent.find("MAIL FROM:<bob@b.example>"), data = sent.find("DATA\r\n");
  REQUIRE(ehlo != std::string::npos);
  REQUIRE(auth != std::string::npos);
  REQUIRE(mail != std::string::npos);
  REQUIRE(data != std::string::npos);
  CHECK(ehlo < auth);
  CHECK(auth < mail);
  CHECK(mail < data);
  CHECK(lab.msa.from == "bob@b.example");
  CHECK(lab.msa.rcpts == std::vector<std::string>{"carol@c.example", "dave@d.example", "eve@e.example"});
  // The message as the MSA got it: To and Cc, never the Bcc.
  CHECK(lab.msa.received.find("To: carol@c.example\r\n") != std::string::npos);
  CHECK(lab.msa.received.find("Cc: dave@d.example\r\n") != std::string::npos);
  CHECK(lab.msa.received.find("eve@e.example") == std::string::npos);
  CHECK(lab.msa.received.find("Message-ID: " + r.message_id) != std::string::npos);
  CHECK(lab.msa.received.find("At noon?\r\n") != std::string::npos);
}

TEST_CASE("mua submit: a wrong password is refused and no message is sent", "[mua][submit]") {
  SmtpLab lab(true);
  const mua::SubmitResult r = lab.submit(std::make_pair(std::string("bob"), std::string("guess")));
  CHECK(!r.accepted);
  CHECK(lab.msa.received.empty());
}

TEST_CASE("mua submit: a server that offers no AUTH gets QUIT, not the message", "[mua][submit]") {
  SmtpLab lab(false);
  // msmtp `auth on`, Thunderbird: configured to log in, the MUA sends nothing without.
  const mua::SubmitResult r = submit_expecting_quit(lab);
  // The server as Postfix names a peer in its diagnostics: name[address].
  CHECK(r.detail ==
        "421 cannot authenticate to server mail.b.example[192.0.2.10]: the server does not support authentication");
}

TEST_CASE("mua submit: AUTH offered, but none of the MUA's mechanisms", "[mua][submit]") {
  SmtpLab lab(false);
  lab.cfg.auth_mechanisms = {"CRAM-MD5", "GSSAPI"};
  lab.cfg.replies = smtp::make_server_replies(lab.cfg);
  const mua::SubmitResult r = submit_expecting_quit(lab);
  CHECK(r.detail.find("none of the offered mechanisms (CRAM-MD5 GSSAPI) is PLAIN or LOGIN") != std::string::npos);
}

TEST_CASE("mua submit: without a password the MUA sends as to any MTA", "[mua][submit]") {
  SmtpLab lab(false);
  const mua::SubmitResult r = lab.submit(std::nullopt);
  CHECK(lab.commands().find("AUTH") == std::string::npos);
  CHECK(r.accepted);
  CHECK(lab.msa.rcpts.size() == 3);
}

TEST_CASE("mua submit: nobody listening", "[mua][submit]") {
  mua::test::LoopRuntime rt;
  mua::SubmitJob job;
  job.draft.from = "bob@b.example";
  job.draft.to = {"carol@c.example"};
  job.server_address = "192.0.2.10";
  mua::SubmitResult out;
  mua::Submitter s(rt, job, [&out](const mua::SubmitResult& r) { out = r; });
  s.start();
  rt.run();
  CHECK(!out.accepted);
  CHECK(out.detail == "connection refused");
}

namespace {

mda::Delivery letter(const std::string& subject) {
  mda::Delivery d;
  d.user = "bob";
  d.envelope_sender = "alice@a.example";
  d.recipient = "bob@b.example";
  d.content = io::make_bytes("From: alice@a.example\r\nSubject: " + subject + "\r\n\r\nHello\r\n");
  return d;
}

services::Accounts bob() {
  services::Accounts users;
  users.add("bob", std::string("secret"));
  return users;
}

// Bob's mail program fetching by POP3 from the server on `rt`.
mua::FetchResult pop3_fetch(mua::test::LoopRuntime& rt, const std::string& password, bool delete_after) {
  mua::FetchJob job;
  job.server_address = "192.0.2.10";
  job.user = "bob";
  job.password = password;
  job.delete_after = delete_after;
  mua::FetchResult got;
  mua::Fetcher f(rt, job, [&got](const mua::FetchResult& r) { got = r; });
  f.start();
  rt.run();
  return got;
}

}  // namespace

TEST_CASE("mua fetch: POP3 retrieves every message, and deletes them when asked", "[mua][fetch][pop3]") {
  mua::test::LoopRuntime rt;
  services::Pop3Server pop(rt, "maildir", bob());
  pop.start();
  mda::Delivery one = letter("one"), two = letter("two");
  two.unique = 1;
  REQUIRE(pop.store().deliver(one) == mda::DeliveryStatus::Ok);
  REQUIRE(pop.store().deliver(two) == mda::DeliveryStatus::Ok);
  const mua::FetchResult got = pop3_fetch(rt, "secret", true);
  CHECK(got.ok);
  REQUIRE(got.messages.size() == 2);
  std::string both = got.messages[0].content + got.messages[1].content;
  CHECK(both.find("Subject: one") != std::string::npos);
  CHECK(both.find("Subject: two") != std::string::npos);
  CHECK(got.deletions_committed);
  CHECK(pop.store().list("bob").empty());
}

TEST_CASE("mua fetch: POP3 with a wrong password retrieves nothing", "[mua][fetch][pop3]") {
  mua::test::LoopRuntime rt;
  services::Pop3Server pop(rt, "maildir", bob());
  pop.start();
  REQUIRE(pop.store().deliver(letter("one")) == mda::DeliveryStatus::Ok);
  const mua::FetchResult got = pop3_fetch(rt, "guess", false);
  CHECK(!got.ok);
  CHECK(got.messages.empty());
  CHECK(pop.store().list("bob").size() == 1);
}

TEST_CASE("mua fetch: IMAP fetches the unseen messages of INBOX", "[mua][fetch][imap]") {
  mua::test::LoopRuntime rt;
  mda::MaildirPlusStore store(rt.disk(), "mail/", "mx.test");
  mda::MailboxMailStore delivery(store);
  REQUIRE(delivery.deliver(letter("one")) == mda::DeliveryStatus::Ok);
  services::ImapServer imap(rt, store, bob());
  imap.start();
  mua::ImapJob job;
  job.server_address = "192.0.2.10";
  job.user = "bob";
  job.password = "secret";
  mua::FetchResult got;
  mua::ImapClient c(rt, job, [&got](const mua::FetchResult& r) { got = r; });
  c.start();
  rt.run();
  CHECK(got.ok);
  REQUIRE(got.messages.size() == 1);
  CHECK(got.messages[0].content.find("Subject: one") != std::string::npos);
  // Fetched once: \Seen now, so a second fetch finds nothing new.
  mua::FetchResult again;
  mua::ImapClient c2(rt, job, [&again](const mua::FetchResult& r) { again = r; });
  c2.start();
  rt.run();
  CHECK(again.ok);
  CHECK(again.messages.empty());
}
