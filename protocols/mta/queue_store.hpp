// mta::QueueStore: where the queue manager keeps queued messages (OpenSMTPD's queue
// backend: queue_fs, queue_ram), behind five operations: put a new message, update its
// envelope, read its content, remove it, and load everything back at boot.
//
// Invariants (both implementations, tests/protocols/mta/queue_store_test.cpp):
// - put_new() keeps a message whole or not at all: false leaves nothing behind.
// - update() writes the envelope in q.state; false leaves the stored envelope as it was.
// - load() returns every stored message whose envelope and content are both there, in
//   the order (state name, id); what it sets aside or drops it reports first.
// - A message's content never changes after put_new() (a retry sends the same bytes).
//
// DiskQueueStore is the MTA's default and the format the rest of the lab reads
// (scenarios' queue_of, the visualiser's inspector): the envelope at queue/<state>/<id>
// (QueueFile::serialize), the content at queue/msg/<id>, a damaged file moved to
// queue/corrupt/<state>.<id> (Postfix's corrupt/ directory). MemoryQueueStore keeps the
// same things in a map: a queue that lives as long as the store object.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/io/disk.hpp"
#include "protocols/mta/queue_file.hpp"

namespace maillab::mta {

// Something load() did on its own: a damaged file set aside, an orphan content removed.
struct QueueLoadNote {
  enum class Kind { Corrupt, OrphanRemoved };
  Kind kind;
  std::string file;      // the path (or the id, for a store without paths)
  std::string moved_to;  // kCorrupt: where it went
};

class QueueStore {
 public:
  virtual ~QueueStore() = default;
  // A new message: its content and its envelope (in q.state). False: nothing stored.
  virtual bool put_new(QueueFile& q, const io::Bytes& content) = 0;
  // The message's envelope, rewritten in q.state (the other states' copies dropped).
  virtual bool update(QueueFile& q) = 0;
  virtual io::Bytes content(const std::string& id) = 0;  // null when missing
  virtual void remove(QueueFile& q) = 0;
  using Notes = std::function<void(const QueueLoadNote&)>;
  virtual std::vector<QueueFile> load(const Notes& notes) = 0;
};

class DiskQueueStore final : public QueueStore {
 public:
  explicit DiskQueueStore(io::Disk& disk) : disk_(disk) {}
  bool put_new(QueueFile& q, const io::Bytes& content) override;
  bool update(QueueFile& q) override;
  io::Bytes content(const std::string& id) override;
  void remove(QueueFile& q) override;
  std::vector<QueueFile> load(const Notes& notes) override;

  static constexpr const char* kCorruptDir = "queue/corrupt/";

 private:
  // Removes the envelope from every state's directory in q.stored but `keep` (all when
  // keep_any is false), clearing the bits of those now known to be gone.
  void drop_envelopes(QueueFile& q, bool keep_any, QueueState keep);
  QueueLoadNote quarantine(const std::string& path);

  io::Disk& disk_;
  std::string path_;  // scratch for queue paths: built in place, not allocated per call
};

class MemoryQueueStore final : public QueueStore {
 public:
  bool put_new(QueueFile& q, const io::Bytes& content) override;
  bool update(QueueFile& q) override;
  io::Bytes content(const std::string& id) override;
  void remove(QueueFile& q) override;
  std::vector<QueueFile> load(const Notes& notes) override;
  // As a full disk: every put and update fails (and changes nothing) while set.
  void set_full(bool full) { full_ = full; }

 private:
  struct Entry {
    QueueFile envelope;
    io::Bytes content;
  };
  std::map<std::string, Entry, std::less<>> messages_;
  bool full_ = false;
};

}  // namespace maillab::mta
