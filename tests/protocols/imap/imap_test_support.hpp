// Test host for the IMAP engines: a ServerHandler over a memory (or Maildir++) store with
// a settable clock, and a connection wrapper that feeds a server session and collects
// its output.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "protocols/imap/server_session.hpp"
#include "protocols/io/disk.hpp"
#include "protocols/mda/maildir_plus_store.hpp"
#include "protocols/mda/memory_mailbox_store.hpp"
#include "protocols/message/date.hpp"

namespace maillab::imap::test {

struct TestHost : ServerHandler {
  io::MemoryDisk disk;
  std::unique_ptr<mda::MailboxStore> store;
  std::map<std::string, std::string> users{{"bob", "builder"}, {"alice", "wonderland"}};
  std::int64_t now = 0;
  std::uint64_t counter = 0;
  std::vector<std::pair<std::string, std::string>> exchanges;
  std::vector<std::string> passwords_checked;
  int output_ready = 0;
  int failures = 0;

  explicit TestHost(bool maildir = false) {
    if (maildir) store = std::make_unique<mda::MaildirPlusStore>(disk, "mail/", "mx.b.example");
    else store = std::make_unique<mda::MemoryMailboxStore>("mx.b.example");
  }

  bool check_password(std::string_view user, std::string_view password) override {
    passwords_checked.emplace_back(password);
    auto it = users.find(std::string(user));
    return it != users.end() && it->second == password;
  }
  mda::MailboxStore* open_store(std::string_view) override { return store.get(); }
  std::int64_t now_ns() override { return now; }
  std::uint64_t unique() override { return ++counter; }
  void on_exchange(std::string_view command, std::string_view status) override {
    exchanges.emplace_back(std::string(command), std::string(status));
  }
  void on_auth_failure(std::string_view) override { ++failures; }
  void on_output_ready() override { ++output_ready; }

  // Puts a message into `user`'s folder as the MDA would.
  std::uint32_t deliver(const std::string& user, const std::string& content, const std::string& folder = "INBOX",
                        std::uint8_t flags = 0) {
    store->ensure_user(user, now);
    mda::AppendRequest r;
    r.content = io::make_bytes(content);
    r.date_ns = now;
    r.flags = flags;
    r.unique = ++counter;
    std::uint32_t uid = 0;
    store->append(user, folder, r, &uid);
    return uid;
  }
};

inline ServerConfig quick_config() {
  ServerConfig c;
  c.hostname = "mx.b.example";
  c.auth_failure_delay = std::chrono::milliseconds(0);
  return c;
}

struct Conn {
  ServerSession s;
  std::string greeting;
  Conn(TestHost& host, ServerConfig config = quick_config()) : s(std::move(config), host) {
    s.start();
    greeting = s.take_output();
  }
  std::string send(std::string_view bytes) {
    s.receive(bytes);
    return s.take_output();
  }
  // Sends a command line (CRLF added).
  std::string cmd(std::string_view line) { return send(std::string(line) + "\r\n"); }
  std::string login(std::string_view user = "bob", std::string_view password = "builder") {
    return cmd("L1 LOGIN " + std::string(user) + " " + std::string(password));
  }
};

inline bool has_line(const std::string& out, std::string_view line) {
  return out.find(std::string(line) + "\r\n") != std::string::npos;
}

// Each line of `out` (without CRLF).
inline std::vector<std::string> lines(const std::string& out) {
  std::vector<std::string> v;
  std::size_t pos = 0;
  while (pos < out.size()) {
    std::size_t e = out.find("\r\n", pos);
    if (e == std::string::npos) e = out.size();
    v.push_back(out.substr(pos, e - pos));
    pos = e + 2;
  }
  return v;
}

inline const char* kSimple =
    "From: Alice <alice@a.example>\r\n"
    "To: bob@b.example\r\n"
    "Subject: Hello Bob\r\n"
    "Date: Mon, 02 Mar 2026 09:00:00 +0000\r\n"
    "Message-ID: <1@a.example>\r\n"
    "\r\n"
    "Hi Bob,\r\nhow are you?\r\n";

inline const char* kMultipart =
    "From: Carol <carol@c.example>\r\n"
    "To: bob@b.example, \"Dave D.\" <dave@d.example>\r\n"
    "Subject: =?utf-8?q?Caf=C3=A9?=\r\n"
    "Date: Tue, 03 Mar 2026 10:00:00 +0100\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "caf=C3=A9 au lait\r\n"
    "--b1\r\n"
    "Content-Type: application/octet-stream; name=\"x.bin\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename=\"x.bin\"\r\n"
    "\r\n"
    "AAECAw==\r\n"
    "--b1--\r\n";

}  // namespace maillab::imap::test
