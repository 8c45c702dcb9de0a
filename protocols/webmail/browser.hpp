// webmail::Browser: the user's browser in a scenario, driving a webmail over HTTP as a
// person would with the pages (no JavaScript): GET /login, POST /login with the form's
// CSRF token, then either compose and send (GET /compose, POST /send: the webmail
// submits and saves to Sent) or read the inbox (GET /mail/INBOX and each page after it,
// GET each message not yet read), then POST /logout. One keep-alive connection to port
// 80, or 443 over TLS (a certificate that does not verify: nothing is sent, the result
// says why); cookies kept as the webmail set them. Each response is traced as http.out
// (MUA), with port=443 over HTTPS.
//
// Invariants: `done` runs exactly once, on a fresh timer, after the connection is gone or
// could not be made; never after the Browser is destroyed. At most kMaxPages requests.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocols/io/runtime.hpp"
#include "protocols/mua/fetcher.hpp"
#include "protocols/tls/context.hpp"

namespace maillab::webmail {

struct BrowserCompose {
  std::string to, cc, subject, body;  // as typed into the form (addresses comma-separated)
};

struct BrowserJob {
  std::string server_address;  // the webmail
  std::string server_name;     // the Host field
  std::uint16_t port = 80;
  // HTTPS: implicit TLS on `port` (443), the certificate verified for server_name against
  // this context's CA before any request; nullptr: plain HTTP.
  tls::ClientContext* tls = nullptr;
  std::string user, password;
  std::optional<BrowserCompose> send;  // else: read the inbox
};

struct BrowserResult {
  bool ok = false;          // logged in and did the job
  bool logged_in = false;
  std::string detail;       // "ok", or what went wrong
  std::vector<pop3::ClientSession::Retrieved> messages;  // pages of messages opened
};

class Browser {
 public:
  static constexpr std::size_t kMaxPages = 500;
  using Done = std::function<void(const BrowserResult&)>;
  Browser(io::Runtime& rt, BrowserJob job, Done done);
  ~Browser();
  void start();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// Helpers reading the webmail's pages (tests use them too): the value of the hidden
// input `csrf`, each message link of a row marked unseen, the rel="next" link.
std::string page_csrf(std::string_view html);
std::vector<std::string> unseen_links(std::string_view html);
std::string next_link(std::string_view html);

}  // namespace maillab::webmail
