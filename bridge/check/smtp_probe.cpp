// The SMTP probe's two drivers: the ClientSession engine over a TcpStream, and raw lines
// read back with the ReplyParser.
#include "bridge/check/smtp_probe.hpp"

#include <algorithm>

#include "base/ascii.hpp"
#include "bridge/check/tls_probe.hpp"
#include "protocols/message/base64.hpp"
#include "protocols/smtp/client_session.hpp"

namespace maillab::check {

namespace {
constexpr std::size_t kKeepReceived = 4096;
// A server that never stops talking (endless continuation lines, bytes after QUIT) is cut
// off here: every loop below ends, whatever the peer does.
constexpr std::size_t kMaxSession = 16 << 20;
constexpr std::size_t kMaxReply = 1 << 20;
}  // namespace

std::string first_line(const smtp::Reply& reply) {
  std::string s = std::to_string(reply.code);
  if (!reply.enhanced.empty()) s += " " + reply.enhanced;
  if (!reply.lines.empty() && !reply.lines.front().empty()) s.append(" ").append(reply.lines.front());
  return s;
}

const SmtpExchange* SmtpSessionLog::find(std::string_view verb) const {
  for (const auto& e : exchanges) {
    if (verb.empty() ? e.sent.empty() : (e.sent.size() >= verb.size() && base::ascii_upper(e.sent.substr(0, verb.size())) == verb))
      return &e;
  }
  return nullptr;
}

SmtpSessionLog run_smtp_session(const Url& url, std::chrono::milliseconds timeout, const std::string& helo,
                                std::vector<smtp::OutgoingMessage> messages,
                                const std::optional<std::pair<std::string, std::string>>& auth) {
  SmtpSessionLog log;
  TcpStream stream;
  if (!open_stream(stream, url, timeout, &log.error)) return log;
  log.connected = true;
  smtp::ClientConfig config;
  config.helo_name = helo;
  // STARTTLS when offered (--starttls: or no message leaves in clear).
  if (wants_starttls(url)) config.tls = url.tls == Url::Tls::Required ? smtp::TlsLevel::Encrypt : smtp::TlsLevel::May;
  config.peer_name = url.authority();
  config.auth = auth;
  for (auto* t : {&config.greeting_timeout, &config.helo_timeout, &config.mail_timeout, &config.rcpt_timeout,
                  &config.data_init_timeout, &config.data_block_timeout, &config.data_done_timeout,
                  &config.rset_timeout, &config.quit_timeout, &config.idle_timeout})
    *t = timeout;
  smtp::ClientSession session(config);
  session.on_exchange = [&log](std::string_view sent, const smtp::Reply& r) {
    log.exchanges.push_back({std::string(sent), r});
  };
  for (auto& m : messages) session.add(std::move(m));
  session.finish();
  if (stream.tls_on()) session.on_tls_started(stream.tls()->info());  // smtps: the greeting comes inside TLS

  bool eof = false;
  std::size_t total = 0;
  while (!session.closed()) {
    std::string out = session.take_output();
    if (!out.empty() && !stream.send(out)) {
      log.error = stream.error();
      session.receive_eof();
      eof = true;
      break;
    }
    if (session.closed()) break;
    if (session.wants_tls()) {  // its 220 to STARTTLS came
      if (!start_tls(stream, url, timeout, &log.error)) {
        session.receive_eof();
        eof = true;
        break;
      }
      session.on_tls_started(stream.tls()->info());
      continue;
    }
    std::string in;
    auto wait = std::min(session.timeout(), timeout);
    switch (stream.read(in, wait)) {
      case ReadStatus::Data:
        if (log.received.size() < kKeepReceived) log.received += in.substr(0, kKeepReceived - log.received.size());
        total += in.size();
        if (total > kMaxSession) {
          log.error = "the server sent over " + std::to_string(kMaxSession) + " octets";
          eof = true;
          session.receive_eof();
          break;
        }
        session.receive(in);
        break;
      case ReadStatus::Timeout:
        log.error = stream.error();
        session.on_timeout();
        break;
      case ReadStatus::Eof:
      case ReadStatus::Error:
        log.error = stream.error();
        eof = true;
        session.receive_eof();
        break;
    }
  }
  // QUIT may still be in the output (an idle timeout); send it politely.
  if (std::string out = session.take_output(); !out.empty() && !eof) stream.send(out);
  log.outcomes = session.take_outcomes();
  log.extensions = session.extensions();
  log.size_limit = session.size_limit();
  const SmtpExchange* quit = log.find("QUIT");
  log.quit_answered = quit != nullptr;
  if (quit && !eof) {
    // 4.1.1.10: after the 221 the server closes the channel.
    for (std::size_t extra = 0;;) {
      std::string in;
      ReadStatus s = stream.read(in, timeout);
      if (s == ReadStatus::Data) {
        if (extra == 0) log.after_quit = "sent more after the QUIT reply: " + in.substr(0, 60);
        extra += in.size();
        if (extra > kMaxReply) break;
        continue;
      }
      if (s == ReadStatus::Eof || s == ReadStatus::Error) log.closed_after_quit = true;
      else log.after_quit = "the connection stayed open after the QUIT reply (" + stream.error() + ")";
      break;
    }
  } else if (quit) {
    log.closed_after_quit = true;
  }
  return log;
}

bool SmtpLine::open() {
  close();
  parser_ = smtp::ReplyParser{};
  esmtp_ = false;
  greeted_ = false;
  closed_by_server_ = false;
  close_reply_.reset();
  errors_ = 0;
  extensions_.clear();
  auth_mechanisms_.clear();
  if (!open_stream(stream_, url_, timeout_, &error_)) return false;
  alive_ = true;
  auto g = read_reply();
  if (!g) return false;
  greeting_ = *g;
  greeted_ = true;
  if (!g->positive_completion()) {
    error_ = "greeting: " + first_line(*g);
    close();
    return false;
  }
  return true;
}

bool SmtpLine::hello(const std::string& name) {
  auto r = command("EHLO " + name);
  if (r && (r->code == 500 || r->code == 502)) r = command("HELO " + name);
  else if (r && r->code == 250) {
    esmtp_ = true;
    for (std::size_t i = 1; i < r->lines.size(); ++i) {
      const std::string line = base::ascii_upper(r->lines[i]);
      const std::string keyword = line.substr(0, line.find(' '));
      extensions_.insert(keyword);
      if (keyword != "AUTH") continue;
      std::size_t at = keyword.size();
      while (at < line.size()) {
        const std::size_t end = std::min(line.find(' ', at + 1), line.size());
        if (end > at + 1) auth_mechanisms_.insert(line.substr(at + 1, end - at - 1));
        at = end;
      }
    }
  }
  if (!r) return false;
  if (r->code != 250) {
    error_ = "hello: " + first_line(*r);
    return false;
  }
  after_ehlo_.clear();
  if (!wants_starttls(url_) || stream_.tls()) return true;
  // RFC 3207 4.2: after the handshake everything the server said before is forgotten.
  auto ask = [this]() -> std::optional<std::string> {
    auto go = command("STARTTLS");
    if (!go) return std::nullopt;
    if (go->code != 220) return first_line(*go);  // refused: on in clear, as Postfix under "may"
    parser_ = smtp::ReplyParser{};
    esmtp_ = false;
    extensions_.clear();
    auth_mechanisms_.clear();
    return std::string();
  };
  switch (upgrade(stream_, url_, timeout_, "STARTTLS", extensions_.count("STARTTLS") > 0, ask, &error_)) {
    case Upgrade::Clear: return true;
    case Upgrade::Tls: return hello(name);
    case Upgrade::Failed: break;
  }
  close();
  return false;
}

std::optional<smtp::Reply> SmtpLine::authenticate(const std::string& user, const std::string& password) {
  std::optional<smtp::Reply> r;
  if (auth_mechanisms_.count("PLAIN")) {
    const std::string creds = message::base64_encode(std::string(1, '\0') + user + '\0' + password);
    r = command("AUTH PLAIN " + creds);
    // A server that ignores the initial response asks with an empty challenge (4954 4).
    if (r && r->code == 334) r = command(creds);
  } else if (auth_mechanisms_.count("LOGIN")) {
    r = command("AUTH LOGIN");
    for (const std::string* next : {&user, &password}) {
      if (!r || r->code != 334) break;
      r = command(message::base64_encode(*next));
    }
  } else {
    error_ = "no PLAIN or LOGIN among the AUTH mechanisms";
    return std::nullopt;
  }
  if (r && r->code == 334) r = command("*");  // 4954 4: cancel an exchange not followed
  return r;
}

bool SmtpLine::poll_close() {
  if (!alive_) return false;
  std::string in;
  const ReadStatus s = stream_.read(in, std::chrono::milliseconds(0));
  if (s == ReadStatus::Data) parser_.receive(in);
  if (auto r = parser_.next()) {  // a reply no command asked for (already read, perhaps)
    noted(*r);
    if (alive_) {  // anything but a 421: the conversation is out of step, it cannot go on
      error_ = "a reply no command asked for: " + first_line(*r);
      close();
    }
    return true;
  }
  if (s == ReadStatus::Timeout || s == ReadStatus::Data) return false;
  closed_by_server_ = true;
  error_ = "connection closed by the server";
  close();
  return true;
}

void SmtpLine::noted(const smtp::Reply& r) {
  if (esmtp_) after_ehlo_.push_back(r);
  if (greeted_ && r.code >= 400) ++errors_;
  if (greeted_ && r.code == 421) {  // 5321 3.8: the server is closing the connection
    closed_by_server_ = true;
    close_reply_ = r;
    close();
  }
}

void SmtpLine::close() {
  stream_.close();
  alive_ = false;
}

bool SmtpLine::send(std::string_view bytes) {
  if (!alive_) {
    error_ = "not connected";
    return false;
  }
  if (!stream_.send(bytes)) {
    error_ = stream_.error();
    closed_by_server_ = true;  // a connected socket refuses bytes only after the peer's reset
    close();
    return false;
  }
  return true;
}

std::optional<smtp::Reply> SmtpLine::read_reply() {
  std::size_t got = 0;
  for (;;) {
    if (auto r = parser_.next()) {
      if (parser_.last_malformed()) {
        error_ = "malformed reply: " + (r->lines.empty() ? std::string() : std::string(r->lines.front()));
        close();
        return std::nullopt;
      }
      noted(*r);
      return r;
    }
    if (!alive_) {
      if (error_.empty()) error_ = "not connected";
      return std::nullopt;
    }
    std::string in;
    ReadStatus s = stream_.read(in, timeout_);
    if (s != ReadStatus::Data) {
      error_ = "no reply: " + stream_.error();
      if (s != ReadStatus::Timeout) closed_by_server_ = true;
      close();
      return std::nullopt;
    }
    got += in.size();
    if (got > kMaxReply) {
      error_ = "a reply of over " + std::to_string(kMaxReply) + " octets";
      close();
      return std::nullopt;
    }
    parser_.receive(in);
  }
}

std::optional<smtp::Reply> SmtpLine::command(std::string_view line) {
  std::string l(line);
  l += "\r\n";
  if (!send(l)) return std::nullopt;
  return read_reply();
}

}  // namespace maillab::check
