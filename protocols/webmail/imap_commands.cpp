#include "protocols/webmail/imap_commands.hpp"

#include <charconv>
#include <utility>

#include "protocols/imap/wire_format.hpp"

namespace maillab::webmail {

ImapCommands::ImapCommands(std::string user, std::string password, std::vector<ImapCommand> commands,
                           std::chrono::milliseconds timeout)
    : user_(std::move(user)),
      password_(std::move(password)),
      commands_(std::move(commands)),
      replies_(commands_.size()),
      timeout_(timeout) {}

std::string ImapCommands::take_output() { return std::exchange(output_, {}); }

std::chrono::milliseconds ImapCommands::timeout() const { return closed_ ? std::chrono::milliseconds(0) : timeout_; }

void ImapCommands::on_timeout() {
  if (closed_) return;
  fail(Status::TimedOut, "the IMAP server did not answer");
}

void ImapCommands::receive_eof() {
  if (closed_) return;
  if (logging_out_) {
    closed_ = true;
    if (status_ == Status::InProgress) status_ = Status::Done;
    return;
  }
  fail(Status::ConnectionLost, "the IMAP server closed the connection");
}

void ImapCommands::fail(Status s, std::string why) {
  if (status_ == Status::InProgress) {
    status_ = s;
    error_ = std::move(why);
  }
  closed_ = true;
}

void ImapCommands::receive(std::string_view data) {
  if (closed_) return;
  reader_.feed(data);
  while (!closed_) {
    auto item = reader_.next();
    if (!item) return;
    if (item->error) {
      fail(Status::Error, "the IMAP server broke the response framing");
      return;
    }
    handle(item->text);
  }
}

void ImapCommands::send(std::string shown, std::string line) {
  tag_ = "w" + std::to_string(++tag_number_);
  shown_ = std::move(shown);
  output_ += tag_ + " " + line + "\r\n";
}

void ImapCommands::login() {
  if (!imap::can_quote(user_, true) || !imap::can_quote(password_, true) || password_.empty()) {
    fail(Status::AuthFailed, "the user name or password cannot be sent");
    return;
  }
  std::string line = "LOGIN ";
  imap::append_quoted(line, user_);
  line += ' ';
  imap::append_quoted(line, password_);
  send("LOGIN " + user_ + " ****", line);
}

void ImapCommands::on_tls_started(const tls::HandshakeInfo& info) {
  starttls_requested_ = false;
  tls_ = true;
  reader_.clear();
  if (!info.verified()) {
    fail(Status::Error, "the IMAP server's certificate was not verified: " + std::string(tls::to_string(info.verification)));
    return;
  }
  login();  // no new greeting inside TLS (RFC 9051 6.2.1)
}

void ImapCommands::send_next() {
  if (next_ >= commands_.size()) {
    logging_out_ = true;
    send("LOGOUT", "LOGOUT");
    return;
  }
  const ImapCommand& c = commands_[next_];
  if (c.literal.empty()) {
    send(c.command, c.command);
    return;
  }
  const std::string marker = " {" + std::to_string(c.literal.size()) + "}";
  send(c.command + marker, c.command + marker);
  literal_pending_ = true;
}

void ImapCommands::handle(const std::string& response) {
  if (!greeted_) {
    greeted_ = true;
    if (response.rfind("* OK", 0) != 0) {
      fail(Status::Error, "no IMAP greeting");
      return;
    }
    if (starttls_ && !tls_) {
      starttls_sent_ = true;
      send("STARTTLS", "STARTTLS");
      return;
    }
    login();
    return;
  }
  if (response.rfind("+", 0) == 0) {
    if (!literal_pending_) return;
    literal_pending_ = false;
    output_ += commands_[next_].literal + "\r\n";
    return;
  }
  if (response.rfind("* ", 0) == 0) {
    if (response.rfind("* BYE", 0) == 0 && !logging_out_) {
      fail(Status::ConnectionLost, response.substr(2));
      return;
    }
    if (logged_in_ && !logging_out_ && next_ < replies_.size()) {
      auto& u = replies_[next_].untagged;
      if (u.size() >= kMaxUntagged) {
        fail(Status::Error, "too many responses");
        return;
      }
      u.push_back(response.substr(2));
    }
    return;
  }
  // Tagged: "<tag> <status> <text>".
  const std::size_t sp = response.find(' ');
  if (sp == std::string::npos || response.compare(0, sp, tag_) != 0) {
    fail(Status::Error, "an unexpected response from the IMAP server");
    return;
  }
  const std::size_t sp2 = response.find(' ', sp + 1);
  std::string status = response.substr(sp + 1, sp2 == std::string::npos ? std::string::npos : sp2 - sp - 1);
  std::string text = sp2 == std::string::npos ? "" : response.substr(sp2 + 1);
  if (on_exchange) on_exchange(shown_, response.substr(0, 200));
  literal_pending_ = false;
  if (starttls_sent_) {
    starttls_sent_ = false;
    if (status != "OK") {
      fail(Status::Error, "the IMAP server refused STARTTLS: " + text);
      return;
    }
    starttls_requested_ = true;  // the driver starts TLS; nothing more is read in clear
    reader_.clear();
    return;
  }
  if (logging_out_) {
    closed_ = true;
    if (status_ == Status::InProgress) status_ = Status::Done;
    return;
  }
  if (!logged_in_) {
    if (status != "OK") {
      status_ = Status::AuthFailed;
      error_ = text;
      logging_out_ = true;
      send("LOGOUT", "LOGOUT");
      return;
    }
    logged_in_ = true;
    send_next();
    return;
  }
  replies_[next_].status = std::move(status);
  replies_[next_].text = std::move(text);
  ++next_;
  send_next();
}

namespace {

// `response` with each literal's octets cut out, so items inside a message are not read.
std::string outside_literals(std::string_view r) {
  std::string out;
  std::size_t i = 0;
  while (i < r.size()) {
    const std::size_t open = r.find('{', i);
    if (open == std::string_view::npos) break;
    const std::size_t close = r.find("}\r\n", open);
    std::uint64_t n = 0;
    const char* first = r.data() + open + 1;
    const char* last = close == std::string_view::npos ? first : r.data() + close;
    auto [p, ec] = std::from_chars(first, last, n);
    if (close == std::string_view::npos || ec != std::errc() || p != last) {
      out.append(r.substr(i, open + 1 - i));
      i = open + 1;
      continue;
    }
    out.append(r.substr(i, open - i));
    i = std::min<std::size_t>(r.size(), close + 3 + n);
  }
  out.append(r.substr(std::min(i, r.size())));
  return out;
}

}  // namespace

std::string_view fetch_literal(std::string_view r) {
  std::size_t from = 0;
  while (true) {
    const std::size_t open = r.find('{', from);
    if (open == std::string_view::npos) return {};
    const std::size_t close = r.find("}\r\n", open);
    if (close == std::string_view::npos) return {};
    std::uint64_t n = 0;
    auto [p, ec] = std::from_chars(r.data() + open + 1, r.data() + close, n);
    if (ec == std::errc() && p == r.data() + close && close + 3 + n <= r.size()) return r.substr(close + 3, n);
    from = open + 1;
  }
}

std::uint64_t fetch_number(std::string_view response, std::string_view item) {
  const std::string r = outside_literals(response);
  const std::string needle = std::string(item) + " ";
  for (std::size_t at = r.find(needle); at != std::string::npos; at = r.find(needle, at + 1)) {
    if (at > 0 && r[at - 1] != ' ' && r[at - 1] != '(') continue;
    std::uint64_t n = 0;
    const char* first = r.data() + at + needle.size();
    auto [p, ec] = std::from_chars(first, r.data() + r.size(), n);
    if (ec == std::errc() && p != first) return n;
  }
  return 0;
}

std::string fetch_flags(std::string_view response) {
  const std::string r = outside_literals(response);
  const std::size_t at = r.find("FLAGS (");
  if (at == std::string::npos) return "";
  const std::size_t end = r.find(')', at);
  return end == std::string::npos ? "" : r.substr(at + 7, end - at - 7);
}

}  // namespace maillab::webmail
