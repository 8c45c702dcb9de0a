// The IMAP client engine paired with the server engine in memory (h11's ConnectionPair):
// login both ways, STARTTLS, APPEND to Sent, fetch with and without delete, IDLE with a
// delivery while idling, failures; the same conversation at every split of the stream.
#include <catch2/catch.hpp>

#include <functional>

#include "imap_test_support.hpp"
#include "protocols/imap/client_session.hpp"

using namespace maillab;
using namespace maillab::imap;
using namespace maillab::imap::test;

namespace {

// Moves bytes both ways until neither side has anything to say; `chunk` splits every
// transfer into pieces of that size (0: whole). Stands in for the TLS layer when the
// server asks for it, and for the timer when the server holds a reply for a delay.
struct Pair {
  TestHost& host;
  ServerSession server;
  ClientSession client;
  std::size_t chunk = 0;
  std::string wire_c2s;  // everything the client sent, for split tests

  Pair(TestHost& h, ClientConfig cc, ServerConfig sc = quick_config()) : host(h), server(std::move(sc), h), client(std::move(cc)) {
    server.start();
  }

  void deliver_to_client(const std::string& bytes) {
    if (bytes.empty()) return;
    if (chunk == 0) return client.receive(bytes);
    for (std::size_t i = 0; i < bytes.size(); i += chunk) client.receive(std::string_view(bytes).substr(i, chunk));
  }
  void deliver_to_server(const std::string& bytes) {
    wire_c2s += bytes;
    if (chunk == 0) return server.receive(bytes);
    for (std::size_t i = 0; i < bytes.size(); i += chunk) server.receive(std::string_view(bytes).substr(i, chunk));
  }

  void run(int max_rounds = 1000) {
    for (int round = 0; round < max_rounds; ++round) {
      const std::string s2c = server.take_output();
      deliver_to_client(s2c);
      if (server.wants_tls()) {
        tls::HandshakeInfo info;
        info.verification = tls::Verification::Ok;
        server.on_tls_started(info);
        client.on_tls_started(info);
      }
      if (server.closed() && s2c.empty() && !client.closed()) client.receive_eof();
      const std::string c2s = client.take_output();
      deliver_to_server(c2s);
      if (client.closed() && !server.closed()) server.receive_eof();
      if (s2c.empty() && c2s.empty()) {
        // A held reply (login failure delay): let the timer fire.
        if (!server.closed() && server.timeout() < std::chrono::seconds(10) && server.output().empty()) {
          host.now += std::chrono::duration_cast<std::chrono::nanoseconds>(server.timeout()).count();
          server.on_timeout();
          if (!server.output().empty()) continue;
        }
        return;
      }
    }
    FAIL("the pair did not settle");
  }
};

ClientConfig bob() {
  ClientConfig c;
  c.user = "bob";
  c.password = "builder";
  return c;
}

std::vector<std::string> contents(const ClientSession& c) {
  std::vector<std::string> out;
  for (const auto& f : c.fetched()) out.push_back(f.content);
  return out;
}

}  // namespace

TEST_CASE("client and server: fetch unseen mail, which sets \\Seen; nothing new the second time", "[imap][pair]") {
  TestHost host;
  host.deliver("bob", kSimple);
  host.deliver("bob", kMultipart);
  {
    Pair p(host, bob());
    p.run();
    CHECK(p.client.status() == ClientSession::Status::Done);
    CHECK(p.client.closed());
    CHECK(p.server.closed());
    CHECK(contents(p.client) == std::vector<std::string>{kSimple, kMultipart});
  }
  for (const auto& m : host.store->folder("bob", "INBOX")->messages) CHECK(m.flags == mda::Seen);
  host.deliver("bob", "Subject: third\r\n\r\n");
  Pair again(host, bob());
  again.run();
  CHECK(contents(again.client) == std::vector<std::string>{"Subject: third\r\n\r\n"});
}

TEST_CASE("client and server: fetch and delete (STORE \\Deleted + EXPUNGE)", "[imap][pair]") {
  TestHost host(true);  // on Maildir++
  host.deliver("bob", kSimple);
  host.deliver("bob", kSimple, "INBOX", mda::Seen);  // already read: neither fetched nor deleted
  host.deliver("bob", kMultipart);
  ClientConfig cc = bob();
  cc.delete_after_fetch = true;
  Pair p(host, cc);
  p.run();
  CHECK(p.client.status() == ClientSession::Status::Done);
  CHECK(p.client.fetched().size() == 2);
  const auto* inbox = host.store->folder("bob", "INBOX");
  REQUIRE(inbox->messages.size() == 1);
  CHECK(inbox->messages[0].uid == 2);
  CHECK(host.disk.list("mail/bob/cur/").size() + host.disk.list("mail/bob/new/").size() == 1);
}

TEST_CASE("client and server: delete to Trash is one UID MOVE; the message waits in Trash, \\Seen", "[imap][pair]") {
  TestHost host(true);  // on Maildir++
  host.deliver("bob", kSimple);
  host.deliver("bob", kMultipart);
  ClientConfig cc = bob();
  cc.delete_after_fetch = true;
  cc.delete_to = "Trash";
  Pair p(host, cc);
  p.run();
  CHECK(p.client.status() == ClientSession::Status::Done);
  CHECK(p.client.fetched().size() == 2);
  CHECK(p.wire_c2s.find("UID MOVE 1:2 Trash\r\n") != std::string::npos);
  CHECK(p.wire_c2s.find("EXPUNGE") == std::string::npos);
  CHECK(host.store->folder("bob", "INBOX")->messages.empty());
  const auto* trash = host.store->folder("bob", "Trash");
  REQUIRE(trash->messages.size() == 2);
  for (const auto& m : trash->messages) CHECK(m.flags == mda::Seen);
  CHECK(host.disk.list("mail/bob/.Trash/cur/").size() == 2);
}

TEST_CASE("client and server: APPEND to Sent (save_sent), with and without LITERAL+", "[imap][pair]") {
  TestHost host;
  ClientConfig cc = bob();
  cc.fetch = false;
  cc.append = {"Subject: sent 1\r\n\r\nbye\r\n", "Subject: sent 2\r\n\r\n"};
  Pair p(host, cc);
  p.run();
  CHECK(p.client.status() == ClientSession::Status::Done);
  CHECK(p.client.appended_uids() == std::vector<std::uint32_t>{1, 2});
  const auto* sent = host.store->folder("bob", "Sent");
  REQUIRE(sent->messages.size() == 2);
  CHECK(sent->messages[0].flags == mda::Seen);
  CHECK(*host.store->content("bob", sent->id, 2) == "Subject: sent 2\r\n\r\n");
  CHECK(p.wire_c2s.find("{24+}\r\nSubject: sent 1") != std::string::npos);
}

TEST_CASE("client and server: LOGIN, AUTHENTICATE PLAIN, wrong password, STARTTLS", "[imap][pair][auth]") {
  TestHost host;
  host.deliver("bob", kSimple);
  {
    ClientConfig cc = bob();
    cc.auth = ClientConfig::Auth::Login;
    Pair p(host, cc);
    p.run();
    CHECK(p.client.status() == ClientSession::Status::Done);
    CHECK(p.wire_c2s.find("LOGIN \"bob\" \"builder\"") != std::string::npos);
  }
  {
    ClientConfig cc = bob();
    cc.password = "wrong";
    ServerConfig sc = quick_config();
    sc.auth_failure_delay = std::chrono::milliseconds(2000);
    Pair p(host, cc, sc);
    p.run();
    CHECK(p.client.status() == ClientSession::Status::AuthFailed);
    CHECK(p.client.closed());
    CHECK(host.now == 2'000'000'000);  // the reply waited for the delay
  }
  {
    ServerConfig sc = quick_config();
    sc.starttls = true;
    sc.plaintext_auth = false;
    ClientConfig cc = bob();
    cc.starttls = true;
    cc.require_tls = true;
    Pair p(host, cc, sc);
    p.run();
    CHECK(p.client.status() == ClientSession::Status::Done);
    CHECK(p.wire_c2s.rfind("A1 STARTTLS\r\nA2 CAPABILITY\r\nA3 AUTHENTICATE PLAIN ", 0) == 0);
  }
  {
    // A client that must not send its password in clear gives up if there is no STARTTLS.
    ClientConfig cc = bob();
    cc.starttls = true;
    cc.require_tls = true;
    Pair p(host, cc);
    p.run();
    CHECK(p.client.status() == ClientSession::Status::NoTls);
    CHECK(p.wire_c2s.find("builder") == std::string::npos);
    CHECK(p.wire_c2s.find("AUTHENTICATE") == std::string::npos);
  }
}

TEST_CASE("client and server: IDLE, a delivery while idling, then stop", "[imap][pair][idle]") {
  TestHost host;
  host.deliver("bob", kSimple);
  ClientConfig cc = bob();
  cc.idle = true;
  Pair p(host, cc);
  p.run();
  CHECK(p.client.state() == ClientSession::State::Idle);
  CHECK(p.server.idling());
  CHECK(p.client.fetched().size() == 1);
  // The MDA files a message: the server pushes EXISTS at once; the client fetches it.
  host.deliver("bob", "Subject: pushed\r\n\r\nnow\r\n");
  CHECK(host.output_ready == 1);
  p.run();
  CHECK(contents(p.client).back() == "Subject: pushed\r\n\r\nnow\r\n");
  CHECK(p.client.state() == ClientSession::State::Idle);
  // RFC 2177's refresh: DONE and IDLE again before 30 minutes.
  CHECK(p.client.timeout() == std::chrono::minutes(29));
  p.client.on_timeout();
  p.run();
  CHECK(p.client.state() == ClientSession::State::Idle);
  p.client.stop();
  p.run();
  CHECK(p.client.status() == ClientSession::Status::Done);
  CHECK(p.client.closed());
  CHECK(p.server.closed());
  CHECK(p.client.fetched().size() == 2);
}

TEST_CASE("client and server: the same conversation at every chunk size", "[imap][pair][split]") {
  auto conversation = [](std::size_t chunk) {
    TestHost host;
    host.deliver("bob", kSimple);
    host.deliver("bob", kMultipart);
    ClientConfig cc = bob();
    cc.append = {std::string(kMultipart)};
    cc.delete_after_fetch = true;
    cc.idle = true;
    Pair p(host, cc);
    p.chunk = chunk;
    p.run();
    host.deliver("bob", "Subject: late\r\n\r\n");
    p.run();
    p.client.stop();
    p.run();
    return std::make_tuple(contents(p.client), p.wire_c2s, host.exchanges.size(), p.client.status());
  };
  const auto whole = conversation(0);
  CHECK(std::get<0>(whole).size() == 3);
  CHECK(std::get<3>(whole) == ClientSession::Status::Done);
  for (std::size_t chunk : {1, 2, 3, 7, 64}) {
    INFO("chunk " << chunk);
    CHECK(conversation(chunk) == whole);
  }
}

TEST_CASE("a command with literals split at every byte gives the same answer", "[imap][pair][split]") {
  TestHost host;
  const std::string msg = std::string(kMultipart);
  const std::string stream = "a LOGIN {3}\r\nbob {7}\r\nbuilder\r\nb APPEND Sent (\\Seen) {" + std::to_string(msg.size()) +
                             "}\r\n" + msg + "\r\nc APPEND Sent {5+}\r\nx\r\ny\r\nd LOGOUT\r\n";
  auto run = [&](std::size_t split) {
    TestHost h;
    Conn c(h);
    std::string out = c.send(stream.substr(0, split));
    out += c.send(stream.substr(split));
    return std::make_pair(out, h.store->folder("bob", "Sent") ? h.store->folder("bob", "Sent")->messages.size() : 0);
  };
  const auto whole = run(stream.size());
  CHECK(whole.second == 2);
  CHECK(whole.first.find("b OK [APPENDUID") != std::string::npos);
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    INFO("split at " << split);
    REQUIRE(run(split) == whole);
  }
}
