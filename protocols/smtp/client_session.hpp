// smtp::ClientSession: the sans-I/O SMTP client engine an MTA (or a MUA submitting)
// uses for one connection (RFC 5321 3, 4; ESMTP SIZE 1870, PIPELINING 2920, 8BITMIME
// 6152, DSN 3461, AUTH 4954, CHUNKING 3030, SMTPUTF8 6531; enhanced codes 3463).
//
// Conversation: greeting -> EHLO (HELO when EHLO gets 500/502, 3.2) -> AUTH if
// configured and offered -> one mail transaction per add()ed message, in order, on the
// same connection -> QUIT once finish() was called and the queue is empty.
// A transaction is MAIL, RCPT per recipient, DATA, content; with PIPELINING (offered and
// configured) MAIL+RCPTs+DATA leave as one group (RFC 2920 3.1), otherwise each waits
// for its reply. No recipient accepted: RSET, not DATA. The content is dot-stuffed and
// sent with the final dot only after a 354. With ClientConfig::chunking and a server that
// offers CHUNKING, "BDAT <n> LAST" and the content (CRLF lines, not stuffed) take the
// place of DATA, the 354 and the dot; pipelined, they end the group.
// Which reply belongs to which command is data: the step table in client_steps.cpp
// ({command, timeout, Postfix's phase wording, reply handler}); replies are matched to
// commands strictly in order.
// Invariants:
// - every add()ed message gets exactly one TransactionOutcome, in add() order, with a
//   final reply per recipient - whatever the server does, even if it drops the
//   connection or sends garbage (see transaction_outcome.hpp);
// - the server's own replies are reported as they are (a 5xx greeting is a 5xx for each
//   recipient: the MTA decides what to do, e.g. Postfix's smtp_skip_5xx_greeting);
//   only missing replies are synthesized (421 4.4.2), and the verdict on a message the
//   client does not send at all (TransactionOutcome::not_sent: a SIZE over the server's
//   limit, 552 5.3.4; SMTPUTF8 needed and not offered, 554 5.6.7);
// - a 421 reply ends the session: everything unfinished gets it; a malformed reply, a
//   reply of a class the command cannot have (250 to DATA, 354 to RCPT) or one nobody
//   asked for ends it too, with 421 4.5.0 (protocol error) for everything unfinished.
// Split: client_session.cpp (I/O, failures, timeouts), client_steps.cpp (the step table,
// the reply handlers, building transactions).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/smtp/client_config.hpp"
#include "protocols/smtp/outgoing_message.hpp"
#include "protocols/smtp/reply.hpp"
#include "protocols/smtp/reply_parser.hpp"
#include "protocols/smtp/transaction_outcome.hpp"
#include "protocols/tls/session_info.hpp"

namespace maillab::smtp {

class ClientSession {
 public:
  enum class State {
    Greeting,     // waiting for the 220 (4.5.3.2.1)
    Hello,        // EHLO or HELO sent
    Auth,         // AUTH exchange (RFC 4954)
    Ready,        // between transactions (possibly an RSET in flight)
    Transaction,  // MAIL .. final dot in flight
    Quitting,     // QUIT sent
    Closed,
  };

  explicit ClientSession(ClientConfig config);

  // Queues a transaction (several may be queued: connection reuse). After closed() the
  // message gets its outcome at once (the reason the session ended).
  void add(OutgoingMessage message);
  // QUIT once every queued transaction is done.
  void finish();

  void receive(std::string_view data);
  void receive_eof();
  std::string take_output();
  // The same without allocating (as ServerSession::output() and clear_output()).
  std::string_view output() const { return out_; }
  void clear_output();
  // How long to wait for the server now (idle_timeout when nothing is in flight); zero
  // once closed.
  std::chrono::milliseconds timeout() const;
  // Always ends the session: in flight, everything unfinished gets 421 4.4.2
  // "conversation with <peer> timed out while <phase>"; idle, QUIT is sent and the
  // session closes without waiting for the 221.
  void on_timeout();
  bool closed() const { return state_ == State::Closed; }
  // Connected and greeted, nothing queued or in flight: ready for add() or finish().
  bool idle() const;

  const std::vector<TransactionOutcome>& outcomes() const { return outcomes_; }
  std::vector<TransactionOutcome> take_outcomes();
  // EHLO keywords the server announced, uppercased ("PIPELINING", "SIZE", ...).
  const std::set<std::string>& extensions() const;
  // The server's SIZE value; 0 when it announced no limit (or no SIZE).
  std::uint64_t size_limit() const { return size_limit_; }
  State state() const { return state_; }
  bool authenticated() const { return authenticated_; }

  // TLS (RFC 3207; client_starttls.cpp; the driver runs the handshake, docs/tls.md).
  // After the server's 220 to STARTTLS the session reads nothing (replies in the same
  // read are dropped: a server cannot inject them) until on_tls_started(), which sends
  // EHLO again, or ends the session with 4.7.5 when the level is verify and the
  // certificate did not verify. For implicit TLS the driver calls it before any input.
  bool wants_tls() const { return wants_tls_; }
  void on_tls_started(const tls::HandshakeInfo& info);
  bool tls_on() const { return tls_on_; }

  // Observer for the trace: each line sent (credentials as "****", "<data>" for the
  // content) with the reply it got; "" for the greeting.
  std::function<void(std::string_view line_sent, const Reply&)> on_exchange;

 private:
  enum class Cmd { Greeting, Ehlo, Helo, Auth, Mail, Rcpt, Data, Dot, Bdat, Rset, Quit, Starttls };
  struct Pending {
    Cmd cmd;
    std::size_t rcpt = 0;   // RCPT: index in the current message
    std::size_t trace = 0;  // the line as the trace shows it: trace_[trace, trace + trace_len)
    std::size_t trace_len = 0;
  };
  // A FIFO in one vector: no deque map per session. Taken elements are reset and their
  // slots reused once the queue runs empty (or compacted when it never does).
  template <class T>
  class Fifo {
   public:
    void reserve(std::size_t n) { items_.reserve(n); }
    bool empty() const { return head_ == items_.size(); }
    T& front() { return items_[head_]; }
    const T& front() const { return items_[head_]; }
    void push_back(T t) {
      if (head_ > 16 && head_ * 2 >= items_.size()) {
        items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
      }
      items_.push_back(std::move(t));
    }
    void pop_front() {
      items_[head_++] = T{};
      if (empty()) clear();
    }
    void clear() {
      items_.clear();
      head_ = 0;
    }
    auto begin() { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
    auto end() { return items_.end(); }

   private:
    std::vector<T> items_;
    std::size_t head_ = 0;
  };
  struct Step {
    Cmd cmd;
    unsigned classes;  // reply classes that may answer it: bit 2, 3, 4, 5 (e.g. 354 only to DATA)
    std::chrono::milliseconds ClientConfig::*timeout;
    std::string_view phase;  // "sending RCPT TO" (Postfix's wording)
    void (ClientSession::*on_reply)(const Pending&, const Reply&);
  };
  struct Transaction {
    OutgoingMessage message;
    TransactionOutcome outcome;  // reply.code == 0: not final yet
    // Recipients the server accepted; each of them still has a reply with code 0 in
    // `outcome` (a refused one has its reply), which is how on_data/on_dot find them.
    std::size_t accepted = 0;
    bool mail_ok = false;
    bool pipelined = false;
    bool aborting = false;  // 354 came though nothing was accepted: an empty dot is sent
    std::size_t next_rcpt = 0;
  };
  static const Step& step(Cmd cmd);

  // client_session.cpp
  void handle(const Reply& reply, bool malformed);
  void send(Cmd cmd, std::string_view line, std::size_t rcpt = 0, std::string_view trace = {});
  // Ends the command line written to out_ from `start` and waits for its reply.
  void sent(Cmd cmd, std::size_t start, std::size_t rcpt = 0, std::string_view trace = {});
  // Waits for the reply to `cmd`, shown as `trace`.
  void expect(Cmd cmd, std::size_t rcpt, std::string_view trace);
  std::string phase() const;
  void fail_remaining(const Reply& reply);
  void fail_connection(std::string_view what, const char* enhanced = "4.4.2");
  void finalize(Transaction& t, const Reply& reply);

  // client_steps.cpp
  void on_greeting(const Pending&, const Reply&);
  void on_ehlo(const Pending&, const Reply&);
  void on_helo(const Pending&, const Reply&);
  void on_auth(const Pending&, const Reply&);
  void on_mail(const Pending&, const Reply&);
  void on_rcpt(const Pending&, const Reply&);
  void on_data(const Pending&, const Reply&);
  void on_dot(const Pending&, const Reply&);
  void on_bdat(const Pending&, const Reply&);
  void on_rset(const Pending&, const Reply&);
  void on_quit(const Pending&, const Reply&);
  void after_hello();
  void refuse_without_auth();  // ClientConfig::auth_required and no usable AUTH
  void send_ehlo();

  // client_starttls.cpp
  bool start_tls_if_needed();  // after EHLO: STARTTLS sent, or the session given up
  void on_starttls(const Pending&, const Reply&);
  void hello_failed(const Reply& reply);
  void advance();
  void start_transaction();
  void send_rcpt(Transaction& t);
  // After the RCPTs: DATA, or BDAT with the whole content.
  void send_content_command(Transaction& t);
  void complete_transaction();
  bool pipelining() const;

  ClientConfig config_;
  State state_ = State::Greeting;
  ReplyParser parser_;
  Reply spare_reply_;  // see receive()
  std::string out_;
  Fifo<Pending> pending_;
  std::string trace_;  // the trace lines of pending_, emptied whenever pending_ is
  Fifo<Transaction> queue_;
  std::vector<TransactionOutcome> outcomes_;
  // The EHLO extensions the engine uses, as bits; every keyword is also kept, uppercased
  // and space-separated, for extensions(), which builds its set only when asked.
  enum Extension : unsigned {
    ExtPipelining = 1,
    ExtSize = 2,
    Ext8bitmime = 4,
    ExtDsn = 8,
    ExtAuth = 16,
    ExtChunking = 32,
    ExtSmtputf8 = 64,
  };
  unsigned extension_bits_ = 0;
  std::string ehlo_keywords_;
  mutable std::set<std::string> extensions_;
  mutable bool extensions_built_ = true;
  std::set<std::string> auth_mechanisms_;
  std::uint64_t size_limit_ = 0;
  bool esmtp_ = false;
  bool authenticated_ = false;
  std::string auth_mechanism_;
  int auth_step_ = 0;
  bool need_rset_ = false;
  bool finish_ = false;
  bool closing_ = false;  // a 421 is being handled: start nothing new
  bool wants_tls_ = false;  // 220 to STARTTLS: nothing more is read in clear
  bool tls_on_ = false;
  std::optional<Reply> failure_;  // why the session can deliver no more
};

}  // namespace maillab::smtp
