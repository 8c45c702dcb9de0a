// The IMAP rows about the test message: ENVELOPE, BODYSTRUCTURE, BODY.PEEK[], STORE, UID
// stability across sessions, IDLE and EXPUNGE (the table: imap_checks.cpp).
#include <chrono>
#include <cstdlib>

#include "bridge/check/imap_ctx.hpp"

namespace maillab::check::imap_rows {

namespace {

constexpr const char* kDate = "Mon, 07 Dec 2026 12:00:00 +0000";
constexpr const char* kTextBody = "Hello from maillab check.\r\nA second line.\r\n";
constexpr const char* kBinaryBody = "AAECAwQFBgcICQ==\r\n";

// "(name adl mailbox host)" of an ENVELOPE address list's first address.
std::string address(const ImapValue& list) {
  const ImapValue& a = list.at(0);
  if (a.kind != ImapValue::Kind::List) return "NIL";
  return a.at(0).text + " <" + a.at(2).text + "@" + a.at(3).text + ">";
}

}  // namespace

std::string test_message(const std::string& token, const std::string& subject) {
  return std::string("From: Maillab Check <check@maillab.test>\r\n") +
         "To: Check Target <target@maillab.test>\r\n" + "Subject: " + subject + "\r\n" + "Date: " + kDate +
         "\r\n" + "Message-ID: <" + token + "@maillab.check>\r\n" + "MIME-Version: 1.0\r\n" +
         "Content-Type: multipart/mixed; boundary=\"=_maillab_check\"\r\n\r\n" + "--=_maillab_check\r\n" +
         "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" + kTextBody +
         "\r\n--=_maillab_check\r\n" +
         "Content-Type: application/octet-stream; name=\"data.bin\"\r\nContent-Transfer-Encoding: base64\r\n" +
         "Content-Disposition: attachment; filename=\"data.bin\"\r\n\r\n" + kBinaryBody +
         "\r\n--=_maillab_check--\r\n";
}

Result envelope(ImapCtx& c) {
  if (auto s = c.needs_message()) return *s;
  auto r = c.session->command("FETCH 1 (UID ENVELOPE)");
  if (!r) return Result::fail(c.session->error());
  const auto* f = fetch_of(*r, 1);
  if (!r->ok() || !f) return Result::fail(said(*r));
  auto env = fetch_attribute(*f, "ENVELOPE");
  if (auto uid = fetch_attribute(*f, "UID")) c.uid1 = static_cast<std::uint32_t>(std::strtoul(uid->text.c_str(), nullptr, 10));
  if (!env || env->kind != ImapValue::Kind::List || env->items.size() != 10) return Result::fail("malformed: " + *f);
  std::string wrong;
  auto want = [&](bool ok, const std::string& what) {
    if (!ok) wrong += (wrong.empty() ? "" : "; ") + what;
  };
  want(env->at(0).text == kDate, "date '" + env->at(0).text + "'");
  want(env->at(1).text == "maillab check " + c.folder, "subject '" + env->at(1).text + "'");
  const std::string from = address(env->at(2));
  want(from == "Maillab Check <check@maillab.test>", "from " + from);
  want(address(env->at(3)) == from, "sender " + address(env->at(3)) + " (defaults to from)");
  want(address(env->at(4)) == from, "reply-to " + address(env->at(4)) + " (defaults to from)");
  want(address(env->at(5)) == "Check Target <target@maillab.test>", "to " + address(env->at(5)));
  want(env->at(6).kind == ImapValue::Kind::Nil && env->at(7).kind == ImapValue::Kind::Nil, "cc/bcc not NIL");
  want(env->at(9).text == "<" + c.folder + "@maillab.check>", "message-id '" + env->at(9).text + "'");
  if (!wrong.empty()) return Result::fail(wrong);
  return Result::pass("date, subject, from, sender, reply-to, to, message-id as sent");
}

Result bodystructure(ImapCtx& c) {
  if (auto s = c.needs_message()) return *s;
  auto r = c.session->command("FETCH 1 (BODYSTRUCTURE)");
  if (!r) return Result::fail(c.session->error());
  const auto* f = fetch_of(*r, 1);
  if (!r->ok() || !f) return Result::fail(said(*r));
  auto bs = fetch_attribute(*f, "BODYSTRUCTURE");
  if (!bs || bs->kind != ImapValue::Kind::List) return Result::fail("malformed: " + *f);
  const ImapValue& text = bs->at(0);
  const ImapValue& bin = bs->at(1);
  std::string wrong;
  auto want = [&](bool ok, const std::string& what) {
    if (!ok) wrong += (wrong.empty() ? "" : "; ") + what;
  };
  auto param = [](const ImapValue& part, std::string_view name) {
    const ImapValue& p = part.at(2);
    for (std::size_t i = 0; i + 1 < p.items.size(); i += 2)
      if (p.items[i].is(name)) return p.items[i + 1].text;
    return std::string();
  };
  want(text.kind == ImapValue::Kind::List && bin.kind == ImapValue::Kind::List && bs->at(2).is("MIXED"),
       "not multipart/mixed of two parts");
  if (wrong.empty()) {
    const std::string text_size = std::to_string(std::string_view(kTextBody).size());
    const std::string bin_size = std::to_string(std::string_view(kBinaryBody).size());
    want(text.at(0).is("TEXT") && text.at(1).is("PLAIN"), "part 1 " + text.at(0).text + "/" + text.at(1).text);
    want(message::iequals(param(text, "CHARSET"), "us-ascii"), "part 1 charset");
    want(text.at(5).is("7BIT"), "part 1 encoding " + text.at(5).text);
    want(text.at(6).text == text_size, "part 1 size " + text.at(6).text + " (sent " + text_size + ")");
    want(text.at(7).text == "2", "part 1 lines " + text.at(7).text + " (sent 2)");
    want(bin.at(0).is("APPLICATION") && bin.at(1).is("OCTET-STREAM"), "part 2 " + bin.at(0).text + "/" + bin.at(1).text);
    want(param(bin, "NAME") == "data.bin", "part 2 name");
    want(bin.at(5).is("BASE64"), "part 2 encoding " + bin.at(5).text);
    want(bin.at(6).text == bin_size, "part 2 size " + bin.at(6).text + " (sent " + bin_size + ")");
  }
  if (!wrong.empty()) return Result::fail(wrong + ": " + *f);
  return Result::pass("multipart/mixed: text/plain 7bit, application/octet-stream base64; sizes and lines as sent");
}

Result body_peek(ImapCtx& c) {
  if (auto s = c.needs_message()) return *s;
  auto r = c.session->command("FETCH 1 (BODY.PEEK[] RFC822.SIZE)");
  if (!r) return Result::fail(c.session->error());
  const auto* f = fetch_of(*r, 1);
  if (!r->ok() || !f) return Result::fail(said(*r));
  auto body = fetch_attribute(*f, "BODY[]");
  auto size = fetch_attribute(*f, "RFC822.SIZE");
  if (!body) return Result::fail("no BODY[] in " + *f);
  if (body->text != c.message)
    return Result::fail("BODY[] differs from the appended bytes (" + std::to_string(body->text.size()) + " octets, sent " +
                        std::to_string(c.message.size()) + ")");
  if (!size || size->text != std::to_string(c.message.size()))
    return Result::fail("RFC822.SIZE " + (size ? size->text : std::string("missing")) + ", sent " +
                        std::to_string(c.message.size()));
  auto flags = c.session->command("FETCH 1 (FLAGS)");
  const auto* ff = flags ? fetch_of(*flags, 1) : nullptr;
  if (!ff) return Result::fail(said(flags, *c.session));
  if (has_flag(fetch_attribute(*ff, "FLAGS"), "\\Seen")) return Result::fail("BODY.PEEK[] set \\Seen: " + *ff);
  return Result::pass("identical, " + std::to_string(c.message.size()) + " octets = RFC822.SIZE; " + *ff);
}

Result store(ImapCtx& c) {
  if (auto s = c.needs_message()) return *s;
  auto r = c.session->command("STORE 1 +FLAGS (\\Flagged)");
  if (!r) return Result::fail(c.session->error());
  const auto* f = fetch_of(*r, 1);
  if (!r->ok()) return Result::fail(said(*r));
  if (!f || !has_flag(fetch_attribute(*f, "FLAGS"), "\\Flagged"))
    return Result::fail("+FLAGS answered without a FETCH showing \\Flagged: " + said(*r));
  const std::string first = *f;
  auto silent = c.session->command("STORE 1 -FLAGS.SILENT (\\Flagged)");
  if (!silent || !silent->ok()) return Result::fail(said(silent, *c.session));
  const bool echoed = fetch_of(*silent, 1) != nullptr;
  auto check = c.session->command("FETCH 1 (FLAGS)");
  const auto* ff = check ? fetch_of(*check, 1) : nullptr;
  if (!ff) return Result::fail(said(check, *c.session));
  if (has_flag(fetch_attribute(*ff, "FLAGS"), "\\Flagged")) return Result::fail("-FLAGS left \\Flagged: " + *ff);
  if (echoed) return Result::warn(first + "; .SILENT still answered with FETCH");
  return Result::pass(first + "; then -FLAGS.SILENT: " + *ff);
}

Result uid_stable(ImapCtx& c) {
  if (auto s = c.needs_message()) return *s;
  if (c.uid1 == 0) return Result::skip("no UID seen in the first session");
  c.session->command("LOGOUT");
  c.session->drop();
  c.selected = false;
  std::string out;
  c.session = login(c, &out);
  if (!c.session) return Result::fail("login again: " + out);
  auto r = select(*c.session, "SELECT", c.folder);
  if (!r || !r->ok()) return Result::fail(said(r, *c.session));
  c.selected = true;
  auto validity = response_code(*r, "UIDVALIDITY");
  auto f = c.session->command("FETCH 1 (UID)");
  const auto* line = f ? fetch_of(*f, 1) : nullptr;
  auto uid = line ? fetch_attribute(*line, "UID") : std::nullopt;
  const std::string now = "UIDVALIDITY " + validity.value_or("none") + ", UID " + (uid ? uid->text : "none");
  const std::string before = "UIDVALIDITY " + c.uidvalidity + ", UID " + std::to_string(c.uid1);
  if (now != before) return Result::fail(now + "; the first session saw " + before);
  return Result::pass(now + " in both sessions");
}

Result append_second(ImapCtx& c, std::string* out) {
  std::string said_login;
  auto other = login(c, &said_login);
  if (!other) return Result::fail("a second session: " + said_login);
  auto r = other->command(ImapCommand().text("APPEND ").astring(c.folder).text(" ").literal(c.message2));
  other->command("LOGOUT");
  if (!r || !r->ok()) return Result::fail("APPEND from a second session: " + said(r, *other));
  c.appended2 = true;
  *out = said(*r);
  return Result::pass(*out);
}

Result idle(ImapCtx& c) {
  if (auto s = c.needs_message()) return *s;
  if (!c.has("IDLE")) return Result::skip("IDLE not announced");
  if (!c.session->idle_start()) return Result::fail("IDLE: no + (" + c.session->error() + ")");
  std::string appended;
  Result second = append_second(c, &appended);
  if (second.outcome == Outcome::Fail) {
    c.session->idle_done();
    return second;
  }
  const auto end = std::chrono::steady_clock::now() + c.opt.timeout;
  std::string seen;
  while (std::chrono::steady_clock::now() < end) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    auto u = c.session->wait_untagged(std::max(left, std::chrono::milliseconds(1)));
    if (!u) break;
    ImapReply probe;
    probe.untagged.push_back(*u);
    if (auto n = probe.number_of("EXISTS"); n && *n >= 2) {
      seen = "* " + *u;
      break;
    }
  }
  auto done = c.session->idle_done();
  if (seen.empty()) return Result::fail("no EXISTS during IDLE after another session's APPEND (" + appended + ")");
  if (!done || !done->ok()) return Result::fail(seen + "; DONE: " + said(done, *c.session));
  return Result::pass(seen + " during IDLE; DONE: " + said(*done));
}

Result expunge(ImapCtx& c) {
  if (auto s = c.needs_message()) return *s;
  if (!c.appended2) {
    std::string out;
    Result second = append_second(c, &out);
    if (second.outcome == Outcome::Fail) return second;
  }
  auto all = c.session->command("FETCH 1:* (UID)");
  const auto* second = all ? fetch_of(*all, 2) : nullptr;
  auto uid2 = second ? fetch_attribute(*second, "UID") : std::nullopt;
  if (!uid2) return Result::fail("FETCH 1:* (UID) showed no message 2: " + said(all, *c.session));
  auto st = c.session->command("STORE 1 +FLAGS.SILENT (\\Deleted)");
  if (!st || !st->ok()) return Result::fail(said(st, *c.session));
  auto r = c.session->command("EXPUNGE");
  if (!r) return Result::fail(c.session->error());
  if (!r->ok()) return Result::fail(said(*r));
  const auto gone = r->number_of("EXPUNGE");
  if (!gone || *gone != 1) return Result::fail(said(*r) + " (no * 1 EXPUNGE)");
  auto after = c.session->command("FETCH 1 (UID)");
  const auto* line = after ? fetch_of(*after, 1) : nullptr;
  auto uid = line ? fetch_attribute(*line, "UID") : std::nullopt;
  if (!uid || uid->text != uid2->text)
    return Result::fail("after EXPUNGE message 1 has UID " + (uid ? uid->text : std::string("none")) + ", not " +
                        uid2->text + " (UIDs must not change)");
  return Result::pass("* 1 EXPUNGE; the second message keeps UID " + uid2->text);
}

}  // namespace maillab::check::imap_rows
