// Pop3Line (raw commands, multi-line bodies un-stuffed) and pop3_fetch_all (the client
// engine).
#include "bridge/check/pop3_probe.hpp"

#include <algorithm>

#include "bridge/check/tls_probe.hpp"
#include "protocols/message/ascii.hpp"
#include "protocols/pop3/client_session.hpp"

namespace maillab::check {

namespace {
// A multi-line body larger than this ends the check (a server that never sends ".").
constexpr std::size_t kMaxBody = 256u << 20;
}  // namespace

bool Pop3Line::open() {
  reader_.clear();
  if (!open_stream(stream_, url_, timeout_, &error_)) return false;
  auto l = next_line();
  if (!l) return false;
  greeting_ = l->text;
  if (!wants_starttls(url_)) return true;
  // RFC 2595 4: STLS when CAPA lists it (--starttls: required); no new greeting after.
  auto capa = multi("CAPA");
  if (!capa) return false;
  const bool offered = capa->ok && std::any_of(capa->lines.begin(), capa->lines.end(), [](const std::string& c) {
    return message::ascii_lower(c.substr(0, c.find(' '))) == "stls";
  });
  auto ask = [this]() -> std::optional<std::string> {
    auto stls = single("STLS");
    if (!stls) return std::nullopt;
    reader_.clear();
    return stls->ok ? std::string() : stls->first;
  };
  return upgrade(stream_, url_, timeout_, "STLS", offered, ask, &error_) != Upgrade::Failed;
}

std::optional<pop3::LineBuffer::Line> Pop3Line::next_line() {
  for (;;) {
    if (auto l = reader_.next()) {
      if (l->too_long) continue;
      return l;
    }
    if (!stream_.is_open()) {
      if (error_.empty()) error_ = "not connected";
      return std::nullopt;
    }
    std::string in;
    if (stream_.read(in, timeout_) != ReadStatus::Data) {
      error_ = "no reply: " + stream_.error();
      stream_.close();
      return std::nullopt;
    }
    reader_.feed(in);
  }
}

std::optional<Pop3Reply> Pop3Line::single(const std::string& command) {
  if (!stream_.is_open()) {
    error_ = "not connected";
    return std::nullopt;
  }
  if (!stream_.send(command + "\r\n")) {
    error_ = stream_.error();
    stream_.close();
    return std::nullopt;
  }
  auto l = next_line();
  if (!l) return std::nullopt;
  Pop3Reply r;
  r.first = l->text;
  r.ok = l->text.rfind("+OK", 0) == 0;
  return r;
}

std::optional<Pop3Reply> Pop3Line::multi(const std::string& command) {
  auto r = single(command);
  if (!r || !r->ok) return r;
  for (;;) {
    auto l = next_line();
    if (!l) {
      error_ = "multi-line reply not terminated: " + error_;
      return std::nullopt;
    }
    if (!l->crlf) r->bare_lf = true;
    std::string text = l->text;
    if (text == ".") break;
    if (!text.empty() && text[0] == '.') {
      if (text.size() < 2 || text[1] != '.') r->bad_stuffing = true;
      else text.erase(0, 1);
    }
    r->body += text + "\r\n";
    if (r->body.size() > kMaxBody) {
      error_ = "multi-line reply over " + std::to_string(kMaxBody) + " octets";
      stream_.close();
      return std::nullopt;
    }
    r->lines.push_back(std::move(text));
  }
  return r;
}

std::optional<std::vector<std::string>> pop3_fetch_all(const Url& url, std::chrono::milliseconds timeout,
                                                      std::string* error) {
  TcpStream stream;
  if (!open_stream(stream, url, timeout, error)) {
    *error = "--fetch: " + *error;
    return std::nullopt;
  }
  pop3::ClientConfig config;
  config.user = url.user;
  config.password = url.password;
  config.timeout = timeout;
  config.require_tls = url.tls == Url::Tls::Implicit;  // pop3s: nothing in clear
  pop3::ClientSession session(config);
  if (stream.tls_on()) session.on_tls_started(stream.tls()->info());
  std::size_t total = 0;
  while (!session.closed()) {
    std::string out = session.take_output();
    if (!out.empty() && !stream.send(out)) {
      session.receive_eof();
      break;
    }
    if (session.closed()) break;
    if (session.wants_tls()) {
      std::string why;
      if (!start_tls(stream, url, timeout, &why)) {
        *error = "--fetch: " + why;
        return std::nullopt;
      }
      session.on_tls_started(stream.tls()->info());
      continue;
    }
    std::string in;
    switch (stream.read(in, std::min(timeout, session.timeout()))) {
      case ReadStatus::Data:
        total += in.size();
        if (total > kMaxBody) {
          session.receive_eof();
          break;
        }
        session.receive(in);
        break;
      case ReadStatus::Timeout: session.on_timeout(); break;
      default: session.receive_eof(); break;
    }
  }
  if (session.status() != pop3::ClientSession::Status::Done) {
    *error = "--fetch: " + session.error();
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& m : session.retrieved()) out.push_back(m.content);
  return out;
}

}  // namespace maillab::check
