// bridge::MailIndex: the messages in a running World's mailboxes as the REST API shows
// them (cli.md "The lab over HTTP": GET /api/v1/messages, .../ID/raw, DELETE).
//
// Read from each host's virtual disk (the same bytes serve --mailboxes writes as files):
// Maildir `mail/USER/{new,cur}/NAME` is INBOX, Maildir++ `mail/USER/.FOLDER/{new,cur}/NAME`
// is FOLDER (flags from the `:2,` suffix, RFC 3501 names); an mbox `mail/USER.mbox` is
// INBOX, one message per `From ` line.
//
// Invariants: an id is 16 hex digits of FNV-1a over host, path (and for mbox the
// message's place), so it is stable while the message stays where it is and never holds a
// character a URL or a file name treats specially; raw bytes are exactly the file's (for
// mbox: the message without its `From ` line).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/world.hpp"

namespace maillab::bridge {

struct StoredMessage {
  std::string id, host, user, folder, path;
  std::vector<std::string> flags;  // "\\Seen", "\\Answered", ...
  std::size_t offset = 0;          // mbox: where the message starts in the file
  std::size_t length = std::string::npos;
};

// Every message, host by host (in name order), then by path.
std::vector<StoredMessage> list_messages(const scenario::World& world);
// Removes every message of every mailbox (through the disk the host's services use, so
// serve --mailboxes removes the files too). Returns how many were removed.
std::size_t empty_mailboxes(scenario::World& world);

// The message a Maildir file is (`path` under mail/, as list_messages sees it), or nullopt
// for tmp/, quota files, anything that is not a delivered message.
std::optional<StoredMessage> maildir_message(const std::string& host, const std::string& path);
// The messages of `user`'s mbox (at `path`), whose bytes are `text`.
void add_mbox(const std::string& host, const std::string& user, const std::string& path, const std::string& text,
              std::vector<StoredMessage>& out);
// Where `user`'s mbox is on the host's disk: "mail/USER.mbox".
std::string mbox_path(const std::string& user);

// One message as the API's JSON object: id, host, user, folder, from, to, subject,
// message_id, date, size, flags (RFC 2047 words decoded; strings escaped by base/json).
std::string message_json(const StoredMessage& m, std::string_view bytes);

// The file on m's host's disk that holds m (nullptr if gone), and m's bytes within it.
io::Bytes message_file(const scenario::World& world, const StoredMessage& m);
std::string_view message_view(const StoredMessage& m, const std::string& file);

}  // namespace maillab::bridge
