// The POP3 check table of `maillab check pop3://USER:PASS@HOST[:PORT]`.
//
//   check                          RFC 1939/2449   level   how
//   greeting +OK                   1939 4          MUST    first line "+OK"
//   CAPA list                      2449 5          SHOULD  multi-line, terminated; -ERR warns (1939-only)
//   STAT before login -> -ERR      1939 3, 4       MUST    AUTHORIZATION state refuses STAT
//   wrong password -> -ERR         1939 7          MUST    USER, PASS <wrong>
//   APOP with the password         1939 7          SHOULD  when the greeting has a timestamp "<...@...>":
//                                                          APOP user MD5(timestamp + password) -> +OK
//                                                          (SHOULD: an APOP secret may differ from the password)
//   USER/PASS -> +OK               1939 7          MUST    on a fresh connection
//   STAT "+OK n size"              1939 5          MUST    the exact format
//   LIST consistent                1939 5          MUST    terminated, "n size" lines, count and sum = STAT
//   UIDL consistent                1939 7          MUST    (optional command: -ERR skips) count = STAT,
//                                                          unique ids of 1-70 octets 0x21-0x7E
//   RETR 1 terminated, unstuffed   1939 3, 5       MUST    no line starts with a lone "."; size = LIST
//                                                          (else warn: the RFC's size is a CRLF count)
//   TOP 1 0 headers only           1939 7          MUST    (optional: -ERR skips) = RETR up to the blank line
//   DELE then RSET undeletes       1939 5          MUST    STAT n-1 after DELE, n after RSET
//   no QUIT, no deletion           1939 6          MUST    DELE 1, drop the connection, log in again:
//                                                          message 1 (its UIDL, else the count) is still there
//   unknown command -> -ERR        1939 3          MUST
//   NOOP +OK                       1939 5          MUST
//   QUIT +OK                       1939 6          MUST    on a session with nothing marked deleted
//
// Nothing destructive: a connection that ever sent DELE is dropped, never QUIT.
#include <array>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "bridge/check/check.hpp"
#include "bridge/check/check_table.hpp"
#include "bridge/check/pop3_probe.hpp"
#include "protocols/message/ascii.hpp"
#include "protocols/pop3/dot_stuffing.hpp"
#include "protocols/pop3/md5.hpp"

namespace maillab::check {

namespace {

struct Pop3Ctx {
  const Url& url;
  const Options& opt;
  std::string stop;
  std::unique_ptr<Pop3Line> anon;     // the first connection (AUTHORIZATION state)
  std::unique_ptr<Pop3Line> session;  // logged in, nothing marked deleted
  bool stat_ok = false;
  std::size_t count = 0, size = 0;
  std::map<std::size_t, std::size_t> sizes;  // LIST
  std::map<std::size_t, std::string> uids;   // UIDL
  std::string first_message;                 // RETR 1, un-stuffed
  bool retr_ok = false;

  std::optional<Result> needs_login() const {
    if (!url.has_credentials) return Result::skip("no USER:PASS in the URL");
    if (!session || !session->alive()) return Result::skip("not logged in");
    return std::nullopt;
  }
};

// Logs in on a fresh connection, retrying while the maildrop is still locked by a
// connection just dropped (RFC 1939 8: a server may refuse a second session).
// *user_refused: USER itself got -ERR (USER/PASS is optional in RFC 1939 7).
std::unique_ptr<Pop3Line> login(Pop3Ctx& c, std::string* said, bool* user_refused = nullptr) {
  auto end = std::chrono::steady_clock::now() + c.opt.timeout;
  for (;;) {
    auto l = std::make_unique<Pop3Line>(c.url, c.opt.timeout);
    if (!l->open()) {
      *said = l->error();
      return nullptr;
    }
    auto u = l->single("USER " + c.url.user);
    if (u && !u->ok) {
      *said = u->first;
      if (user_refused) *user_refused = true;
      l->single("QUIT");
      return nullptr;
    }
    auto r = u ? l->single("PASS " + c.url.password) : u;
    if (r && r->ok) {
      *said = r->first;
      return l;
    }
    *said = r ? r->first : l->error();
    if (r) l->single("QUIT");
    if (std::chrono::steady_clock::now() >= end) return nullptr;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// "+OK n size" -> {n, size}.
std::optional<std::pair<std::size_t, std::size_t>> parse_stat(const std::string& line) {
  if (line.rfind("+OK ", 0) != 0) return std::nullopt;
  std::size_t i = 4, n = 0, size = 0;
  auto number = [&](std::size_t& out) {
    const std::size_t start = i;
    while (i < line.size() && line[i] >= '0' && line[i] <= '9') out = out * 10 + static_cast<std::size_t>(line[i++] - '0');
    return i > start && i - start < 19;
  };
  if (!number(n) || i >= line.size() || line[i++] != ' ' || !number(size)) return std::nullopt;
  if (i != line.size() && line[i] != ' ') return std::nullopt;
  return std::make_pair(n, size);
}

// "n rest" -> {n, rest}
std::optional<std::pair<std::size_t, std::string>> parse_scan(const std::string& line) {
  std::size_t i = 0, n = 0;
  while (i < line.size() && line[i] >= '0' && line[i] <= '9' && i < 18) n = n * 10 + static_cast<std::size_t>(line[i++] - '0');
  if (i == 0 || i >= line.size() || line[i] != ' ' || i + 1 >= line.size()) return std::nullopt;
  return std::make_pair(n, line.substr(i + 1));
}

Result greeting(Pop3Ctx& c) {
  c.anon = std::make_unique<Pop3Line>(c.url, c.opt.timeout);
  if (!c.anon->open()) {
    c.stop = "server not reachable";
    return Result::fail(c.anon->error());
  }
  if (c.anon->greeting().rfind("+OK", 0) != 0) {
    c.stop = "the server refused the session";
    return Result::fail(c.anon->greeting());
  }
  return Result::pass(c.anon->greeting());
}

Result capa(Pop3Ctx& c) {
  auto r = c.anon->multi("CAPA");
  if (!r) return Result::fail(c.anon->error());
  if (!r->ok) return Result::warn(r->first + " (no CAPA: an RFC 1939-only server)");
  std::string list;
  for (const auto& l : r->lines) {
    if (!list.empty()) list += ' ';
    list += l.substr(0, l.find(' '));
  }
  if (r->bad_stuffing) return Result::fail("bad byte-stuffing in the list: " + list);
  return Result::pass("+OK [" + list + "]");
}

Result stat_before_login(Pop3Ctx& c) {
  auto r = c.anon->single("STAT");
  if (!r) return Result::fail(c.anon->error());
  return r->ok ? Result::fail(r->first + " (STAT answered before login)") : Result::pass(r->first);
}

Result wrong_password(Pop3Ctx& c) {
  if (!c.url.has_credentials) return Result::skip("no USER:PASS in the URL");
  auto u = c.anon->single("USER " + c.url.user);
  if (!u) return Result::fail(c.anon->error());
  if (!u->ok) return Result::skip("USER refused: " + u->first);
  auto r = c.anon->single("PASS " + c.url.password + "-maillab-wrong");
  if (!r) return Result::fail(c.anon->error());
  const bool accepted = r->ok;
  c.anon->single("QUIT");
  c.anon->drop();
  return accepted ? Result::fail(r->first + " (a wrong password was accepted)") : Result::pass(r->first);
}

// RFC 1939 7: "A POP3 server which implements the APOP command will include a timestamp
// in its banner greeting" (a msg-id, "<1896.697170952@dbc.mtview.ca.us>").
std::string apop_timestamp(const std::string& greeting) {
  const auto open = greeting.find('<');
  const auto close = open == std::string::npos ? open : greeting.find('>', open);
  if (close == std::string::npos) return {};
  std::string ts = greeting.substr(open, close - open + 1);
  return ts.find('@') == std::string::npos ? std::string() : ts;
}

Result apop(Pop3Ctx& c) {
  if (!c.url.has_credentials) return Result::skip("no credentials (USER:PASS in the URL, or --user/--password)");
  auto end = std::chrono::steady_clock::now() + c.opt.timeout;
  for (;;) {
    Pop3Line l(c.url, c.opt.timeout);
    if (!l.open()) return Result::fail(l.error());
    const std::string ts = apop_timestamp(l.greeting());
    if (ts.empty()) {
      l.single("QUIT");
      return Result::skip("no timestamp in the greeting: APOP not offered");
    }
    auto r = l.single("APOP " + c.url.user + " " + pop3::Md5::hex(ts + c.url.password));
    if (!r) return Result::fail(l.error());
    l.single("QUIT");  // nothing was marked deleted
    if (r->ok) return Result::pass(r->first + " (timestamp " + ts + ")");
    // The maildrop may still be locked by the connection just closed (RFC 1939 8; RFC
    // 2449 8.1.2's [IN-USE]); any other refusal is final (no guessing of passwords).
    const std::string text = message::ascii_lower(r->first);
    const bool locked = text.find("[in-use]") != std::string::npos || text.find("lock") != std::string::npos;
    if (!locked || std::chrono::steady_clock::now() >= end)
      return Result::fail(r->first + " (the password USER/PASS takes; timestamp " + ts + ")");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

Result user_pass(Pop3Ctx& c) {
  if (c.anon && c.anon->alive()) {
    c.anon->single("QUIT");
    c.anon->drop();
  }
  if (!c.url.has_credentials) return Result::skip("no USER:PASS in the URL");
  std::string said;
  bool user_refused = false;
  c.session = login(c, &said, &user_refused);
  if (user_refused) return Result::skip("USER refused: " + said);
  return c.session ? Result::pass(said) : Result::fail(said);
}

Result stat(Pop3Ctx& c) {
  if (auto s = c.needs_login()) return *s;
  auto r = c.session->single("STAT");
  if (!r) return Result::fail(c.session->error());
  auto parsed = parse_stat(r->first);
  if (!parsed) return Result::fail(r->first);
  c.stat_ok = true;
  std::tie(c.count, c.size) = *parsed;
  return Result::pass(r->first);
}

Result list(Pop3Ctx& c) {
  if (auto s = c.needs_login()) return *s;
  auto r = c.session->multi("LIST");
  if (!r) return Result::fail(c.session->error());
  if (!r->ok) return Result::fail(r->first);
  std::size_t sum = 0;
  for (const auto& l : r->lines) {
    auto p = parse_scan(l);
    std::size_t size = 0;
    bool digits = p && !p->second.empty();
    if (p)
      for (char ch : p->second.substr(0, p->second.find(' '))) {
        if (ch < '0' || ch > '9') digits = false;
        else size = size * 10 + static_cast<std::size_t>(ch - '0');
      }
    if (!digits) return Result::fail("bad scan listing '" + l + "'");
    if (c.sizes.count(p->first)) return Result::fail("message " + std::to_string(p->first) + " listed twice");
    c.sizes[p->first] = size;
    sum += size;
  }
  const std::string said = r->first + " (" + std::to_string(r->lines.size()) + " lines)";
  if (r->bad_stuffing) return Result::fail(said + ": bad byte-stuffing");
  if (c.stat_ok && (r->lines.size() != c.count || sum != c.size))
    return Result::fail(said + ": " + std::to_string(r->lines.size()) + " messages, " + std::to_string(sum) +
                        " octets; STAT said " + std::to_string(c.count) + ", " + std::to_string(c.size));
  return Result::pass(said);
}

Result uidl(Pop3Ctx& c) {
  if (auto s = c.needs_login()) return *s;
  auto r = c.session->multi("UIDL");
  if (!r) return Result::fail(c.session->error());
  if (!r->ok) return Result::skip(r->first + " (UIDL is optional)");
  std::set<std::string> seen;
  for (const auto& l : r->lines) {
    auto p = parse_scan(l);
    if (!p || p->second.empty() || p->second.size() > 70) return Result::fail("bad unique-id listing '" + l + "'");
    for (char ch : p->second)
      if (ch < 0x21 || ch > 0x7e) return Result::fail("bad octet in unique-id '" + l + "'");
    if (!seen.insert(p->second).second) return Result::fail("unique-id used twice: '" + l + "'");
    c.uids[p->first] = p->second;
  }
  const std::string said = r->first + " (" + std::to_string(r->lines.size()) + " lines)";
  if (c.stat_ok && r->lines.size() != c.count)
    return Result::fail(said + ": STAT said " + std::to_string(c.count) + " messages");
  return Result::pass(said);
}

Result retr(Pop3Ctx& c) {
  if (auto s = c.needs_login()) return *s;
  if (c.count == 0) return Result::skip("the maildrop is empty");
  auto r = c.session->multi("RETR 1");
  if (!r) return Result::fail(c.session->error());
  if (!r->ok) return Result::fail(r->first);
  if (r->bad_stuffing) return Result::fail(r->first + ": a line starts with a single '.' (not byte-stuffed)");
  c.first_message = r->body;
  c.retr_ok = true;
  const std::string said = r->first + " (un-stuffed: " + std::to_string(r->body.size()) + " octets)";
  if (c.sizes.count(1) && c.sizes[1] != r->body.size())
    return Result::warn(said + "; LIST said " + std::to_string(c.sizes[1]));
  if (r->bare_lf) return Result::warn(said + "; lines end in a bare LF");
  return Result::pass(said);
}

Result top(Pop3Ctx& c) {
  if (auto s = c.needs_login()) return *s;
  if (c.count == 0) return Result::skip("the maildrop is empty");
  auto r = c.session->multi("TOP 1 0");
  if (!r) return Result::fail(c.session->error());
  if (!r->ok) return Result::skip(r->first + " (TOP is optional)");
  if (!c.retr_ok) return Result::pass(r->first);
  const std::string_view want = pop3::top_of(c.first_message, 0);
  const std::string said = r->first + " (" + std::to_string(r->body.size()) + " octets)";
  if (r->body != want)
    return Result::fail(said + "; the header of RETR 1 with its blank line has " + std::to_string(want.size()));
  return Result::pass(said);
}

Result dele_rset(Pop3Ctx& c) {
  if (auto s = c.needs_login()) return *s;
  if (c.count == 0) return Result::skip("the maildrop is empty");
  // From here this connection has sent DELE: it is dropped, never QUIT.
  std::unique_ptr<Pop3Line> l = std::move(c.session);
  auto d = l->single("DELE 1");
  if (!d) return Result::fail(l->error());
  if (!d->ok) return Result::fail(d->first);
  auto s1 = l->single("STAT");
  auto r = l->single("RSET");
  auto s2 = l->single("STAT");
  l->drop();
  if (!s1 || !r || !s2) return Result::fail(l->error());
  auto p1 = parse_stat(s1->first), p2 = parse_stat(s2->first);
  const std::string said = "DELE; " + s1->first + "; " + r->first + "; " + s2->first;
  if (!r->ok) return Result::fail(said);
  if (!p1 || p1->first + 1 != c.count) return Result::fail(said + " (a deleted message still counted)");
  if (!p2 || p2->first != c.count) return Result::fail(said + " (RSET did not undelete)");
  return Result::pass(said);
}

Result no_quit_no_delete(Pop3Ctx& c) {
  if (!c.url.has_credentials) return Result::skip("no USER:PASS in the URL");
  if (c.session) {
    c.session->single("QUIT");  // nothing marked deleted on it
    c.session->drop();
  }
  if (c.count == 0) {
    std::string said;
    c.session = login(c, &said);
    return Result::skip("the maildrop is empty");
  }
  std::string said;
  auto l = login(c, &said);
  if (!l) return Result::fail("login: " + said);
  auto d = l->single("DELE 1");
  l->drop();
  if (!d) return Result::fail(l->error());
  if (!d->ok) return Result::fail(d->first);
  c.session = login(c, &said);
  if (!c.session) return Result::fail("login again: " + said);
  if (c.uids.count(1)) {
    auto u = c.session->multi("UIDL");
    if (!u || !u->ok) return Result::fail(u ? u->first : c.session->error());
    for (const auto& line : u->lines) {
      auto p = parse_scan(line);
      if (p && p->second == c.uids[1]) return Result::pass("message '" + c.uids[1] + "' still there");
    }
    return Result::fail("message '" + c.uids[1] + "' was deleted without QUIT");
  }
  auto s = c.session->single("STAT");
  auto p = s ? parse_stat(s->first) : std::nullopt;
  if (!p) return Result::fail(s ? s->first : c.session->error());
  if (p->first < c.count) return Result::fail(s->first + " (was " + std::to_string(c.count) + ": deleted without QUIT)");
  return Result::pass(s->first);
}

Result unknown_command(Pop3Ctx& c) {
  if (auto s = c.needs_login()) return *s;
  auto r = c.session->single("XMAILLABCHECK");
  if (!r) return Result::fail(c.session->error());
  return r->ok ? Result::fail(r->first) : Result::pass(r->first);
}

Result noop(Pop3Ctx& c) {
  if (auto s = c.needs_login()) return *s;
  auto r = c.session->single("NOOP");
  if (!r) return Result::fail(c.session->error());
  return r->ok ? Result::pass(r->first) : Result::fail(r->first);
}

Result quit(Pop3Ctx& c) {
  std::unique_ptr<Pop3Line> l = std::move(c.session);
  if (!l || !l->alive()) {
    l = std::make_unique<Pop3Line>(c.url, c.opt.timeout);
    if (!l->open()) return Result::fail(l->error());
  }
  auto r = l->single("QUIT");
  if (!r) return Result::fail(l->error());
  l->drop();
  return r->ok ? Result::pass(r->first) : Result::fail(r->first);
}

constexpr std::array<CheckSpec<Pop3Ctx>, 16> kChecks{{
    {"greeting +OK", "1939 4", Level::Must, greeting},
    {"CAPA lists capabilities", "2449 5", Level::Should, capa},
    {"STAT before login -> -ERR", "1939 3, 4", Level::Must, stat_before_login},
    {"wrong password -> -ERR", "1939 7", Level::Must, wrong_password},
    {"APOP with the password", "1939 7", Level::Should, apop},
    {"USER/PASS -> +OK", "1939 7", Level::Must, user_pass},
    {"STAT '+OK n size'", "1939 5", Level::Must, stat},
    {"LIST terminated, matches STAT", "1939 5", Level::Must, list},
    {"UIDL terminated, matches STAT", "1939 7", Level::Must, uidl},
    {"RETR 1 terminated, unstuffed", "1939 3, 5", Level::Must, retr},
    {"TOP 1 0: headers only", "1939 7", Level::Must, top},
    {"DELE then RSET undeletes", "1939 5", Level::Must, dele_rset},
    {"no QUIT: nothing deleted", "1939 6", Level::Must, no_quit_no_delete},
    {"unknown command -> -ERR", "1939 3", Level::Must, unknown_command},
    {"NOOP +OK", "1939 5", Level::Must, noop},
    {"QUIT +OK", "1939 6", Level::Must, quit},
}};

}  // namespace

Report check_pop3(const Url& url, const Options& options) {
  Pop3Ctx c{url, options, {}, {}, {}, false, 0, 0, {}, {}, {}, false};
  return run_table<Pop3Ctx>(kChecks, c);
}

}  // namespace maillab::check
