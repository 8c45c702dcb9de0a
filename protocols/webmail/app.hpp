// webmail::App: the webmail as an HTTP application (Roundcube's shape): it keeps no mail,
// only sessions; every page logs in to the IMAP server as the user and runs the commands
// it needs (a Backend does the connecting), and sending submits with AUTH as the user,
// then APPENDs the message to Sent. The same App runs in the simulation (service.hpp) and
// behind `maillab serve` on a real socket.
//
// Routes: GET /login, POST /login, GET / (to INBOX), GET /mail/{folder}[?page=N],
// GET /mail/{folder}/{uid}, GET /mail/{folder}/{uid}/html (the HTML part, sandboxed),
// POST /mail/{folder}/{uid}/delete, POST /mail/{folder}/{uid}/move, GET /compose
// [?folder=F&reply=UID], POST /send, POST /logout, GET /style.css.
//
// Security invariants:
// - A session is a random 128-bit id in a cookie `wm_session` (HttpOnly, SameSite=Strict,
//   Path=/, and Secure when served over HTTPS); the login form carries its own token in a cookie `wm_login` (double submit).
//   Every POST must carry the session's (or the login cookie's) token in `csrf`, else 403
//   and nothing is done.
// - The password is kept in the session only (the IMAP and submission logins need it)
//   and never written to a page, a trace or a log. An empty password is refused.
// - Everything a message, a folder name or a form carries is escaped (pages.hpp); form
//   values going into a header (To, Cc, Subject) with CR, LF or NUL are refused (400).
// - A message's HTML part is served only as its own response with
//   `Content-Security-Policy: sandbox` (no script runs even if opened directly) into an
//   iframe with `sandbox=""`.
// - Bounded: at most kMaxSessions sessions (the oldest goes first).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "protocols/http/server_handler.hpp"
#include "protocols/message/compose.hpp"
#include "protocols/webmail/imap_commands.hpp"

namespace maillab::webmail {

struct Credentials {
  std::string user, password;
};

struct ImapOutcome {
  ImapCommands::Status status = ImapCommands::Status::Error;
  std::string error;
  std::vector<ImapReply> replies;
};

struct SubmitOutcome {
  bool accepted = false;
  std::string detail;   // the reply or why it failed, one line
  std::string content;  // the message as submitted (what goes to Sent)
};

// How the App reaches the mail servers. Callbacks run later (never inside the call), once.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual void imap(const Credentials& who, std::vector<ImapCommand> commands,
                    std::function<void(ImapOutcome)> done) = 0;
  virtual void submit(const Credentials& who, message::Draft draft, std::function<void(SubmitOutcome)> done) = 0;
};

struct AppConfig {
  std::string domain;  // the users' mail domain: From is user@domain
  std::size_t page_size = 20;
  bool secure = false;  // served over HTTPS: the cookies get Secure
};

class App {
 public:
  static constexpr std::size_t kMaxSessions = 1000;
  using Respond = std::function<void(http::Response)>;

  // `random` gives 64 random bits a call (the runtime's rng: deterministic in a run).
  App(AppConfig config, Backend& backend, std::function<std::uint64_t()> random);

  // The answer now, or nullopt and `respond` called once later.
  http::Answer handle(const http::Request& request, Respond respond);

  std::size_t sessions() const { return sessions_.size(); }

 private:
  struct Session {
    Credentials who;
    std::string csrf;
  };
  std::string token();
  Session* session_of(const http::Request& r);
  http::Answer login_form();
  http::Answer login(const http::Request& r, Respond respond);
  http::Answer folder(Session& s, const std::string& name, std::size_t page, Respond respond);
  http::Answer message(Session& s, const std::string& name, std::uint32_t uid, bool html_part, Respond respond);
  http::Answer compose(Session& s, const http::Request& r, Respond respond);
  http::Answer send(Session& s, const http::Query& form, Respond respond);
  http::Answer change(Session& s, const std::string& name, std::uint32_t uid, const std::string& to, Respond respond);
  http::Answer logout(const http::Request& r);

  AppConfig config_;
  Backend& backend_;
  std::function<std::uint64_t()> random_;
  std::map<std::string, Session> sessions_;
  std::deque<std::string> order_;  // session ids, oldest first
};

// The security fields of the webmail's pages (the engine's defaults, plus what the pages
// load: their stylesheet and the sandboxed frame).
void set_page_policy(http::Response& r);

}  // namespace maillab::webmail
