// bridge::MessageCache: what GET /api/v1/messages and .../ID/raw (bridge::HttpApi) would
// otherwise recompute from the disks on every request (bridge/http_mailboxes.hpp).
//
// It follows each host's disk change by change (io::MemoryDisk's journal, under mail/): a
// delivery adds one file's entry, a flag change (a rename) or a removal touches one. Only
// when the journal does not reach back to what the cache last saw (the first request, or
// more changes between two requests than the journal keeps) is a host's listing read
// again from its disk, and even then a file whose bytes are the very same (a disk's
// io::Bytes are immutable and shared: a rewrite is a new pointer) keeps its entry. An
// entry's JSON object and decoded subject are made when an answer first needs them; the
// unfiltered answer is kept until something changes.
//
// Invariants: every call first brings the cache up to the disks' present state, so an
// answer is exactly what list_messages and message_json give on the disks as they are now
// (read-your-writes: a delivery, a flag change, a removal is seen by the next request).
// Memory: one entry per listed message (weak pointers only: a removed message's bytes are
// never kept alive), the unfiltered answer, and each watched disk's journal (at most
// kJournal paths). Not thread-safe: the bridge's loop thread only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bridge/http_mailboxes.hpp"

namespace maillab::bridge {

// Which messages a list answer holds (GET /api/v1/messages?host=&user=&folder=&subject=):
// the fields given must match exactly, the decoded subject must contain `subject`.
struct MessageFilter {
  std::optional<std::string_view> host, user, folder, subject;
};

class MessageCache {
 public:
  static constexpr std::size_t kJournal = 2048;  // paths; ~200 kB a host at most
  // The list answer: the JSON array of the messages the filter keeps, in listing order.
  std::string json(scenario::World& world, const MessageFilter& filter);
  // The unfiltered list answer.
  const std::string& all_json(scenario::World& world);
  // The message with this id, or nullptr.
  const StoredMessage* find(scenario::World& world, const std::string& id);

 private:
  struct Entry {
    StoredMessage message;
    std::string json;     // "" until an answer needs it
    std::string subject;  // decoded, for the subject filter
  };
  // One file's messages (Maildir: one; mbox: one for each `From ` line).
  struct File {
    std::weak_ptr<const std::string> bytes;
    std::vector<Entry> messages;
  };
  struct Host {
    bool built = false;
    bool mbox = false;          // World::mailbox_kind: mail/USER.mbox, else Maildir
    std::uint64_t version = 0;  // the disk's version `files` are of
    const scenario::HostNode* node = nullptr;
    std::map<std::string, File> files;  // listing order: by path (Maildir), by user (mbox)
  };
  void refresh(scenario::World& world);
  void rebuild(const std::string& name, Host& host);
  // The file at `key` (a Maildir path, an mbox's user) as the disk holds it now, into
  // host.files (or out of it when there is none); `old` is kept when its bytes are the same.
  void load(const std::string& name, Host& host, const std::string& key, File old);
  // Makes the JSON and subject of the file's entries that have none.
  void make(const Host& host, File& file);

  std::map<std::string, Host> hosts_;                    // by name, as World::hosts()
  std::unordered_map<std::string, const Entry*> index_;  // id -> entry
  bool all_json_valid_ = false;
  std::string all_json_;
};

}  // namespace maillab::bridge
