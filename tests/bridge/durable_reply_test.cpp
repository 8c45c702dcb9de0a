// "250 only once the message is on disk" through the SMTP engine's pending decision: the
// host's disk says when a change is durable (io::Disk::when_durable) and the 250 after
// DATA waits for it; a disk that cannot make it durable gets 451 4.3.0, never a 250.
// Over real sockets into `serve`'s engines: a disk whose durability the test releases by
// hand, and `--mailboxes`' real disk (group commit) whose sync fails.
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "bridge/mirrored_disk.hpp"
#include "lab_fixture.hpp"
#include "temp_dir.hpp"

using namespace maillab;
using namespace maillab::bridge;
using namespace maillab::bridge::test;

namespace {

// A host's disk whose changes become durable only when the test says so (release()).
class GatedDisk final : public io::Disk {
 public:
  explicit GatedDisk(io::MemoryDisk& memory) : memory_(memory) {}
  using io::Disk::write;
  bool write(const std::string& path, io::Bytes data) override { return changed(memory_.write(path, std::move(data))); }
  bool append(const std::string& path, std::string_view data) override { return changed(memory_.append(path, data)); }
  bool rename(const std::string& from, const std::string& to) override { return changed(memory_.rename(from, to)); }
  bool remove(const std::string& path) override { return changed(memory_.remove(path)); }
  io::Bytes read(const std::string& path) const override { return memory_.read(path); }
  bool exists(const std::string& path) const override { return memory_.exists(path); }
  std::vector<std::string> list(const std::string& prefix) const override { return memory_.list(prefix); }
  std::size_t used_bytes() const override { return memory_.used_bytes(); }
  bool when_durable(std::function<void(bool)> done) override {
    if (!dirty_) return false;
    waiting_.push_back(std::move(done));
    return true;
  }
  // On the loop's thread: every change so far is durable (ok) or lost (!ok).
  std::size_t release(bool ok) {
    dirty_ = false;
    auto w = std::move(waiting_);
    waiting_.clear();
    for (auto& f : w) f(ok);
    return w.size();
  }
  std::size_t waiting() const { return waiting_.size(); }

 private:
  bool changed(bool ok) {
    dirty_ = dirty_ || ok;
    return ok;
  }
  io::MemoryDisk& memory_;
  bool dirty_ = false;
  std::vector<std::function<void(bool)>> waiting_;
};

ServeOptions smtp_only() {
  ServeOptions o;
  o.listen.push_back(listen_on("mx.b.example", scenario::Service::Smtp));
  o.grace = 300ms;
  return o;
}

const char* kBody = "From: carol@c.example\r\nSubject: durable\r\n\r\nkept\r\n.\r\n";

}  // namespace

TEST_CASE("bridge: the 250 after DATA leaves only once the disk says the message is durable") {
  GatedDisk* gate = nullptr;
  scenario::WorldOptions wopt;
  wopt.service_disk = [&gate](const scenario::Host& h, io::MemoryDisk& memory) -> std::unique_ptr<io::Disk> {
    if (h.name != "mx.b.example") return nullptr;
    auto d = std::make_unique<GatedDisk>(memory);
    gate = d.get();
    return d;
  };
  Lab lab(kLabYaml, smtp_only(), std::move(wopt));
  REQUIRE(gate != nullptr);
  TestClient c(lab.port(0));
  REQUIRE(c.connected());
  REQUIRE(open_data(c).empty());
  // Pipelined behind the message: answered after its 250, in order.
  REQUIRE(c.send(std::string(kBody) + "NOOP\r\n"));
  REQUIRE(lab.wait_for([&] { return gate->waiting() == 1; }));
  // The queue file is written, not durable: no reply, to the dot or to the NOOP.
  CHECK(c.reply(300ms).empty());
  CHECK(lab.on_loop([&] { return gate->release(true); }) == 1);
  std::string r = c.reply();
  INFO(r);
  CHECK(r.rfind("250 2.0.0 Ok: queued as ", 0) == 0);
  CHECK(c.reply().rfind("250", 0) == 0);  // the NOOP

  // The next message: its write cannot be made durable: 451 4.3.0, and the session goes on.
  REQUIRE(c.cmd("MAIL FROM:<carol@c.example>").rfind("250", 0) == 0);
  REQUIRE(c.cmd("RCPT TO:<bob@b.example>").rfind("250", 0) == 0);
  REQUIRE(c.cmd("DATA").rfind("354", 0) == 0);
  REQUIRE(c.send(kBody));
  REQUIRE(lab.wait_for([&] { return gate->waiting() == 1; }));
  CHECK(c.reply(300ms).empty());
  lab.on_loop([&] { return gate->release(false); });
  CHECK(c.reply() == "451 4.3.0 Error: queue file write error\r\n");
  CHECK(c.cmd("QUIT").rfind("221", 0) == 0);
}

TEST_CASE("bridge --mailboxes: a sync that fails answers 451 4.3.0, never 250, for the message it held") {
  testing::TempDir dir;
  MirroredDisk* disk = nullptr;
  scenario::WorldOptions wopt;
  wopt.service_disk = [&](const scenario::Host& h, io::MemoryDisk& memory) -> std::unique_ptr<io::Disk> {
    if (h.name != "mx.b.example") return nullptr;
    auto d = std::make_unique<MirroredDisk>(memory, dir.path / h.name);
    disk = d.get();
    return d;
  };
  Lab lab(kLabYaml, smtp_only(), std::move(wopt));
  REQUIRE(disk != nullptr);
  TestClient c(lab.port(0));
  REQUIRE(c.connected());
  REQUIRE(open_data(c).empty());
  lab.on_loop([&] { disk->files().fail_next_sync(); });
  REQUIRE(c.send(kBody));
  std::string r = c.reply();
  INFO(r);
  CHECK(r == "451 4.3.0 Error: queue file write error\r\n");
  // The disk refuses every further change: the next message is refused at MAIL FROM.
  CHECK(c.cmd("MAIL FROM:<carol@c.example>").rfind("452", 0) == 0);
}
