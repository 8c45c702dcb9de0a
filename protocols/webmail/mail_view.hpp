// What the webmail reads out of IMAP responses and messages for its pages: folder names
// from LIST, message rows from FETCH of header fields, the parts of a message to show
// (the first text/plain part decoded; whether there is an HTML part, and its bytes).
// Never trusts the bytes: malformed responses give fewer rows, never an exception.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/webmail/imap_commands.hpp"
#include "protocols/webmail/pages.hpp"

namespace maillab::webmail {

// Mailbox names from LIST responses ("LIST (\HasNoChildren) "/" INBOX"), INBOX first.
std::vector<std::string> folders_from(const ImapReply& list);
// Rows from FETCH responses with UID, FLAGS and a header-fields literal, newest first.
std::vector<MessageRow> rows_from(const ImapReply& fetch);
// The message at `uid` from a FETCH of BODY[] (nullopt when it is not there).
std::optional<ShownMessage> shown_from(const ImapReply& fetch, std::uint32_t uid);
// The decoded text/html part of the message at `uid`, if any.
std::optional<std::string> html_part_from(const ImapReply& fetch, std::uint32_t uid);
// The raw message (or header fields) literal at `uid` in a FETCH reply.
std::optional<std::string> literal_of(const ImapReply& fetch, std::uint32_t uid);
// A mailbox name as an IMAP astring ("Sent", "\"My folder\""); nullopt when it cannot be
// quoted (CR, LF, NUL, too long).
std::optional<std::string> mailbox_arg(std::string_view name);

}  // namespace maillab::webmail
