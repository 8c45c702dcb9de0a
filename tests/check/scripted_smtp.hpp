// ScriptedSmtp: a small SMTP server on a loopback port for the `maillab check` rows, RFC
// 5321 done simply plus the knobs a row is about: Exim's and Postfix's ways of closing
// after repeated errors, OpenSMTPD's NOOP without arguments, a command line limit, AUTH
// (PLAIN, LOGIN) required for MAIL, AUTH only after STARTTLS, a Postmaster that is
// refused, DSN parameters that are refused. One connection at a time (FakeTcp); it
// counts connections and notes whether any AUTH command ever arrived.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "check_fixture.hpp"
#include "protocols/message/base64.hpp"

namespace maillab::check::test {

struct SmtpScript {
  std::vector<std::string> ehlo{"PIPELINING", "SIZE 100000", "ENHANCEDSTATUSCODES"};
  bool noop_args = true;          // false: "NOOP x" -> 500 (OpenSMTPD 6.8)
  std::size_t line_limit = 0;     // longest command line with CRLF; longer: 500 (0: none)
  int close_at_error = 0;         // the Nth error reply of a connection ends it (0: never)
  bool close_with_421 = false;    // false: that reply says so, then close (Exim); true: the
                                  // reply, then 421 at once, then close (Postfix)
  std::string auth;               // "PLAIN LOGIN": AUTH offered, MAIL needs it
  std::string user = "bob", password = "builder";
  bool starttls_only = false;     // STARTTLS offered, AUTH not; MAIL -> 530 STARTTLS first
  bool postmaster_ok = true;      // RCPT TO:<Postmaster> (no domain) accepted
  bool dsn_params_ok = true;      // RET, ENVID, NOTIFY, ORCPT accepted (with DSN in `ehlo`)
};

class ScriptedSmtp {
 public:
  explicit ScriptedSmtp(SmtpScript script)
      : script_(std::move(script)), tcp_([this](int fd) { session(fd); }) {}
  std::uint16_t port() const { return tcp_.port(); }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port()); }
  int connections() const { return connections_; }
  bool auth_seen() const { return auth_seen_; }

 private:
  void session(int fd) {
    ++connections_;
    Lines io{fd, {}};
    const SmtpScript& s = script_;
    io.say("220 scripted.example ESMTP\r\n");
    bool hello = false, mail = false, rcpt = false, authed = false;
    int errors = 0;
    // An error reply; false when it ends the connection.
    auto error = [&](const std::string& code, const std::string& text) {
      ++errors;
      if (s.close_at_error == 0 || errors < s.close_at_error) {
        io.say(code + " " + text + "\r\n");
        return true;
      }
      if (s.close_with_421) io.say(code + " " + text + "\r\n421 4.7.0 scripted.example Error: too many errors\r\n");
      else io.say(code + "-" + text + "\r\n" + code + " 5.5.0 Too many syntax or protocol errors\r\n");
      return false;
    };
    auto has_dsn_param = [](std::string upper) {
      for (const char* p : {" RET=", " ENVID=", " NOTIFY=", " ORCPT="})
        if (upper.find(p) != std::string::npos) return true;
      return false;
    };
    while (auto l = io.line()) {
      const std::string verb = upper_verb(*l);
      std::string upper = *l;
      for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      const std::string arg = l->find(' ') == std::string::npos ? "" : l->substr(l->find(' ') + 1);
      bool go_on = true;
      if (s.line_limit && l->size() + 2 > s.line_limit) {
        go_on = error("500", "5.5.0 Line too long");
      } else if (verb == "EHLO") {
        hello = true;
        std::string r = "250-scripted.example\r\n";
        std::vector<std::string> keys = s.ehlo;
        if (!s.auth.empty()) keys.push_back("AUTH " + s.auth);
        if (s.starttls_only) keys.push_back("STARTTLS");
        for (std::size_t i = 0; i < keys.size(); ++i) r += std::string(i + 1 < keys.size() ? "250-" : "250 ") + keys[i] + "\r\n";
        io.say(r);
      } else if (verb == "HELO") {
        hello = true;
        io.say("250 scripted.example\r\n");
      } else if (verb == "NOOP") {
        if (!arg.empty() && !s.noop_args) go_on = error("500", "5.5.4 Invalid command arguments: no arguments allowed");
        else io.say("250 2.0.0 Ok\r\n");
      } else if (verb == "RSET") {
        mail = rcpt = false;
        io.say("250 2.0.0 Ok\r\n");
      } else if (verb == "VRFY") {
        io.say("252 2.0.0 Cannot VRFY\r\n");
      } else if (verb == "QUIT") {
        io.say("221 2.0.0 Bye\r\n");
        return;
      } else if (verb == "AUTH") {
        auth_seen_ = true;
        go_on = auth(io, upper, arg, authed, error);
      } else if (verb == "MAIL") {
        if (!hello || mail) go_on = error("503", "5.5.1 Error: nested MAIL command");
        else if (s.starttls_only) go_on = error("530", "5.7.0 Must issue a STARTTLS command first");
        else if (!s.auth.empty() && !authed) go_on = error("530", "5.7.0 Authentication required");
        else if (upper.rfind("MAIL FROM:<", 0) != 0 || upper.find('>') == std::string::npos)
          go_on = error("501", "5.5.4 Syntax: MAIL FROM:<address>");
        else if (has_dsn_param(upper) && !s.dsn_params_ok) go_on = error("555", "5.5.4 Unsupported option");
        else if (upper.find(" SIZE=") != std::string::npos && std::stoull(upper.substr(upper.find(" SIZE=") + 6)) > 100000)
          go_on = error("552", "5.3.4 Message size exceeds fixed limit");
        else mail = true, io.say("250 2.1.0 Ok\r\n");
      } else if (verb == "RCPT") {
        const auto open = l->find('<'), close = l->find('>');
        const std::string path = open < close && close != std::string::npos ? l->substr(open + 1, close - open - 1) : "";
        std::string lower = path;
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (!mail) go_on = error("503", "5.5.1 Error: need MAIL command");
        else if (lower == "postmaster" && !s.postmaster_ok) go_on = error("550", "5.1.1 <Postmaster>: unknown user");
        else if (has_dsn_param(upper) && !s.dsn_params_ok) go_on = error("555", "5.5.4 Unsupported option");
        else rcpt = true, io.say("250 2.1.5 Ok\r\n");
      } else if (verb == "DATA") {
        if (!mail) go_on = error("503", "5.5.1 Error: need MAIL command");
        else if (!rcpt) go_on = error("554", "5.5.1 Error: no valid recipients");
        else {
          io.say("354 End data with <CR><LF>.<CR><LF>\r\n");
          while (auto d = io.line())
            if (*d == ".") break;
          mail = rcpt = false;
          io.say("250 2.0.0 Ok: queued\r\n");
        }
      } else {
        go_on = error("500", "5.5.2 Error: command not recognized");
      }
      if (!go_on) return;
    }
  }

  template <class Error>
  bool auth(Lines& io, const std::string& upper, const std::string& arg, bool& authed, Error& error) {
    const std::string mech = upper.size() > 5 ? upper.substr(5, upper.find(' ', 5) - 5) : "";
    if (script_.auth.find(mech) == std::string::npos || mech.empty())
      return error("504", "5.5.4 Unrecognized authentication type");
    std::string given;
    if (mech == "PLAIN") {
      std::string initial = arg.find(' ') == std::string::npos ? "" : arg.substr(arg.find(' ') + 1);
      if (initial.empty()) {
        io.say("334 \r\n");
        initial = io.line().value_or("");
      }
      given = message::base64_decode(initial).value_or("");
      authed = given == std::string(1, '\0') + script_.user + '\0' + script_.password;
    } else {
      io.say("334 VXNlcm5hbWU6\r\n");
      const std::string user = message::base64_decode(io.line().value_or("")).value_or("");
      io.say("334 UGFzc3dvcmQ6\r\n");
      const std::string password = message::base64_decode(io.line().value_or("")).value_or("");
      authed = user == script_.user && password == script_.password;
    }
    if (!authed) return error("535", "5.7.8 Error: authentication failed");
    io.say("235 2.7.0 Authentication successful\r\n");
    return true;
  }

  SmtpScript script_;
  std::atomic<int> connections_{0};
  std::atomic<bool> auth_seen_{false};
  FakeTcp tcp_;  // last: its thread starts once everything above is ready
};

}  // namespace maillab::check::test
