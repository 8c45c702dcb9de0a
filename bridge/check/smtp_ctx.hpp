// check::SmtpCtx: what the SMTP checks of `maillab check smtp://...` share (the table is
// in smtp_checks.cpp, the transaction and extension checks in smtp_transaction_checks.cpp):
// the options, the client engine's greeting/EHLO/QUIT session, the --rcpt transactions,
// and one raw connection (SmtpLine) for the out-of-order probes, greeted, EHLO'd and
// authenticated (--user/--password, when the server offers AUTH) whenever it is reopened.
//
// Closes. A server may end a session that keeps erring (RFC 5321 7.8: Exim after three
// protocol errors, smtp_max_synprot_errors; Postfix with a 421 at smtpd_hard_error_limit,
// 3.8). The checks that use the shared connection are watched one by one: a close during
// a check, or one found waiting when the next check starts (EOF, a reset, an unasked
// 421), is written on the row of the check after which it happened ("closed by the server
// after N errors"), and the next check runs on a new connection; it is never the next
// check's failure. Without a 421 such a row warns (3.8 asks for a 421 before closing;
// 7.8 allows dropping an erring client), with one it keeps its result (information); a
// close after no error at all fails (3.8: no closing under normal circumstances).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bridge/check/check.hpp"
#include "bridge/check/smtp_probe.hpp"

namespace maillab::check {

// A command that can carry a line of any length, for the 512-octet checks: its short
// form, and the same command padded to exactly `octets` octets, CRLF included.
struct LineCarrier {
  std::string what;        // "NOOP with an argument"
  std::string short_form;  // "NOOP maillab-check"
  std::string head;        // "NOOP ": padded() fills the rest with `pad`
  char pad = 'x';
  bool opens_transaction = false;  // RSET after it

  std::string padded(std::size_t octets) const {
    return head + std::string(octets > head.size() + 2 ? octets - head.size() - 2 : 0, pad);
  }
};

struct SmtpCtx {
  SmtpCtx(const Url& url, const Options& opt, const Url* fetch);

  const Url& url;
  const Options& opt;
  const Url* fetch;
  std::string helo;
  std::string stop;
  std::string token;                 // unique per run: Message-IDs, ENVID
  SmtpSessionLog base;               // greeting, EHLO, AUTH, QUIT
  std::optional<SmtpSessionLog> tx;  // the --rcpt transactions
  std::string dot_body;              // body of the dot-stuffing message
  std::unique_ptr<SmtpLine> line;
  std::vector<smtp::Reply> replies_after_ehlo;
  std::optional<LineCarrier> carrier;  // what carried the 512-octet line, if anything did

  // The shared raw connection, ready for commands; nullptr and *why when it cannot be.
  SmtpLine* conn(std::string* why);
  void keep_replies();
  std::string rcpt() const { return opt.rcpt.empty() ? "<postmaster>" : "<" + opt.rcpt + ">"; }
  std::string from() const { return "<" + opt.from + ">"; }
  std::optional<std::pair<std::string, std::string>> auth() const;

  // How the server ended a connection.
  struct Closed {
    int errors = 0;         // error replies on it, a closing 421 included
    bool with_421 = false;  // it said 421 (5321 3.8)
    bool by_server = false;
    std::string error;      // what else ended it (a reply no command asked for)
  };

  // check_table.hpp's hooks: which row is running, and the close found after it. true
  // from after_check: run the check once more (the server closed the connection before
  // the check had its answer; the second run is on a new connection, and the row says
  // what happened to the first).
  void before_check(Report& report);
  bool after_check(Result& result);
  // A raw command on the shared connection (see cmd() below).
  std::optional<smtp::Reply> command(std::string_view text, std::string* why);
  // Called before each command on the shared connection: true for the running check's
  // first. A close found waiting then is the previous check's and is written on its row.
  bool first_command();

 private:
  // Writes the close of `closed` on the row of the last check that used the connection.
  bool blame_previous(const SmtpLine& closed);

  Report* report_ = nullptr;
  std::size_t row_ = 0;                  // the running check's row
  std::optional<std::size_t> line_row_;  // the last check that used this connection
  bool used_ = false;                    // the running check used the connection
  bool close_noted_ = false;             // the connection's close is on a row already
  bool blamed_ = false;                  // the running check wrote on the previous row
  std::optional<Closed> retry_close_;    // the close that made the running check run again
};

// A raw command on the shared connection: the reply, or nullopt with *why. When the
// connection turns out closed at the check's first command, the close is written on the
// previous row and the command is sent again on a new connection.
std::optional<smtp::Reply> cmd(SmtpCtx& c, std::string_view text, std::string* why);

// After an error reply `said`: NOOP must still get 250 on the same connection (the
// session goes on). A failure, or nullopt (also when the server closed the connection:
// that is reported by SmtpCtx::after_check).
std::optional<Result> session_continues(SmtpCtx& c, const std::string& said);

// MAIL refused: a skip that says why (530: AUTH first, give --user/--password; or
// STARTTLS first, which the probe does not speak yet); nullopt when it was accepted.
std::optional<Result> mail_refused(const SmtpCtx& c, const smtp::Reply& mail);

// The checks of smtp_transaction_checks.cpp.
Result auth(SmtpCtx& c);
Result postmaster(SmtpCtx& c);
Result dsn_parameters(SmtpCtx& c);
Result pipelining(SmtpCtx& c);
Result long_text_line(SmtpCtx& c);
Result dot_stuffing(SmtpCtx& c);
Result round_trip(SmtpCtx& c);
Result enhanced_codes(SmtpCtx& c);
Result quit(SmtpCtx& c);

}  // namespace maillab::check
