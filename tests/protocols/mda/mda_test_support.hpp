// Shared by the delivery agent's store tests: FailingDisk, an io::MemoryDisk that fails
// its n-th mutation (write, append or rename; Beast's fail_count) so a test can drive
// every failure point of an operation (removals never fail: a store only removes what it
// has already replaced; `count` is the number of mutations tried so far), and letter(),
// an AppendRequest as IMAP's APPEND or the MDA makes one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/io/disk.hpp"
#include "protocols/mda/mailbox_store.hpp"
#include "protocols/message/date.hpp"

namespace maillab::mda::test {

inline constexpr std::int64_t kMinute = 60 * message::kNanosPerSecond;

inline AppendRequest letter(std::string text, std::int64_t at = 0, std::uint8_t flags = 0,
                            std::vector<std::string> keywords = {}) {
  AppendRequest r;
  r.content = io::make_bytes(std::move(text));
  r.date_ns = at;
  r.flags = flags;
  r.keywords = std::move(keywords);
  r.hostname = "mx.b.example";
  return r;
}

class FailingDisk final : public io::Disk {
 public:
  explicit FailingDisk(int fail_at) : fail_at_(fail_at) {}
  using io::Disk::write;
  bool write(const std::string& p, io::Bytes d) override { return step() && inner.write(p, std::move(d)); }
  bool append(const std::string& p, std::string_view d) override { return step() && inner.append(p, d); }
  bool rename(const std::string& f, const std::string& t) override { return step() && inner.rename(f, t); }
  bool remove(const std::string& p) override { return inner.remove(p); }
  io::Bytes read(const std::string& p) const override { return inner.read(p); }
  bool exists(const std::string& p) const override { return inner.exists(p); }
  std::vector<std::string> list(const std::string& p) const override { return inner.list(p); }
  std::size_t used_bytes() const override { return inner.used_bytes(); }

  io::MemoryDisk inner;
  int count = 0;

 private:
  bool step() { return ++count != fail_at_; }
  int fail_at_;
};

}  // namespace maillab::mda::test
