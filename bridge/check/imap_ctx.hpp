// check::imap_rows: the shared state and helpers of the IMAP checks (imap_checks.cpp: the session, state
// and folder rows and the table; imap_message_checks.cpp: the rows about the test
// message). Not a public interface: only those two files include it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bridge/check/check.hpp"
#include "bridge/check/imap_probe.hpp"
#include "protocols/message/ascii.hpp"

namespace maillab::check::imap_rows {

// What the rows learn and share, in table order.
struct ImapCtx {
  const Url& url;
  const Options& opt;
  std::string stop;
  std::unique_ptr<ImapLine> anon;
  std::unique_ptr<ImapLine> session;
  std::vector<std::string> caps;
  bool preauth = false;
  std::string folder;
  std::string message, message2;
  bool created = false, deleted = false, appended = false, appended2 = false, selected = false;
  std::string uidvalidity;
  std::uint32_t uid1 = 0;

  bool has(std::string_view cap) const {
    for (const auto& c : caps)
      if (message::iequals(c, cap)) return true;
    return false;
  }
  std::optional<Result> needs_login() const {
    if (!url.has_credentials) return Result::skip("no USER:PASS in the URL");
    if (!session || !session->alive()) return Result::skip("not logged in");
    return std::nullopt;
  }
  std::optional<Result> needs_message() const {
    if (auto s = needs_login()) return s;
    if (!appended || !selected) return Result::skip("the test message is not in a selected folder");
    return std::nullopt;
  }
};

// The multipart/mixed test message (fixed Date, From, To; Message-ID <token@maillab.check>).
std::string test_message(const std::string& token, const std::string& subject);
// "OK text" of a tagged reply; the connection's error when there was none.
std::string said(const ImapReply& r);
std::string said(const std::optional<ImapReply>& r, const ImapLine& l);
// The text of response code `code` ("UIDVALIDITY" in "OK [UIDVALIDITY 3857529045] ...")
// among the untagged responses and the tagged line.
std::optional<std::string> response_code(const ImapReply& r, std::string_view code);
// The untagged "n FETCH (...)" for message n.
const std::string* fetch_of(const ImapReply& r, std::uint32_t n);
bool has_flag(const std::optional<ImapValue>& flags, std::string_view flag);
// A fresh connection, logged in (or PREAUTH); nullptr and *out on failure.
std::unique_ptr<ImapLine> login(ImapCtx& c, std::string* out);
std::optional<ImapReply> select(ImapLine& l, const std::string& verb, const std::string& folder);

Result envelope(ImapCtx& c);
Result bodystructure(ImapCtx& c);
Result body_peek(ImapCtx& c);
Result store(ImapCtx& c);
Result uid_stable(ImapCtx& c);
Result idle(ImapCtx& c);
Result expunge(ImapCtx& c);

}  // namespace maillab::check::imap_rows
