// Shared fixtures for the POP3 tests: a recording in-memory host, three sample messages,
// and a pump that pairs a ClientSession with a ServerSession in memory (h11's
// ConnectionPair), optionally delivering bytes in small chunks.
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "protocols/pop3/client_session.hpp"
#include "protocols/pop3/memory_maildrop_store.hpp"
#include "protocols/pop3/server_session.hpp"

namespace maillab::pop3::test {

inline const std::string kMsg1 =
    "From: alice@example.org\r\nSubject: one\r\n\r\nHello\r\n.\r\n..two dots\r\n.leading\r\n\r\nbye\r\n";
inline const std::string kMsg2 = "Subject: two\r\n\r\n";  // empty body
inline const std::string kMsg3 = "Subject: three\r\nX-A: b\r\n\r\nline1\r\nline2\r\nline3\r\n";

struct RecordingStore : MemoryMaildropStore {
  std::vector<std::pair<std::string, std::string>> exchanges;
  std::vector<std::string> failures;
  void on_exchange(std::string_view line, std::string_view reply) override {
    exchanges.emplace_back(std::string(line), std::string(reply));
  }
  void on_auth_failure(std::string_view user) override { failures.emplace_back(user); }
};

// bob/secret with three messages u1..u3; mrose with RFC 1939's APOP secret.
inline void fill(RecordingStore& store) {
  store.add_user("bob", "secret", "tanstaaf");
  store.deliver("bob", "u1", kMsg1);
  store.deliver("bob", "u2", kMsg2);
  store.deliver("bob", "u3", kMsg3);
  store.add_user("mrose", "pw", "tanstaaf");
  store.deliver("mrose", "m1", kMsg3);
}

inline ServerConfig server_config() {
  ServerConfig c;
  c.hostname = "pop.example.org";
  c.apop_timestamp = "<1896.697170952@dbc.mtview.ca.us>";
  // Answers at once: the failure delay has its own tests (server_security_test.cpp).
  c.auth_failure_delay = std::chrono::milliseconds(0);
  return c;
}

inline ClientConfig client_config(ClientConfig::Auth auth = ClientConfig::Auth::Best) {
  ClientConfig c;
  c.user = "bob";
  c.password = "secret";
  c.auth = auth;
  return c;
}

// Moves bytes both ways until nothing moves or `stop` says so (checked before each
// direction's delivery, so a test can freeze the pair with a command written, unsent).
// A side that closes makes the other see EOF once its output was delivered.
struct Pump {
  std::size_t chunk = static_cast<std::size_t>(-1);
  std::function<bool()> stop;

  static void deliver(std::string_view bytes, std::size_t chunk, const std::function<void(std::string_view)>& to) {
    for (std::size_t i = 0; i < bytes.size(); i += chunk) to(bytes.substr(i, std::min(chunk, bytes.size() - i)));
  }

  void run(ClientSession& client, ServerSession& server) {
    bool server_eof = false, client_eof = false;
    for (int round = 0; round < 100000; ++round) {
      if (stop && stop()) return;
      bool moved = false;
      const std::string from_server = server.take_output();
      if (!from_server.empty()) {
        deliver(from_server, chunk, [&](std::string_view b) { client.receive(b); });
        moved = true;
      }
      if (server.closed() && !server_eof) {
        client.receive_eof();
        server_eof = moved = true;
      }
      if (stop && stop()) return;
      const std::string from_client = client.take_output();
      if (!from_client.empty()) {
        deliver(from_client, chunk, [&](std::string_view b) { server.receive(b); });
        moved = true;
      }
      if (client.closed() && !client_eof) {
        server.receive_eof();
        client_eof = moved = true;
      }
      if (!moved) return;
    }
  }
};

}  // namespace maillab::pop3::test
