// Test helpers for the SMTP engines: a recording ServerHandler and an in-memory pump
// that pairs a ClientSession with a ServerSession (h11's ConnectionPair idea).
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/message/base64.hpp"
#include "protocols/smtp/client_session.hpp"
#include "protocols/smtp/dot_stuff.hpp"
#include "protocols/smtp/server_session.hpp"

namespace maillab::smtp::test {

// A reply's lines as strings, to compare with a list (and for Catch to print).
inline std::vector<std::string> as_strings(const ReplyLines& lines) {
  return {lines.begin(), lines.end()};
}

struct Delivered {
  Envelope envelope;
  std::string content;
};

class RecordingHandler : public ServerHandler {
 public:
  std::set<std::string> unknown_users;                // RCPT -> 550 5.1.1
  std::map<std::string, std::string> passwords;       // user -> password
  std::optional<Reply> greeting_reply, helo_reply, ehlo_reply, mail_reply, data_reply, message_reply;
  std::vector<Delivered> delivered;
  std::vector<std::pair<std::string, Reply>> exchanges;
  int close_requests = 0;

  Reply greeting() override { return greeting_reply ? *greeting_reply : ServerHandler::greeting(); }
  Reply on_helo(std::string_view domain, bool esmtp) override {
    if (esmtp && ehlo_reply) return *ehlo_reply;
    if (!esmtp && helo_reply) return *helo_reply;
    return ServerHandler::on_helo(domain, esmtp);
  }
  Reply on_mail(const Envelope& e, const Path& from, const MailParams& p) override {
    return mail_reply ? *mail_reply : ServerHandler::on_mail(e, from, p);
  }
  Reply on_rcpt(const Envelope& e, const Recipient& r) override {
    if (unknown_users.count(r.path.address()))
      return Reply::make(550, "5.1.1", r.path.bracketed() + ": Recipient address rejected: User unknown");
    return ServerHandler::on_rcpt(e, r);
  }
  Reply on_data(const Envelope& e) override { return data_reply ? *data_reply : ServerHandler::on_data(e); }
  Reply on_message(const Envelope& e, std::string content) override {
    if (message_reply) return *message_reply;
    delivered.push_back(Delivered{e, std::move(content)});
    return ServerHandler::on_message(e, {});
  }
  bool authenticate(std::string_view user, std::string_view password) override {
    auto it = passwords.find(std::string(user));
    return it != passwords.end() && it->second == password;
  }
  void on_exchange(std::string_view line, const Reply& reply) override {
    exchanges.emplace_back(std::string(line), reply);
  }
  void on_close_requested() override { ++close_requests; }
};

inline ServerConfig server_config() {
  ServerConfig c;
  c.hostname = "mx.example.org";
  return c;
}

inline ClientConfig client_config() {
  ClientConfig c;
  c.helo_name = "client.example.net";
  c.peer_name = "mx.example.org[192.0.2.25]";
  return c;
}

inline OutgoingMessage message(std::string from, std::vector<std::string> rcpts, std::string content) {
  OutgoingMessage m;
  m.from = from.empty() ? Path{} : parse_mailbox(from).path;
  for (auto& r : rcpts) m.rcpts.push_back(Recipient{parse_mailbox(r).path, {}});
  m.content = std::make_shared<const std::string>(std::move(content));
  return m;
}

// Moves bytes between the two engines until nothing moves. When one side closes, the
// other gets EOF after the last bytes (a TCP close as the application sees it).
// `budget` (bytes, both directions) cuts the connection when exhausted: Beast's
// fail_count idea applied to a transport.
struct Pump {
  Pump(ClientSession& c, ServerSession& s, std::size_t bytes = static_cast<std::size_t>(-1))
      : client(c), server(s), budget(bytes) {}

  ClientSession& client;
  ServerSession& server;
  std::size_t budget;
  std::size_t moved = 0;
  bool cut = false;
  std::string client_sent, server_sent;  // the transcript
  std::vector<std::string> client_writes;  // each take_output() of the client
  int round_trips = 0;

  // Returns false when the budget ran out (both sides then got EOF).
  bool run() {
    for (int guard = 0; guard < 100000; ++guard) {
      std::string s2c = server.take_output();
      std::string c2s = client.take_output();
      if (s2c.empty() && c2s.empty()) {
        if (server.closed() && !client.closed()) client.receive_eof();
        else if (client.closed() && !server.closed()) server.receive_eof();
        else return true;
        continue;
      }
      ++round_trips;
      if (!c2s.empty()) client_writes.push_back(c2s);
      if (!deliver(s2c, server_sent, [&](std::string_view b) { client.receive(b); })) return false;
      if (!deliver(c2s, client_sent, [&](std::string_view b) { server.receive(b); })) return false;
    }
    return true;
  }

 private:
  template <class F>
  bool deliver(const std::string& bytes, std::string& log, F&& to) {
    if (cut) return false;
    std::string_view b = bytes;
    const std::size_t room = budget - moved;
    if (b.size() > room) {
      b = b.substr(0, room);
      cut = true;
    }
    moved += b.size();
    log.append(b);
    if (!b.empty()) to(b);
    if (cut) {
      client.receive_eof();
      server.receive_eof();
      return false;
    }
    return true;
  }
};

// Feeds `input` to a fresh server and returns everything it wrote (greeting included).
inline std::string converse(ServerSession& s, std::string_view input) {
  std::string out = s.take_output();
  s.receive(input);
  return out + s.take_output();
}

// A server session fed one command line at a time; the greeting is already taken.
struct LineServer {
  RecordingHandler h;
  std::unique_ptr<ServerSession> s;
  explicit LineServer(const ServerConfig& cfg = server_config()) : s(std::make_unique<ServerSession>(cfg, h)) {
    s->take_output();
  }
  // Sends `line` with its CRLF and returns what the server wrote back.
  std::string say(const std::string& line) {
    s->receive(line + "\r\n");
    return s->take_output();
  }
};

// AUTH PLAIN's response (RFC 4616): authzid NUL authcid NUL passwd, in base64.
inline std::string plain_response(std::string_view authz, std::string_view user, std::string_view pass) {
  std::string m(authz);
  m += '\0';
  m += user;
  m += '\0';
  m += pass;
  return message::base64_encode(m);
}

// The reply lines (without CRLF) of a server transcript.
inline std::vector<std::string> lines_of(std::string_view out) {
  std::vector<std::string> v;
  while (!out.empty()) {
    auto n = out.find("\r\n");
    v.emplace_back(out.substr(0, n));
    if (n == std::string_view::npos) break;
    out.remove_prefix(n + 2);
  }
  return v;
}

// The codes of final reply lines ("250 ..." not "250-...") in order.
inline std::vector<int> codes_of(std::string_view out) {
  std::vector<int> v;
  for (const auto& l : lines_of(out))
    if (l.size() >= 3 && (l.size() == 3 || l[3] == ' ')) v.push_back(std::stoi(l.substr(0, 3)));
  return v;
}

// What a server said and delivered for one input.
struct Outcome {
  std::string output;  // everything the server wrote after its greeting
  std::vector<std::string> contents;
  ServerSession::State state = ServerSession::State::Connected;
};

// Feeds `input` to a fresh server in the pieces `cuts` makes (positions, ascending).
inline Outcome feed(const std::string& input, const std::vector<std::size_t>& cuts, ServerConfig cfg = server_config(),
             RecordingHandler* handler = nullptr) {
  RecordingHandler local;
  RecordingHandler& h = handler ? *handler : local;
  ServerSession s(std::move(cfg), h);
  s.take_output();
  Outcome o;
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    s.receive(std::string_view(input).substr(at, cut - at));
    o.output += s.take_output();
    at = cut;
  }
  s.receive(std::string_view(input).substr(at));
  o.output += s.take_output();
  for (const auto& d : h.delivered) o.contents.push_back(d.content);
  o.state = s.state();
  return o;
}

// The outcome of `input`, checked to be the same for every split into two pieces and for
// one byte at a time.
inline Outcome every_split(const std::string& input, const ServerConfig& cfg = server_config()) {
  const Outcome whole = feed(input, {}, cfg);
  for (std::size_t cut = 1; cut < input.size(); ++cut) {
    INFO("cut at " << cut);
    const Outcome split = feed(input, {cut}, cfg);
    REQUIRE(split.output == whole.output);
    REQUIRE(split.contents == whole.contents);
  }
  std::vector<std::size_t> bytes;
  for (std::size_t i = 1; i < input.size(); ++i) bytes.push_back(i);
  const Outcome one = feed(input, bytes, cfg);
  REQUIRE(one.output == whole.output);
  REQUIRE(one.contents == whole.contents);
  return whole;
}

}  // namespace maillab::smtp::test
