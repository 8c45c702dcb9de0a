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
#include <unordered_map>
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

// One message as the API's JSON object: id, host, user, folder, from, to, subject,
// message_id, date, size, flags (RFC 2047 words decoded; strings escaped by base/json).
std::string message_json(const StoredMessage& m, std::string_view bytes);

// MessageCache: what GET /api/v1/messages and .../ID/raw would otherwise recompute on
// every request: the listing (remade only when a host's disk changed: io::MemoryDisk's
// version), the id index, each message's JSON object and the unfiltered answer. A
// message's entry is keyed by id and valid while its disk holds the very same bytes at its
// path (a disk's io::Bytes are immutable and shared: a rewrite is a new pointer); it holds
// only a weak pointer, never keeping a removed message alive, and entries whose bytes are
// gone are swept once they could be half of the cache. Answers are exactly those of the
// uncached functions above. Not thread-safe: the bridge's loop thread only.
class MessageCache {
 public:
  struct Entry {
    StoredMessage message;
    std::weak_ptr<const std::string> file;
    std::string json;
    std::string subject;  // decoded, for the subject filter
  };
  // list_messages(world), as of now.
  const std::vector<StoredMessage>& listing(const scenario::World& world);
  // The message with this id in the listing, or nullptr.
  const StoredMessage* find(const scenario::World& world, const std::string& id);
  // The entry for m, whose file on its host's disk is `file` (not null): made or remade
  // when the bytes changed.
  const Entry& get(const StoredMessage& m, const io::Bytes& file);
  // The unfiltered list's JSON array, as of now.
  const std::string& all_json(const scenario::World& world);

 private:
  void sweep();
  std::unordered_map<std::string, Entry> entries_;
  std::size_t swept_size_ = 0;
  std::uint64_t version_ = 0;  // the sum of the hosts' disk versions the listing is of
  bool listed_ = false;
  std::vector<StoredMessage> listing_;
  std::unordered_map<std::string, std::size_t> index_;  // id -> place in listing_
  bool all_json_valid_ = false;
  std::string all_json_;
};

// The file on m's host's disk that holds m (nullptr if gone), and m's bytes within it.
io::Bytes message_file(const scenario::World& world, const StoredMessage& m);
std::string_view message_view(const StoredMessage& m, const std::string& file);

}  // namespace maillab::bridge
