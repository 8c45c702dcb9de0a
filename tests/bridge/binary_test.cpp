// The real `maillab serve` binary against real clients: Python's smtplib and poplib (via
// `python3 -c`), curl's smtp:// and pop3://, swaks (plain, pipelining, AUTH on submission;
// skipped with a message when swaks is not installed). SIGTERM stops it with exit 0 and
// the --mailboxes and --trace output written. A serve restarted on the same --mailboxes
// DIR goes on with the queue and the mailboxes it left. Also the exit-2 safety rules.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab_fixture.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

using maillab::bridge::testing::slurp;
using maillab::bridge::testing::TempDir;

// Runs a shell command, returns (exit status, stdout).
std::pair<int, std::string> shell(const std::string& cmd) {
  std::string out;
  FILE* f = ::popen(cmd.c_str(), "r");
  if (!f) return {-1, ""};
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  int st = ::pclose(f);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

bool have(const std::string& tool) {
  return shell("command -v " + tool + " >/dev/null 2>&1 && echo yes").second == "yes\n";
}

// `maillab serve ...` in the background, stdout and stderr to files.
class Serve {
 public:
  Serve(const std::vector<std::string>& args, const fs::path& dir) : out_(dir / "stdout"), err_(dir / "stderr") {
    std::vector<std::string> argv{MAILLAB_BINARY, "serve"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(posix_spawn(&pid_, cargv[0], &fa, nullptr, cargv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
  }
  ~Serve() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  // Waits for `count` "listening:" lines; service -> port.
  std::map<std::string, std::uint16_t> wait_listening(std::size_t count) {
    std::regex line(R"(listening: \S+ (\S+) on 127\.0\.0\.1:(\d+))");
    auto end = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < end) {
      std::map<std::string, std::uint16_t> ports;
      std::string text = slurp(err_);
      for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator(); ++it) {
        ports[(*it)[1]] = static_cast<std::uint16_t>(std::stoi((*it)[2]));
      }
      if (ports.size() >= count) return ports;
      int st;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        FAIL("maillab serve exited early: " << slurp(err_));
      }
      std::this_thread::sleep_for(20ms);
    }
    FAIL("no listening lines: " << slurp(err_));
    return {};
  }
  // Sends `sig`, waits for the exit (bounded); the exit status, or -1.
  int stop(int sig = SIGTERM) {
    ::kill(pid_, sig);
    auto end = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < end) {
      int st;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
      }
      std::this_thread::sleep_for(20ms);
    }
    return -1;
  }
  std::string err() const { return slurp(err_); }
  std::string out() const { return slurp(out_); }

 private:
  fs::path out_, err_;
  pid_t pid_ = -1;
};

const char* kLab = R"(scenario: serve-binary
duration: 1d
hosts:
  mx.b.example:
    address: 192.0.2.20
    mta:
      domains: [b.example]
      submission: true
    pop3: true
    users:
      bob: {password: builder}
)";

fs::path write_lab(const fs::path& dir) {
  fs::path p = dir / "lab.yaml";
  std::ofstream(p) << kLab;
  return p;
}

std::vector<fs::path> maildir_files(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); ++it) {
    out.push_back(it->path());
  }
  return out;
}

}  // namespace

TEST_CASE("maillab serve: Python smtplib and poplib, then SIGTERM writes --mailboxes and --trace") {
  TempDir t;
  fs::path mail = t.path / "mail";
  Serve serve({write_lab(t.path).string(), "--listen", "mx.b.example:smtp=127.0.0.1:0", "--listen",
               "mx.b.example:pop3=127.0.0.1:0", "--mailboxes", mail.string(), "--trace",
               (t.path / "trace.jsonl").string()},
              t.path);
  auto ports = serve.wait_listening(2);
  // Python: no single quotes in the script (it goes inside '...').
  std::string py = R"(
import smtplib, poplib, sys
msg = "From: carol@c.example\r\nTo: bob@b.example\r\nSubject: from python\r\n\r\nline one\r\n.dot line\r\n"
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
s.sendmail("carol@c.example", ["bob@b.example"], msg)
s.quit()
import time
# The 250 means queued; the MDA files it an instant later: poll, as a real client would.
for attempt in range(50):
    p = poplib.POP3("127.0.0.1", int(sys.argv[2]), timeout=10)
    p.user("bob")
    p.pass_("builder")
    count, size = p.stat()
    if count > 0:
        break
    p.quit()
    time.sleep(0.1)
lines = p.retr(1)[1]
p.quit()
got = b"\r\n".join(lines) + b"\r\n"
sys.stdout.write("count=%d\n" % count)
sys.stdout.write("exact=%s\n" % got.endswith(msg.encode()))
)";
  auto [rc, out] = shell("python3 -c '" + py + "' " + std::to_string(ports["smtp"]) + " " +
                         std::to_string(ports["pop3"]) + " 2>&1");
  INFO(out << serve.err());
  CHECK(rc == 0);
  CHECK(out.find("count=1\n") != std::string::npos);
  CHECK(out.find("exact=True\n") != std::string::npos);

  // The mailbox is on the real disk already (written through, before the 250).
  auto files = maildir_files(mail / "mx.b.example" / "bob" / "new");
  REQUIRE(files.size() == 1);
  std::string stored = slurp(files[0]);
  CHECK(stored.find("Subject: from python\n\nline one\n.dot line\n") != std::string::npos);

  CHECK(serve.stop(SIGTERM) == 0);
  CHECK(serve.err().find("stopping (SIGTERM)") != std::string::npos);
  std::string trace = slurp(t.path / "trace.jsonl");
  CHECK(trace.find("\"event\":\"bridge.accept\"") != std::string::npos);
  CHECK(trace.find("\"event\":\"smtp.in\"") != std::string::npos);
  CHECK(serve.out().find("bridge.accept") != std::string::npos);  // the live timeline
  CHECK(fs::is_directory(mail / "mx.b.example" / "bob" / "cur"));
}

TEST_CASE("maillab serve: restarted on the same --mailboxes DIR, it delivers what it had queued and keeps the mailboxes") {
  using maillab::bridge::test::FakeSmtpServer;
  using maillab::bridge::test::TestClient;
  TempDir t;
  fs::path lab = t.path / "restart.yaml";
  std::ofstream(lab) << R"(scenario: serve-restart
duration: 1d
hosts:
  mx.b.example:
    address: 192.0.2.20
    mta:
      domains: [b.example]
      mynetworks: [127.0.0.0/8]
      queue: {queue_run_delay: 1s, minimal_backoff_time: 1s, maximal_backoff_time: 1s}
    pop3: true
    users:
      bob: {password: builder}
)";
  const fs::path mail = t.path / "mail";
  const fs::path bob_new = mail / "mx.b.example" / "bob" / "new";
  auto send = [](std::uint16_t port, const std::vector<std::string>& rcpts, const std::string& subject) {
    TestClient c(port);
    REQUIRE(c.reply().rfind("220", 0) == 0);
    REQUIRE(c.cmd("EHLO client.example").rfind("250", 0) == 0);
    REQUIRE(c.cmd("MAIL FROM:<alice@a.example>").rfind("250", 0) == 0);
    for (const auto& r : rcpts) REQUIRE(c.cmd("RCPT TO:<" + r + ">").rfind("250", 0) == 0);
    REQUIRE(c.cmd("DATA").rfind("354", 0) == 0);
    c.send("Subject: " + subject + "\r\n\r\nbody of " + subject + "\r\n.\r\n");
    REQUIRE(c.reply().rfind("250", 0) == 0);
    CHECK(c.cmd("QUIT").rfind("221", 0) == 0);
  };
  auto wait_until = [](auto pred) {
    for (auto end = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < end;) {
      if (pred()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  };
  auto queue_files = [&] {
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(mail / "mx.b.example" / ".disk" / "queue", ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      n += it->is_regular_file() ? 1 : 0;
    }
    return n;
  };

  // First run: carol's domain is routed to a port nobody listens on, so her copy stays
  // queued (deferred); bob's is delivered. Then serve stops.
  std::uint16_t dead_port;
  {
    FakeSmtpServer probe;
    dead_port = probe.port();
  }
  {
    Serve serve({lab.string(), "--quiet", "--mailboxes", mail.string(), "--listen",
                 "mx.b.example:smtp=127.0.0.1:0", "--route", "c.example=127.0.0.1:" + std::to_string(dead_port)},
                t.path);
    auto ports = serve.wait_listening(1);
    send(ports["smtp"], {"carol@c.example", "bob@b.example"}, "before the restart");
    INFO(serve.err());
    REQUIRE(wait_until([&] { return maildir_files(bob_new).size() == 1; }));
    REQUIRE(serve.stop(SIGTERM) == 0);
  }
  REQUIRE(queue_files() == 2);  // the envelope and the content of carol's copy
  const fs::path first = maildir_files(bob_new).at(0);
  const std::string first_bytes = slurp(first);

  // Second run on the same DIR, carol's domain reachable now: the queued copy goes out
  // (the retry comes within maximal_backoff_time of the start), bob still has his message
  // and a new one for him is filed beside it, not over it.
  FakeSmtpServer fake;
  Serve serve({lab.string(), "--quiet", "--mailboxes", mail.string(), "--listen",
               "mx.b.example:smtp=127.0.0.1:0", "--listen", "mx.b.example:pop3=127.0.0.1:0", "--route",
               "c.example=127.0.0.1:" + std::to_string(fake.port())},
              t.path);
  auto ports = serve.wait_listening(2);
  INFO(serve.err());
  REQUIRE(wait_until([&] { return fake.messages().size() == 1; }));
  CHECK(fake.messages()[0].find("body of before the restart\r\n") != std::string::npos);
  auto commands = fake.commands();
  CHECK(std::find(commands.begin(), commands.end(), "RCPT TO:<carol@c.example>") != commands.end());
  CHECK(std::find(commands.begin(), commands.end(), "RCPT TO:<bob@b.example>") == commands.end());

  send(ports["smtp"], {"bob@b.example"}, "after the restart");
  REQUIRE(wait_until([&] { return maildir_files(bob_new).size() == 2; }));
  CHECK(slurp(first) == first_bytes);
  CHECK(maillab::bridge::test::pop3_stat(ports["pop3"], "bob", "builder").rfind("+OK 2 ", 0) == 0);
  CHECK(wait_until([&] { return queue_files() == 0; }));
  CHECK(serve.stop(SIGTERM) == 0);
}

TEST_CASE("maillab serve: curl smtp:// and pop3:// round trip") {
  if (!have("curl")) {
    WARN("curl is not installed: skipping the curl conformance test (apt-get install curl)");
    return;
  }
  TempDir t;
  Serve serve({write_lab(t.path).string(), "--quiet", "--listen", "mx.b.example:smtp=127.0.0.1:0",
               "--listen", "mx.b.example:pop3=127.0.0.1:0"},
              t.path);
  auto ports = serve.wait_listening(2);
  std::string msg = "From: carol@c.example\r\nTo: bob@b.example\r\nSubject: from curl\r\n\r\n"
                    "hello from curl\r\n.leading dot\r\n";
  std::ofstream(t.path / "msg.eml", std::ios::binary) << msg;
  auto [rc, out] = shell("curl -sS --max-time 10 smtp://127.0.0.1:" + std::to_string(ports["smtp"]) +
                         " --mail-from carol@c.example --mail-rcpt bob@b.example --upload-file " +
                         (t.path / "msg.eml").string() + " 2>&1");
  INFO(out << serve.err());
  REQUIRE(rc == 0);
  auto [rc2, got] = shell("curl -sS --max-time 10 pop3://bob:builder@127.0.0.1:" +
                          std::to_string(ports["pop3"]) + "/1 2>&1");
  INFO(got);
  REQUIRE(rc2 == 0);
  CHECK(got.rfind("Return-Path: <carol@c.example>\r\n", 0) == 0);
  CHECK(got.size() >= msg.size());
  CHECK(got.find("Subject: from curl\r\n\r\nhello from curl\r\n.leading dot\r\n") != std::string::npos);
  CHECK(serve.stop(SIGINT) == 0);
}

TEST_CASE("maillab serve: swaks plain, pipelining, and AUTH on submission") {
  if (!have("swaks")) {
    WARN("swaks is not installed: skipping the swaks conformance test (apt-get install swaks)");
    return;
  }
  TempDir t;
  Serve serve({write_lab(t.path).string(), "--quiet", "--listen", "mx.b.example:smtp=127.0.0.1:0",
               "--listen", "mx.b.example:submission=127.0.0.1:0", "--mailboxes",
               (t.path / "mail").string()},
              t.path);
  auto ports = serve.wait_listening(2);
  std::string smtp = "127.0.0.1:" + std::to_string(ports["smtp"]);
  std::string sub = "127.0.0.1:" + std::to_string(ports["submission"]);
  for (const std::string& extra : {std::string(""), std::string(" --pipeline")}) {
    auto [rc, out] = shell("swaks --server " + smtp + " --from carol@c.example --to bob@b.example"
                           " --header 'Subject: swaks" + extra + "' --timeout 10" + extra + " 2>&1");
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find("<-  250 2.0.0 Ok: queued") != std::string::npos);
  }
  auto [rc, out] = shell("swaks --server " + sub + " --from bob@b.example --to bob@b.example"
                         " --auth PLAIN --auth-user bob --auth-password builder"
                         " --header 'Subject: swaks auth' --timeout 10 2>&1");
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("235 2.7.0") != std::string::npos);
  auto [rc_bad, out_bad] = shell("swaks --server " + sub + " --from bob@b.example --to bob@b.example"
                                 " --auth PLAIN --auth-user bob --auth-password wrong --timeout 10 2>&1");
  CHECK(rc_bad != 0);
  CHECK(out_bad.find("535") != std::string::npos);
  CHECK(serve.stop() == 0);
  CHECK(maildir_files(t.path / "mail" / "mx.b.example" / "bob" / "new").size() == 3);
}

TEST_CASE("maillab serve: non-loopback addresses and unknown hosts are refused with exit 2") {
  TempDir t;
  std::string lab = write_lab(t.path).string();
  auto [rc, out] = shell(std::string(MAILLAB_BINARY) + " serve " + lab +
                         " --listen mx.b.example:smtp=0.0.0.0:2525 2>&1");
  CHECK(rc == 2);
  CHECK(out.find("not a loopback address") != std::string::npos);
  std::tie(rc, out) = shell(std::string(MAILLAB_BINARY) + " serve " + lab +
                            " --route c.example=192.0.2.7:25 2>&1");
  CHECK(rc == 2);
  CHECK(out.find("--allow-nonlocal") != std::string::npos);
  std::tie(rc, out) = shell(std::string(MAILLAB_BINARY) + " serve " + lab +
                            " --listen ghost.example:smtp=127.0.0.1:0 2>&1");
  CHECK(rc == 2);
  CHECK(out.find("no host 'ghost.example'") != std::string::npos);
}

TEST_CASE("maillab serve --until stops by itself") {
  TempDir t;
  auto t0 = std::chrono::steady_clock::now();
  auto [rc, out] = shell(std::string(MAILLAB_BINARY) + " serve " + write_lab(t.path).string() +
                         " --quiet --speed 100 --until 50s --listen mx.b.example:smtp=127.0.0.1:0 2>&1");
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("--until reached") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
}

TEST_CASE("maillab serve --speed: the fastest clock reaches --until; 1e19 is refused") {
  TempDir t;
  const std::string lab = write_lab(t.path).string();
  // 1e9 simulated seconds per real one: 30 days in under a millisecond, and the clock
  // saturates instead of wrapping (1e19 once overflowed it and --until never came).
  auto [rc, out] = shell("timeout 60 " + std::string(MAILLAB_BINARY) + " serve " + lab +
                         " --quiet --speed 1e9 --until 30d --listen mx.b.example:smtp=127.0.0.1:0 2>&1");
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("--until reached") != std::string::npos);
  std::tie(rc, out) = shell(std::string(MAILLAB_BINARY) + " serve " + lab +
                            " --speed 1e19 --until 1d --listen mx.b.example:smtp=127.0.0.1:0 2>&1");
  CHECK(rc == 2);
  CHECK(out.find("--speed: expected a number from 0.001 to 1e9") != std::string::npos);
}
