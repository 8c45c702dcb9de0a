// ServerSession: the error sleep (Postfix smtpd_error_sleep_time with
// smtpd_soft_error_limit): a client that has made soft_error_limit errors without
// delivering mail waits error_sleep_time for every further reply, so a password guesser
// or a junk sender gets a handful of fast answers and then one per second until
// hard_error_limit closes the session. The engine never sleeps: it holds the reply,
// asks for the time through timeout() and sends it at on_timeout().
#include "protocols/smtp/server_session.hpp"

#include <utility>

namespace maillab::smtp {

void ServerSession::pause_before_reply() {
  if (paused_ || config_.error_sleep_time.count() <= 0 || errors_ < config_.soft_error_limit) return;
  paused_ = true;  // send() holds what follows until resume()
}

void ServerSession::exchange(std::string_view client_line, const Reply& r) {
  if (!paused_) return handler_.on_exchange(client_line, r);
  held_exchanges_.emplace_back(std::string(client_line), r);
}

void ServerSession::hold_input(std::string_view data) {
  if (close_after_pause_) return;  // the session ends when the pause does
  if (held_input_.size() + data.size() <= kMaxHeldInput) {
    held_input_.append(data);
    return;
  }
  // A client that keeps sending while it is made to wait: cut off (no reply can ever be
  // owed for input that was never read).
  held_input_.clear();
  announce(Reply::make(421, "4.7.0", config_.hostname + " Error: too much pipelined input"));
  close();
}

void ServerSession::resume() {
  paused_ = false;
  out_ += held_;
  held_.clear();
  for (const auto& [line, reply] : std::exchange(held_exchanges_, {})) handler_.on_exchange(line, reply);
  if (close_after_pause_) {
    close_after_pause_ = false;
    held_input_.clear();
    return close();
  }
  // What came meanwhile is read now, and may pause the session again.
  std::string input = std::exchange(held_input_, {});
  receive(input);
}

}  // namespace maillab::smtp
