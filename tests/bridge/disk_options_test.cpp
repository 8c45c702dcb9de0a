// FileDisk and MirroredDisk (serve --mailboxes) and the parsing/safety rules of the serve
// options.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <limits>

#include "bridge/file_disk.hpp"
#include "bridge/mirrored_disk.hpp"
#include "bridge/serve_options.hpp"
#include "scenarios/loader.hpp"

using namespace maillab;
using namespace maillab::bridge;
namespace fs = std::filesystem;

namespace {

using maillab::bridge::testing::slurp;
using maillab::bridge::testing::TempDir;

}  // namespace

TEST_CASE("FileDisk: atomic write, append, rename, remove, list over a real directory") {
  TempDir t;
  FileDisk d(t.path / "host");
  CHECK(d.write("mail/bob/tmp/1", std::string_view("hello\n")));
  CHECK(slurp(t.path / "host/mail/bob/tmp/1") == "hello\n");
  CHECK(d.rename("mail/bob/tmp/1", "mail/bob/new/1"));
  CHECK(!fs::exists(t.path / "host/mail/bob/tmp/1"));
  CHECK(*d.read("mail/bob/new/1") == "hello\n");
  CHECK(!d.rename("mail/bob/tmp/1", "mail/bob/new/2"));  // source gone
  CHECK(d.append("mail/alice.mbox", "From a\n"));
  CHECK(d.append("mail/alice.mbox", "From b\n"));
  CHECK(*d.read("mail/alice.mbox") == "From a\nFrom b\n");
  CHECK(d.write("mail/bob/new/1", std::string_view("replaced")));
  CHECK(*d.read("mail/bob/new/1") == "replaced");
  CHECK(d.list("mail/") == std::vector<std::string>{"mail/alice.mbox", "mail/bob/new/1"});
  CHECK(d.used_bytes() == 14 + 8);
  CHECK(d.remove("mail/alice.mbox"));
  CHECK(!d.remove("mail/alice.mbox"));
  CHECK(!d.exists("mail/alice.mbox"));
  // The temporaries never show in the tree a reader walks.
  for (auto& e : fs::recursive_directory_iterator(t.path / "host" / "mail")) {
    CHECK(e.path().string().find("maillab-tmp") == std::string::npos);
  }
  // Paths that could escape the root are refused.
  for (const char* bad : {"", "/etc/passwd", "../x", "a/../../x", "a//b", "a/./b", "a/"}) {
    INFO(bad);
    CHECK(!d.write(bad, std::string_view("x")));
  }
}

TEST_CASE("FileDisk: changes show at once, sync() makes them durable, removals wait for it") {
  TempDir t;
  const fs::path root = t.path / "host";
  FileDisk d(root);
  CHECK(!d.pending());
  REQUIRE(d.write("queue/incoming/Q1", std::string_view("envelope")));
  REQUIRE(d.write("mail/u/tmp/M1", std::string_view("a message\n")));
  REQUIRE(d.rename("mail/u/tmp/M1", "mail/u/new/M1"));
  // Not synced yet, but this process (and any reader) sees the new tree.
  CHECK(d.pending());
  CHECK(*d.read("queue/incoming/Q1") == "envelope");
  CHECK(slurp(root / "mail/u/new/M1") == "a message\n");
  CHECK(d.sync());
  CHECK(!d.pending());
  CHECK(d.syncs() == 1);

  // A removal hides the file at once and unlinks it only after a sync.
  REQUIRE(d.remove("queue/incoming/Q1"));
  CHECK(d.pending());
  CHECK(!d.exists("queue/incoming/Q1"));
  CHECK(d.read("queue/incoming/Q1") == nullptr);
  CHECK(d.list("queue/").empty());
  CHECK(!d.remove("queue/incoming/Q1"));
  CHECK(!d.rename("queue/incoming/Q1", "queue/active/Q1"));
  CHECK(fs::exists(root / "queue/incoming/Q1"));
  CHECK(d.sync());
  CHECK(!fs::exists(root / "queue/incoming/Q1"));
  CHECK(d.pending());  // the unlink, for the next sync to put on the device
  CHECK(d.sync());
  CHECK(!d.pending());

  // A removal asked for while a batch is in flight waits for the next one: that batch
  // may not hold the writes the removal depends on.
  REQUIRE(d.write("queue/active/Q2", std::string_view("e2")));
  auto batch = d.begin_sync();
  REQUIRE(d.remove("queue/active/Q2"));
  CHECK(batch.removals.empty());
  CHECK(FileDisk::run(batch));
  FileDisk::run_removals(batch);
  d.end_sync(batch, true, true);
  CHECK(fs::exists(root / "queue/active/Q2"));
  CHECK(d.pending());
  // The next batch holds it, and unlinks it once its sync has completed.
  auto next = d.begin_sync();
  CHECK(next.removals == std::vector<std::string>{"queue/active/Q2"});
  CHECK(!d.exists("queue/active/Q2"));
  CHECK(FileDisk::run(next));
  CHECK(fs::exists(root / "queue/active/Q2"));
  FileDisk::run_removals(next);
  CHECK(!fs::exists(root / "queue/active/Q2"));
  d.end_sync(next, true, true);
  CHECK(d.pending());
  CHECK(d.sync());
  CHECK(!d.pending());

  // Writing (or appending, or renaming) onto a removed path replaces the file and cancels
  // the removal.
  REQUIRE(d.write("queue/active/Q3", std::string_view("old")));
  REQUIRE(d.write("x.mbox", std::string_view("From old\n")));
  REQUIRE(d.remove("queue/active/Q3"));
  REQUIRE(d.remove("x.mbox"));
  REQUIRE(d.write("queue/active/Q3", std::string_view("new")));
  REQUIRE(d.append("x.mbox", "From new\n"));
  CHECK(d.sync());
  CHECK(slurp(root / "queue/active/Q3") == "new");
  CHECK(slurp(root / "x.mbox") == "From new\n");
  CHECK(!d.pending());
}

TEST_CASE("FileDisk: a tree an earlier run left: a rename as the first change is synced") {
  // After a restart (serve on the same --mailboxes DIR) POP3 may move a restored message
  // from new/ to cur/ before anything is written: the batch must still have a tree to sync.
  TempDir t;
  const fs::path root = t.path / "host";
  fs::create_directories(root / "u" / "new");
  std::ofstream(root / "u" / "new" / "M1") << "restored\n";
  FileDisk d(root);
  REQUIRE(d.rename("u/new/M1", "u/cur/M1:2,S"));
  CHECK(d.pending());
  CHECK(d.sync());
  CHECK(!d.failed());
  CHECK(d.syncs() == 1);
  CHECK(slurp(root / "u" / "cur" / "M1:2,S") == "restored\n");
  // And the next change still works.
  CHECK(d.write("u/new/M2", std::string_view("new\n")));
  CHECK(d.sync());
}

TEST_CASE("FileDisk: running out of descriptors after a change does not fail the disk") {
  TempDir t;
  FileDisk d(t.path / "host");
  REQUIRE(d.write("queue/incoming/Q1", std::string_view("envelope")));
  // Now the process runs out of descriptors (a burst of connections), before the batch.
  rlimit old{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
  std::vector<int> filler;
  {
    rlimit low = old;
    low.rlim_cur = std::min<rlim_t>(old.rlim_cur, 256);
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
    for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) filler.push_back(fd);
    REQUIRE(errno == EMFILE);
  }
  const bool synced = d.sync();  // needs no new descriptor
  const bool refused = !d.write("queue/incoming/Q2", std::string_view("envelope"));
  for (int fd : filler) ::close(fd);
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &old) == 0);
  CHECK(synced);
  CHECK(refused);  // that change is refused (452 for the client), the disk lives on
  CHECK(!d.failed());
  CHECK(d.write("queue/incoming/Q2", std::string_view("envelope")));
  CHECK(d.sync());
}

TEST_CASE("FileDisk: a refused change returns false and leaves nothing to sync") {
  TempDir t;
  const fs::path root = t.path / "host";
  FileDisk d(root);
  REQUIRE(d.write("keep", std::string_view("kept")));
  REQUIRE(d.sync());
  for (const char* bad : {"", "/etc/passwd", "../x", "a//b", ".maillab-tmp/x"}) {
    INFO(bad);
    CHECK(!d.write(bad, std::string_view("x")));
    CHECK(!d.append(bad, "x"));
    CHECK(!d.remove(bad));
    CHECK(!d.rename("keep", bad));
  }
  CHECK(!d.remove("missing"));
  CHECK(!d.rename("missing", "elsewhere"));
  // A file where a directory should be: the directory cannot be made.
  std::ofstream(root / "blocked") << "in the way";
  CHECK(!d.write("blocked/tmp/M", std::string_view("x")));
  CHECK(!d.append("blocked/u.mbox", "x"));
  CHECK(!d.rename("keep", "blocked/keep"));
  CHECK(!d.pending());
  CHECK(slurp(root / "keep") == "kept");
  CHECK(slurp(root / "blocked") == "in the way");
  CHECK(d.list("") == std::vector<std::string>{"blocked", "keep"});
}

TEST_CASE("FileDisk: replacing a file syncs the new data before the rename; a new file waits for the batch") {
  // A power loss between the rename and the next batch must not leave an empty file where
  // a durable one was (an envelope rewritten in place): the replacement's data is synced
  // on its own first. A failed data sync refuses the write and keeps the old file.
  TempDir t;
  const fs::path root = t.path / "host";
  FileDisk d(root);
  REQUIRE(d.write("queue/deferred/A", std::string_view("v1")));
  CHECK(d.data_syncs() == 0);  // a new name: the batch's syncfs covers it
  REQUIRE(d.sync());
  REQUIRE(d.write("queue/deferred/A", std::string_view("v2")));
  CHECK(d.data_syncs() == 1);
  CHECK(slurp(root / "queue/deferred/A") == "v2");
  d.fail_next_data_sync();
  CHECK(!d.write("queue/deferred/A", std::string_view("v3")));
  CHECK(slurp(root / "queue/deferred/A") == "v2");
  CHECK(d.list(".maillab-tmp/").empty());
  CHECK(!d.failed());  // one refused write, as an EIO on that file: the disk goes on
  // A path whose removal is pending still has its old file on the device: replaced, so synced.
  REQUIRE(d.remove("queue/deferred/A"));
  REQUIRE(d.write("queue/deferred/A", std::string_view("v4")));
  CHECK(d.data_syncs() == 2);
  REQUIRE(d.sync());
  CHECK(slurp(root / "queue/deferred/A") == "v4");
}

TEST_CASE("MirroredDisk: memory and real files move together; a failure changes neither") {
  TempDir t;
  io::MemoryDisk mem;
  MirroredDisk d(mem, t.path / "mx.b.example");
  REQUIRE(d.write("queue/msg/ABC", std::string_view("content")));
  REQUIRE(d.write("mail/bob/tmp/M1", std::string_view("a message\n")));
  REQUIRE(d.rename("mail/bob/tmp/M1", "mail/bob/new/M1"));
  REQUIRE(d.append("mail/carol.mbox", "From x\n"));
  CHECK(slurp(t.path / "mx.b.example/bob/new/M1") == "a message\n");
  CHECK(slurp(t.path / "mx.b.example/carol.mbox") == "From x\n");
  CHECK(slurp(t.path / "mx.b.example/.disk/queue/msg/ABC") == "content");
  CHECK(*mem.read("mail/bob/new/M1") == "a message\n");
  CHECK(*d.read("queue/msg/ABC") == "content");
  REQUIRE(d.remove("queue/msg/ABC"));
  CHECK(!mem.exists("queue/msg/ABC"));
  // The real file goes with the next sync (group commit: file_disk.hpp).
  CHECK(fs::exists(t.path / "mx.b.example/.disk/queue/msg/ABC"));
  REQUIRE(d.files().sync());
  CHECK(!fs::exists(t.path / "mx.b.example/.disk/queue/msg/ABC"));

  mem.set_full(true);  // disk_full fault: nothing changes anywhere
  CHECK(!d.write("mail/bob/tmp/M2", std::string_view("x")));
  CHECK(!d.append("mail/carol.mbox", "From y\n"));
  CHECK(!fs::exists(t.path / "mx.b.example/bob/tmp/M2"));
  CHECK(slurp(t.path / "mx.b.example/carol.mbox") == "From x\n");
  mem.set_full(false);

  // The real disk refuses (a file where a directory should be): memory stays unchanged.
  std::ofstream(t.path / "mx.b.example/dave") << "in the way";
  CHECK(!d.write("mail/dave/tmp/M3", std::string_view("x")));
  CHECK(!mem.exists("mail/dave/tmp/M3"));
}

TEST_CASE("serve options: --listen and --route forms") {
  std::string error;
  auto l = parse_listen("mx1.b.example:smtp=127.0.0.1:2525", &error);
  REQUIRE(l);
  CHECK(l->host == "mx1.b.example");
  CHECK(l->service == scenario::Service::Smtp);
  CHECK(l->at.address == "127.0.0.1");
  CHECK(l->at.port == 2525);
  auto v6 = parse_listen("ns.example:dns=[::1]:5353", &error);
  REQUIRE(v6);
  CHECK(v6->at.address == "::1");
  CHECK(v6->at.str() == "[::1]:5353");
  auto imap = parse_listen("mx1.b.example:imap=127.0.0.1:1143", &error);
  REQUIRE(imap);
  CHECK(imap->service == scenario::Service::Imap);
  auto imaps = parse_listen("mx1.b.example:imaps=127.0.0.1:993", &error);  // implicit TLS (RFC 8314)
  REQUIRE(imaps);
  CHECK(imaps->service == scenario::Service::Imaps);
  auto https = parse_listen("webmail.b.example:https=127.0.0.1:8443", &error);
  REQUIRE(https);
  CHECK(https->service == scenario::Service::Https);
  CHECK(!parse_listen("mx1.b.example:http2=127.0.0.1:443", &error));
  CHECK(error.find("smtp, submission, smtps, pop3, pop3s, imap, imaps, http, https or dns") != std::string::npos);
  CHECK(!parse_listen("mx1.b.example=127.0.0.1:25", &error));
  CHECK(!parse_listen("mx1.b.example:smtp=localhost:25", &error));
  CHECK(error.find("numeric IP address") != std::string::npos);
  CHECK(!parse_listen("mx1.b.example:smtp=127.0.0.1:70000", &error));
  auto r = parse_route("C.Example=127.0.0.1:2526", &error);
  REQUIRE(r);
  CHECK(r->domain == "c.example");
  CHECK(r->to.port == 2526);
  CHECK(!parse_route("c.example=127.0.0.1:0", &error));
  CHECK(!parse_route("127.0.0.1:25", &error));
  CHECK(is_loopback("127.0.0.1"));
  CHECK(is_loopback("127.255.0.9"));
  CHECK(is_loopback("::1"));
  CHECK(is_loopback("::ffff:127.0.0.1"));
  CHECK(!is_loopback("0.0.0.0"));
  CHECK(!is_loopback("192.0.2.1"));
  CHECK(!is_loopback("::"));
}

TEST_CASE("serve options: only loopback unless --allow-nonlocal; hosts must run the service") {
  auto loaded = scenario::load_scenario_text(R"(scenario: t
duration: 1m
hosts:
  mx.b.example:
    address: 192.0.2.20
    mta: {domains: [b.example]}
)", "t.yaml");
  REQUIRE(std::holds_alternative<scenario::Scenario>(loaded));
  const auto& s = std::get<scenario::Scenario>(loaded);
  std::string error;
  ServeOptions o;
  o.listen.push_back(*parse_listen("mx.b.example:smtp=127.0.0.1:2525", &error));
  CHECK(validate(o, s).empty());
  o.listen.push_back(*parse_listen("mx.b.example:smtp=0.0.0.0:2525", &error));
  CHECK(validate(o, s).find("not a loopback address") != std::string::npos);
  o.allow_nonlocal = true;
  CHECK(validate(o, s).empty());
  o.allow_nonlocal = false;
  o.listen.pop_back();
  o.routes.push_back(*parse_route("c.example=192.0.2.99:25", &error));
  CHECK(validate(o, s).find("--allow-nonlocal") != std::string::npos);
  o.routes.clear();
  o.listen.push_back(*parse_listen("mx.b.example:pop3=127.0.0.1:1110", &error));
  CHECK(validate(o, s).find("runs no pop3 service") != std::string::npos);
  o.listen.back() = *parse_listen("nobody.example:smtp=127.0.0.1:2526", &error);
  CHECK(validate(o, s).find("no host 'nobody.example'") != std::string::npos);
  o.listen.pop_back();
  o.speed = 0;
  CHECK(validate(o, s).find("--speed") != std::string::npos);
  // Beyond 1e9 simulated seconds per real one the clock leaves int64 nanoseconds.
  for (double bad : {1e19, 1e10, 1e-4, -1.0, std::numeric_limits<double>::infinity(),
                     std::numeric_limits<double>::quiet_NaN()}) {
    o.speed = bad;
    CHECK(validate(o, s).find("--speed: expected a number from 0.001 to 1e9") != std::string::npos);
  }
  for (double good : {1e9, 1e-3, 1.0}) {
    o.speed = good;
    CHECK(validate(o, s).empty());
  }
}

TEST_CASE("FileDisk: a batch whose sync failed unlinks nothing; the removal stays hidden") {
  TempDir t;
  const fs::path root = t.path / "host";
  FileDisk d(root);
  REQUIRE(d.write("queue/active/Q4", std::string_view("e4")));
  CHECK(d.sync());
  REQUIRE(d.remove("queue/active/Q4"));
  REQUIRE(d.write("mail/u/new/M4", std::string_view("delivered")));
  d.fail_next_sync();
  auto failing = d.begin_sync();
  CHECK(failing.removals == std::vector<std::string>{"queue/active/Q4"});
  CHECK(!FileDisk::run(failing));
  d.end_sync(failing, false, false);
  CHECK(d.failed());
  CHECK(fs::exists(root / "queue/active/Q4"));  // the delivery may not be on the device
  CHECK(!d.exists("queue/active/Q4"));
  CHECK(!d.pending());
}
