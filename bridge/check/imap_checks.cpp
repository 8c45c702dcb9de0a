// The IMAP check table of `maillab check imap://USER:PASS@HOST[:PORT]`.
//
//   check                             RFC              level   how
//   greeting * OK                     9051 7.1.1       MUST    "* OK" or "* PREAUTH"
//   CAPABILITY: IMAP4rev1/IMAP4rev2   9051 6.1.1       MUST    one of them listed
//   SELECT before login -> NO/BAD     9051 3, 6.3.2    MUST    not-authenticated state
//   wrong password -> NO              9051 6.2.3       MUST    LOGIN user <wrong>
//   LOGIN -> OK                       9051 6.2.3       MUST    on a fresh connection
//   synchronising literal: + then data 9051 4.3, 7.5   MUST    CREATE {n} of the check's folder
//   LITERAL+: no wait for +           7888 3, 4        MUST    when LITERAL+/LITERAL- is announced
//   APPEND the test message           9051 6.3.12      MUST    OK (APPENDUID with UIDPLUS)
//   SELECT: FLAGS, EXISTS, UIDVALIDITY, UIDNEXT  9051 6.3.2 MUST  PERMANENTFLAGS missing warns
//   EXAMINE: [READ-ONLY]              9051 6.3.3       MUST
//   FETCH ENVELOPE = the sent header  9051 7.5.2       MUST    date, subject, addresses, message-id
//   FETCH BODYSTRUCTURE = the MIME tree 9051 7.5.2     MUST    types, parameters, encodings, sizes, lines
//   BODY.PEEK[] = the appended bytes  9051 6.4.5       MUST    and \Seen not set
//   STORE +FLAGS / -FLAGS.SILENT      9051 6.4.6       MUST    \Flagged set and cleared
//   UIDs stable across sessions       9051 2.3.1.1     MUST    UIDVALIDITY and UID again after LOGOUT
//   IDLE: another session's APPEND -> EXISTS  2177 3 / 9051 6.3.13  MUST when IDLE is announced
//   EXPUNGE: * n EXPUNGE, UIDs kept   9051 6.4.3, 7.4.1 MUST
//   unknown command -> BAD            9051 7.1.5       MUST
//   DELETE the check's folder         9051 6.3.5       MUST    and LIST no longer shows it
//   LOGOUT: BYE then OK               9051 6.1.3       MUST
//
// Nothing destructive outside the folder the check creates ("maillab-check-<time>-<pid>"):
// every APPEND, STORE and EXPUNGE happens there, and it is deleted at the end (once more
// on a fresh connection if a check stopped half way).
#include <array>
#include <chrono>
#include <memory>
#include <unistd.h>

#include "bridge/check/check_table.hpp"
#include "bridge/check/imap_ctx.hpp"

namespace maillab::check {

namespace imap_rows {

std::string said(const ImapReply& r) { return r.status + " " + r.tagged.substr(r.tagged.find(' ') + 1); }
std::string said(const std::optional<ImapReply>& r, const ImapLine& l) { return r ? said(*r) : l.error(); }

// The words of an untagged CAPABILITY, or of a "[CAPABILITY ...]" response code.
static std::vector<std::string> capability_words(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto sp = text.find(' ', i);
    std::string word(text.substr(i, sp == std::string_view::npos ? std::string_view::npos : sp - i));
    if (!word.empty() && word.back() == ']') word.pop_back();
    if (!word.empty() && out.size() < 256) out.push_back(word);
    if (sp == std::string_view::npos) break;
    i = sp + 1;
  }
  return out;
}

// The text of response code `code` ("UIDVALIDITY" in "OK [UIDVALIDITY 3857529045] ...")
// among the untagged responses and the tagged line.
std::optional<std::string> response_code(const ImapReply& r, std::string_view code) {
  auto look = [&](std::string_view line) -> std::optional<std::string> {
    const std::string want = "[" + std::string(code);
    const auto at = line.find(want);
    if (at == std::string_view::npos) return std::nullopt;
    const auto start = at + want.size();
    const auto close = line.find(']', start);
    if (close == std::string_view::npos || (start < line.size() && line[start] != ' ' && line[start] != ']'))
      return std::nullopt;
    std::string_view v = line.substr(start, close - start);
    if (!v.empty() && v[0] == ' ') v.remove_prefix(1);
    return std::string(v);
  };
  for (const auto& u : r.untagged)
    if (auto v = look(u)) return v;
  return look(r.tagged);
}

// The untagged "n FETCH (...)" for message n.
const std::string* fetch_of(const ImapReply& r, std::uint32_t n) {
  const std::string prefix = std::to_string(n) + " FETCH ";
  for (const auto& u : r.untagged)
    if (u.size() > prefix.size() && message::istarts_with(u, prefix))
      return &u;
  return nullptr;
}

bool has_flag(const std::optional<ImapValue>& flags, std::string_view flag) {
  if (!flags) return false;
  for (const auto& f : flags->items)
    if (f.is(flag)) return true;
  return false;
}

static void update_caps(ImapCtx& c, ImapLine& l, const ImapReply* login_reply) {
  if (login_reply)
    if (auto code = response_code(*login_reply, "CAPABILITY")) {
      c.caps = capability_words(*code);
      return;
    }
  auto r = l.command("CAPABILITY");
  if (r && r->ok())
    if (const auto* line = r->find("CAPABILITY")) c.caps = capability_words(std::string_view(*line).substr(11));
}

std::unique_ptr<ImapLine> login(ImapCtx& c, std::string* out) {
  auto l = std::make_unique<ImapLine>(c.url, c.opt.timeout);
  if (!l->open()) {
    *out = l->error();
    return nullptr;
  }
  if (l->greeting().rfind("* PREAUTH", 0) == 0) {
    *out = l->greeting();
    return l;
  }
  auto r = l->command(ImapCommand().text("LOGIN ").astring(c.url.user).text(" ").astring(c.url.password));
  *out = said(r, *l);
  if (!r || !r->ok()) return nullptr;
  update_caps(c, *l, &*r);
  return l;
}

std::optional<ImapReply> select(ImapLine& l, const std::string& verb, const std::string& folder) {
  return l.command(ImapCommand().text(verb + " ").astring(folder));
}

namespace {

Result greeting(ImapCtx& c) {
  c.anon = std::make_unique<ImapLine>(c.url, c.opt.timeout);
  if (!c.anon->open()) {
    c.stop = "server not reachable";
    return Result::fail(c.anon->error());
  }
  const std::string& g = c.anon->greeting();
  c.preauth = g.rfind("* PREAUTH", 0) == 0;
  if (g.rfind("* OK", 0) != 0 && !c.preauth) {
    c.stop = "the server refused the session";
    return Result::fail(g);
  }
  return Result::pass(g);
}

Result capability(ImapCtx& c) {
  auto r = c.anon->command("CAPABILITY");
  if (!r) return Result::fail(c.anon->error());
  const auto* line = r->find("CAPABILITY");
  if (!r->ok() || !line) return Result::fail(said(*r));
  c.caps = capability_words(std::string_view(*line).substr(11));
  if (!c.has("IMAP4rev1") && !c.has("IMAP4rev2")) return Result::fail(*line + " (neither IMAP4rev1 nor IMAP4rev2)");
  return Result::pass(*line);
}

Result select_before_login(ImapCtx& c) {
  if (c.preauth) return Result::skip("PREAUTH: the session starts authenticated");
  auto r = c.anon->command("SELECT INBOX");
  if (!r) return Result::fail(c.anon->error());
  return r->ok() ? Result::fail(said(*r) + " (SELECT answered before login)") : Result::pass(said(*r));
}

Result wrong_password(ImapCtx& c) {
  if (!c.url.has_credentials) return Result::skip("no USER:PASS in the URL");
  if (c.preauth) return Result::skip("PREAUTH: no login");
  if (c.has("LOGINDISABLED")) {
    c.stop = "LOGINDISABLED: the server wants TLS first";
    return Result::skip(c.stop);
  }
  auto r = c.anon->command(
      ImapCommand().text("LOGIN ").astring(c.url.user).text(" ").astring(c.url.password + "-maillab-wrong"));
  if (!r) return Result::fail(c.anon->error());
  const bool accepted = r->ok();
  c.anon->command("LOGOUT");
  c.anon->drop();
  if (accepted) return Result::fail(said(*r) + " (a wrong password was accepted)");
  return r->status == "NO" ? Result::pass(said(*r)) : Result::warn(said(*r) + " (RFC 9051 6.2.3 answers NO)");
}

Result login_ok(ImapCtx& c) {
  if (c.anon && c.anon->alive()) {
    c.anon->command("LOGOUT");
    c.anon->drop();
  }
  if (!c.url.has_credentials && !c.preauth) return Result::skip("no USER:PASS in the URL");
  std::string out;
  c.session = login(c, &out);
  if (!c.session) return Result::fail(out);
  c.folder = "maillab-check-" +
             std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count()) +
             "-" + std::to_string(::getpid());
  c.message = test_message(c.folder, "maillab check " + c.folder);
  c.message2 = test_message(c.folder + ".2", "maillab check, the second message");
  return Result::pass(out);
}

Result literal_sync(ImapCtx& c) {
  if (auto s = c.needs_login()) return *s;
  auto r = c.session->command(ImapCommand().text("CREATE ").literal(c.folder));
  if (!r) return Result::fail(c.session->error());
  if (r->ok() && r->continuations == 1) {
    c.created = true;
    return Result::pass("+, then " + said(*r) + " (CREATE " + c.folder + ")");
  }
  Result result = Result::fail(said(*r) + (r->continuations ? "" : " (no + before the literal's data)"));
  r = c.session->command("CREATE " + c.folder);  // the other checks need the folder
  c.created = r && r->ok();
  return result;
}

Result literal_plus(ImapCtx& c) {
  if (auto s = c.needs_login()) return *s;
  if (!c.has("LITERAL+") && !c.has("LITERAL-")) return Result::skip("neither LITERAL+ nor LITERAL- announced");
  auto r = c.session->command(
      ImapCommand().text("STATUS {" + std::to_string(c.folder.size()) + "+}\r\n" + c.folder + " (MESSAGES)"));
  if (!r) return Result::fail(c.session->error());
  if (!r->ok()) return Result::fail(said(*r));
  const auto* status = r->find("STATUS");
  if (r->continuations) return Result::fail("a + was sent for a non-synchronising literal");
  if (!status) return Result::fail(said(*r) + " (no STATUS response)");
  return Result::pass(*status);
}

Result append(ImapCtx& c) {
  if (auto s = c.needs_login()) return *s;
  if (!c.created) return Result::skip("the check's folder could not be created");
  auto r = c.session->command(
      ImapCommand().text("APPEND ").astring(c.folder).text(" \"07-Dec-2026 12:00:00 +0000\" ").literal(c.message));
  if (!r) return Result::fail(c.session->error());
  if (!r->ok()) return Result::fail(said(*r));
  c.appended = true;
  if (c.has("UIDPLUS") && !response_code(*r, "APPENDUID"))
    return Result::warn(said(*r) + " (UIDPLUS announced, no [APPENDUID])");
  return Result::pass(said(*r) + " (" + std::to_string(c.message.size()) + " octets)");
}

Result select_answers(ImapCtx& c) {
  if (auto s = c.needs_login()) return *s;
  if (!c.created) return Result::skip("the check's folder could not be created");
  auto r = select(*c.session, "SELECT", c.folder);
  if (!r) return Result::fail(c.session->error());
  if (!r->ok()) return Result::fail(said(*r));
  c.selected = true;
  std::string missing;
  if (!r->find("FLAGS")) missing += " FLAGS";
  const auto exists = r->number_of("EXISTS");
  if (!exists) missing += " EXISTS";
  const auto validity = response_code(*r, "UIDVALIDITY");
  if (!validity) missing += " UIDVALIDITY";
  if (!response_code(*r, "UIDNEXT")) missing += " UIDNEXT";
  if (!missing.empty()) return Result::fail("missing:" + missing);
  c.uidvalidity = *validity;
  const std::string found = "EXISTS " + std::to_string(*exists) + ", UIDVALIDITY " + *validity + "; " + said(*r);
  if (*exists != (c.appended ? 1u : 0u)) return Result::fail(found + " (the folder holds what the check appended)");
  if (!response_code(*r, "PERMANENTFLAGS")) return Result::warn(found + " (no PERMANENTFLAGS)");
  if (!response_code(*r, "READ-WRITE")) return Result::warn(found + " (no [READ-WRITE])");
  return Result::pass(found);
}

Result examine(ImapCtx& c) {
  if (auto s = c.needs_login()) return *s;
  if (!c.created) return Result::skip("the check's folder could not be created");
  auto r = select(*c.session, "EXAMINE", c.folder);
  if (!r) return Result::fail(c.session->error());
  auto back = select(*c.session, "SELECT", c.folder);
  c.selected = back && back->ok();
  if (!r->ok()) return Result::fail(said(*r));
  if (!response_code(*r, "READ-ONLY")) return Result::fail(said(*r) + " (no [READ-ONLY])");
  return Result::pass(said(*r));
}

Result unknown_command(ImapCtx& c) {
  ImapLine* l = c.session && c.session->alive() ? c.session.get() : nullptr;
  std::unique_ptr<ImapLine> own;
  if (!l) {
    own = std::make_unique<ImapLine>(c.url, c.opt.timeout);
    if (!own->open()) return Result::fail(own->error());
    l = own.get();
  }
  auto r = l->command("XMAILLABCHECK");
  if (own) own->command("LOGOUT");
  if (!r) return Result::fail(l->error());
  return r->status == "BAD" ? Result::pass(said(*r)) : Result::fail(said(*r) + " (RFC 9051 7.1.5: BAD)");
}

Result delete_folder(ImapCtx& c) {
  if (auto s = c.needs_login()) return *s;
  if (!c.created) return Result::skip("the check's folder was not created");
  if (c.selected) c.session->command("CLOSE");
  c.selected = false;
  auto r = c.session->command(ImapCommand().text("DELETE ").astring(c.folder));
  if (!r) return Result::fail(c.session->error());
  if (!r->ok()) return Result::fail(said(*r));
  c.deleted = true;
  auto list = c.session->command(ImapCommand().text("LIST \"\" ").astring(c.folder));
  if (list && list->find("LIST")) return Result::fail(said(*r) + ", but LIST still shows it: " + *list->find("LIST"));
  return Result::pass(said(*r) + "; LIST shows no " + c.folder);
}

Result logout(ImapCtx& c) {
  std::unique_ptr<ImapLine> l = std::move(c.session);
  if (!l || !l->alive()) {
    l = std::make_unique<ImapLine>(c.url, c.opt.timeout);
    if (!l->open()) return Result::fail(l->error());
  }
  auto r = l->command("LOGOUT");
  if (!r) return Result::fail(l->error());
  l->drop();
  if (!r->find("BYE")) return Result::fail(said(*r) + " (no * BYE first)");
  return r->ok() ? Result::pass("* " + *r->find("BYE") + "; " + said(*r)) : Result::fail(said(*r));
}

constexpr std::array<CheckSpec<ImapCtx>, 20> kChecks{{
    {"greeting * OK", "9051 7.1.1", Level::Must, greeting},
    {"CAPABILITY: IMAP4rev1/IMAP4rev2", "9051 6.1.1", Level::Must, capability},
    {"SELECT before login -> NO/BAD", "9051 3, 6.3.2", Level::Must, select_before_login},
    {"wrong password -> NO", "9051 6.2.3", Level::Must, wrong_password},
    {"LOGIN -> OK", "9051 6.2.3", Level::Must, login_ok},
    {"literal {n}: + then data", "9051 4.3, 7.5", Level::Must, literal_sync},
    {"LITERAL+ {n+}: no + awaited", "7888 3", Level::Must, literal_plus},
    {"APPEND the test message", "9051 6.3.12", Level::Must, append},
    {"SELECT: FLAGS EXISTS UIDVALIDITY UIDNEXT", "9051 6.3.2", Level::Must, select_answers},
    {"EXAMINE: [READ-ONLY]", "9051 6.3.3", Level::Must, examine},
    {"FETCH ENVELOPE = sent header", "9051 7.5.2", Level::Must, envelope},
    {"FETCH BODYSTRUCTURE = sent MIME", "9051 7.5.2", Level::Must, bodystructure},
    {"BODY.PEEK[] = appended, no \\Seen", "9051 6.4.5", Level::Must, body_peek},
    {"STORE +FLAGS / -FLAGS.SILENT", "9051 6.4.6", Level::Must, store},
    {"UIDs stable across sessions", "9051 2.3.1.1", Level::Must, uid_stable},
    {"IDLE: other session's APPEND", "2177 3", Level::Must, idle},
    {"EXPUNGE: * n EXPUNGE, UIDs kept", "9051 6.4.3", Level::Must, expunge},
    {"unknown command -> BAD", "9051 7.1.5", Level::Must, unknown_command},
    {"DELETE the check's folder", "9051 6.3.5", Level::Must, delete_folder},
    {"LOGOUT: BYE, then OK", "9051 6.1.3", Level::Must, logout},
}};

}  // namespace

}  // namespace imap_rows

Report check_imap(const Url& url, const Options& options) {
  using namespace imap_rows;
  ImapCtx c{url, options, {}, {}, {}, {}, false, {}, {}, {}, false, false, false, false, false, {}, 0};
  Report report = run_table<ImapCtx>(kChecks, c);
  if (c.created && !c.deleted && url.has_credentials) {  // a check stopped half way: clean up
    std::string out;
    if (auto l = login(c, &out)) {
      l->command(ImapCommand().text("DELETE ").astring(c.folder));
      l->command("LOGOUT");
    }
  }
  return report;
}

}  // namespace maillab::check