// GroupCommit (serve --mailboxes) on its own: the sync thread against real
// FileDisks, and what a failed sync leaves behind. A sync is made to fail by having the
// disk fail its next batch (FileDisk::fail_next_sync), as a failed writeback would.
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "bridge/asio_connection.hpp"
#include "bridge/file_disk.hpp"
#include "bridge/group_commit.hpp"

using namespace maillab;
using namespace maillab::bridge;
namespace fs = std::filesystem;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

using maillab::bridge::testing::slurp;
using maillab::bridge::testing::TempDir;

// Runs the loop's handlers until `done` (the threads post their completions).
template <class Pred>
void run_until(asio::io_context& io, Pred done) {
  while (!done()) io.run_one();
}

}  // namespace

TEST_CASE("GroupCommit: removals unlinked by the batch that makes their delivery durable; a path written again stays") {
  TempDir t;
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  FileDisk d(t.path / "h");
  REQUIRE(d.write("queue/1", "queued"));
  d.sync();
  auto gc = std::make_shared<GroupCommit>(io, std::vector<FileDisk*>{&d}, [](const std::string&) {});

  REQUIRE(d.write("new/1", "delivered"));
  REQUIRE(d.remove("queue/1"));
  gc->kick();  // batch 1: syncs new/1, then unlinks queue/1
  // Writing the path again while the batch runs waits for it, then replaces the file.
  REQUIRE(d.write("queue/1", "again"));
  run_until(io, [&] { return gc->durable() >= 1; });
  io.poll();
  CHECK(d.exists("queue/1"));
  CHECK(d.read("queue/1") != nullptr);
  gc->stop();
  CHECK(slurp(t.path / "h" / "queue" / "1") == "again");
  CHECK(slurp(t.path / "h" / "new" / "1") == "delivered");
}

TEST_CASE("GroupCommit: after a failed sync, bytes sent later are not held forever") {
  TempDir t;
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  FileDisk d(t.path / "h");
  auto gc = std::make_shared<GroupCommit>(io, std::vector<FileDisk*>{&d}, [](const std::string&) {});

  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket client(io);
  client.connect(acceptor.local_endpoint());
  auto conn = std::make_shared<AsioConnection>(acceptor.accept(), 25);
  conn->set_commit(gc);

  REQUIRE(d.write("queue/1", "queued"));
  d.fail_next_sync();
  gc->kick();
  run_until(io, [&] { return d.failed(); });

  // Outside any call for the connection (a session timer): its 421, then the close.
  conn->send("421 timeout\r\n");
  conn->close();
  for (int i = 0; i < 100 && conn->busy(); ++i) {
    gc->kick();
    io.poll();
  }
  REQUIRE_FALSE(conn->busy());
  std::string got;
  boost::system::error_code ec;
  asio::read(client, asio::dynamic_buffer(got), ec);  // to the FIN
  CHECK(got == "421 timeout\r\n");
  gc->stop();
}

TEST_CASE("GroupCommit: after one disk's sync failed, no disk removes its files, not even at exit") {
  TempDir t;
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  FileDisk a(t.path / "a");
  {
    FileDisk b(t.path / "b");
    REQUIRE(b.write("queue/1", "relayed to a"));
    b.sync();
    auto gc = std::make_shared<GroupCommit>(io, std::vector<FileDisk*>{&a, &b}, [](const std::string&) {});
    // b handed its message to a (a relay between two hosts) and drops its queue entry.
    REQUIRE(a.write("queue/9", "from b"));
    REQUIRE(b.remove("queue/1"));
    a.fail_next_sync();
    gc->kick();
    run_until(io, [&] { return a.failed(); });
    CHECK_FALSE(b.pending());  // nothing for a batch to do: no batch after batch
    gc->stop();                // (it used to start batches forever here)
  }
  // a's copy never became durable: b's queue file must stay.
  CHECK(fs::exists(t.path / "b" / "queue" / "1"));
}
