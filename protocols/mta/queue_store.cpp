#include "protocols/mta/queue_store.hpp"

#include <algorithm>
#include <set>

namespace maillab::mta {

namespace {

std::uint8_t state_bit(QueueState s) { return static_cast<std::uint8_t>(1u << static_cast<int>(s)); }

constexpr QueueState kStates[] = {QueueState::Incoming, QueueState::Active,
                                  QueueState::Deferred, QueueState::Hold};

}  // namespace

bool DiskQueueStore::put_new(QueueFile& q, const io::Bytes& content) {
  if (!disk_.write(QueueFile::content_path(q.id, path_), content) ||
      !disk_.write(QueueFile::envelope_path(q.state, q.id, path_), io::make_bytes(q.serialize()))) {
    disk_.remove(QueueFile::content_path(q.id, path_));
    return false;
  }
  q.stored = state_bit(q.state);  // the one envelope so far
  return true;
}

bool DiskQueueStore::update(QueueFile& q) {
  if (!disk_.write(QueueFile::envelope_path(q.state, q.id, path_), io::make_bytes(q.serialize()))) return false;
  q.stored |= state_bit(q.state);
  // Only one envelope per message: drop it from every other state's directory it may be
  // in (an earlier failed update may have left it there).
  drop_envelopes(q, true, q.state);
  return true;
}

io::Bytes DiskQueueStore::content(const std::string& id) { return disk_.read(QueueFile::content_path(id, path_)); }

void DiskQueueStore::remove(QueueFile& q) {
  drop_envelopes(q, false, q.state);
  disk_.remove(QueueFile::content_path(q.id, path_));
}

void DiskQueueStore::drop_envelopes(QueueFile& q, bool keep_any, QueueState keep) {
  for (QueueState s : kStates) {
    if ((keep_any && s == keep) || !(q.stored & state_bit(s))) continue;
    QueueFile::envelope_path(s, q.id, path_);
    // A removal that failed on a present file is tried again next time.
    if (disk_.remove(path_) || !disk_.exists(path_)) q.stored &= static_cast<std::uint8_t>(~state_bit(s));
  }
}

QueueLoadNote DiskQueueStore::quarantine(const std::string& path) {
  // Postfix's corrupt/: kept for a person to look at, out of the queue's way (a new
  // message may get the same id after a restart).
  std::string to = kCorruptDir;
  for (char c : std::string_view(path).substr(6)) to += c == '/' ? '.' : c;  // after "queue/"
  disk_.rename(path, to);
  return QueueLoadNote{QueueLoadNote::Kind::Corrupt, path, std::move(to)};
}

std::vector<QueueFile> DiskQueueStore::load(const Notes& notes) {
  std::vector<QueueFile> out;
  std::set<std::string, std::less<>> ids;
  for (const auto& path : disk_.list("queue/")) {
    if (path.rfind("queue/msg/", 0) == 0 || path.rfind(kCorruptDir, 0) == 0) continue;
    auto bytes = disk_.read(path);
    if (!bytes) continue;
    auto q = QueueFile::parse(*bytes);
    if (!q || q->envelope_path() != path) {
      notes(quarantine(path));
      continue;
    }
    // A content file is never empty. An empty or missing one is a write the crash cut
    // short (serve's group commit: not yet synced, so no 250 promised it): not mail.
    auto content = disk_.read(QueueFile::content_path(q->id));
    if (!content || content->empty()) {
      notes(quarantine(path));
      if (content) notes(quarantine(QueueFile::content_path(q->id)));
      continue;
    }
    ids.insert(q->id);
    out.push_back(std::move(*q));
  }
  // A content file with no envelope: a crash between the two writes of put_new() (no 250
  // promised it) or after the envelope's removal. Nobody will ever deliver it: removed, as
  // Postfix's `postsuper -s` does at start-up.
  constexpr std::string_view kContentDir = "queue/msg/";
  for (const auto& path : disk_.list(std::string(kContentDir))) {
    if (ids.count(std::string_view(path).substr(kContentDir.size()))) continue;
    disk_.remove(path);
    notes(QueueLoadNote{QueueLoadNote::Kind::OrphanRemoved, path, {}});
  }
  return out;
}

bool MemoryQueueStore::put_new(QueueFile& q, const io::Bytes& content) {
  if (full_ || !content) return false;
  messages_[q.id] = Entry{q, content};  // as a file written over
  return true;
}

bool MemoryQueueStore::update(QueueFile& q) {
  auto it = messages_.find(q.id);
  if (full_ || it == messages_.end()) return false;
  it->second.envelope = q;
  return true;
}

io::Bytes MemoryQueueStore::content(const std::string& id) {
  auto it = messages_.find(id);
  return it == messages_.end() ? nullptr : it->second.content;
}

void MemoryQueueStore::remove(QueueFile& q) { messages_.erase(q.id); }

std::vector<QueueFile> MemoryQueueStore::load(const Notes&) {
  std::vector<QueueFile> out;
  out.reserve(messages_.size());
  for (const auto& [id, e] : messages_) out.push_back(e.envelope);
  // The disk's order: by state directory, then id.
  std::stable_sort(out.begin(), out.end(), [](const QueueFile& a, const QueueFile& b) {
    return queue_state_name(a.state) < queue_state_name(b.state);
  });
  return out;
}

}  // namespace maillab::mta
