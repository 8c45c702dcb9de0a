// bench/imap_load.cpp: the IMAP benchmark's load generator (bench/run.sh, IMAP row). One
// process, one thread, epoll: C clients, each running IMAP sessions back to back against
// ADDR:PORT until the time is up:
//   LOGIN u PASS, SELECT INBOX, FETCH 1:* (FLAGS ENVELOPE),
//   B x FETCH k (BODY.PEEK[]), B x STORE k +FLAGS (\Flagged) then -FLAGS (\Flagged)
//   (k random, so the folder ends as it began), LOGOUT.
// One command in flight per client, as a mail program sends them. Every tagged reply must
// be OK and FETCH 1:* must return at least one FETCH per message SELECT announced (other
// sessions' flag changes add some), else exit 1.
// Responses are framed as RFC 9051 4.3 says: a line ending in {n} is followed by n octets
// of literal, then the line goes on.
//
//   imap_load ADDR PORT [--clients 10] [--seconds 10] [--user u] [--password secret]
//                       [--bodies 10] [--warmup 1]
//
// The last line: `commands=.. sessions=.. seconds=.. commands_per_s=.. sessions_per_s=..
// cpu_s=.. cpu_share=..` (cpu_share: this process's CPU time / wall time; near 1.0 means the
// generator, not the server, is the limit). Build: g++ -O2 -std=c++20 imap_load.cpp.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

struct Options {
  std::string addr = "127.0.0.1";
  int port = 0;
  int clients = 10;
  double seconds = 10;
  double warmup = 1;
  int bodies = 10;
  std::string user = "u";
  std::string password = "secret";
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "imap_load: %s\n", what.c_str());
  std::exit(1);
}

struct Client {
  int fd = -1;
  int step = 0;         // index into the session's commands
  int exists = 0;       // from SELECT
  int fetches = 0;      // untagged FETCH responses of the command in flight
  unsigned tag = 0;
  std::string tagstr;
  std::string in;       // unparsed input
  std::size_t literal = 0;  // literal octets still to skip
  bool mid_line = false;    // a line continues after a literal
  std::string last_store;  // the message the last +FLAGS flagged
};

class Load {
 public:
  explicit Load(const Options& o) : o_(o), rng_(1) {}

  void run() {
    ep_ = epoll_create1(0);
    clients_.resize(static_cast<std::size_t>(o_.clients));
    for (auto& c : clients_) connect_client(c);
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    const auto measure_from = start + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(o_.warmup));
    const auto end = measure_from + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(o_.seconds));
    bool measuring = false;
    rusage r0{};
    std::vector<epoll_event> evs(64);
    while (true) {
      const auto now = clock::now();
      if (!measuring && now >= measure_from) {
        measuring = true;
        commands_ = sessions_ = 0;
        getrusage(RUSAGE_SELF, &r0);
      }
      if (now >= end) break;
      const int n = epoll_wait(ep_, evs.data(), static_cast<int>(evs.size()), 100);
      for (int i = 0; i < n; ++i) on_readable(clients_[evs[static_cast<std::size_t>(i)].data.u32]);
    }
    rusage r1{};
    getrusage(RUSAGE_SELF, &r1);
    auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    const double cpu = secs(r1.ru_utime) - secs(r0.ru_utime) + secs(r1.ru_stime) - secs(r0.ru_stime);
    std::printf("commands=%llu sessions=%llu seconds=%.2f commands_per_s=%.0f sessions_per_s=%.1f cpu_s=%.2f cpu_share=%.2f\n",
                static_cast<unsigned long long>(commands_), static_cast<unsigned long long>(sessions_), o_.seconds,
                static_cast<double>(commands_) / o_.seconds, static_cast<double>(sessions_) / o_.seconds, cpu,
                cpu / o_.seconds);
  }

 private:
  void connect_client(Client& c) {
    if (c.fd >= 0) {
      epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
      close(c.fd);
    }
    c = Client{};
    c.fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(o_.port));
    if (inet_pton(AF_INET, o_.addr.c_str(), &sa.sin_addr) != 1) die("bad address " + o_.addr);
    if (connect(c.fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) die(std::string("connect: ") + std::strerror(errno));
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(c.fd, F_SETFL, O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<std::uint32_t>(&c - clients_.data());
    epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev);
    c.step = -1;  // waiting for the greeting
  }

  // The session's command number `step`, or empty when the session is over.
  std::string command(Client& c) {
    const int b = o_.bodies;
    const int s = c.step;
    auto pick = [&] { return std::to_string(std::uniform_int_distribution<int>(1, std::max(1, c.exists))(rng_)); };
    if (s == 0) return "LOGIN " + o_.user + " " + o_.password;
    if (s == 1) return "SELECT INBOX";
    if (s == 2) return "FETCH 1:* (FLAGS ENVELOPE)";
    if (s < 3 + b) return "FETCH " + pick() + " (BODY.PEEK[])";
    if (s < 3 + 3 * b) {
      if ((s - 3 - b) % 2 == 0) {
        c.last_store = pick();
        return "STORE " + c.last_store + " +FLAGS (\\Flagged)";
      }
      return "STORE " + c.last_store + " -FLAGS (\\Flagged)";
    }
    if (s == 3 + 3 * b) return "LOGOUT";
    return {};
  }

  void send_next(Client& c) {
    ++c.step;
    const std::string cmd = command(c);
    if (cmd.empty()) {
      ++sessions_;
      connect_client(c);
      return;
    }
    c.tagstr = "a" + std::to_string(++c.tag);
    c.fetches = 0;
    const std::string wire = c.tagstr + " " + cmd + "\r\n";
    if (write(c.fd, wire.data(), wire.size()) != static_cast<ssize_t>(wire.size())) die("short write");
  }

  void on_readable(Client& c) {
    char buf[65536];
    const ssize_t n = read(c.fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
      if (c.step == 3 + 3 * o_.bodies) {  // closed after LOGOUT's reply
        ++sessions_;
        connect_client(c);
        return;
      }
      die("connection closed by the server at step " + std::to_string(c.step));
    }
    c.in.append(buf, static_cast<std::size_t>(n));
    std::size_t pos = 0;
    while (pos < c.in.size()) {
      if (c.literal > 0) {
        const std::size_t take = std::min(c.literal, c.in.size() - pos);
        c.literal -= take;
        pos += take;
        continue;
      }
      const std::size_t eol = c.in.find("\r\n", pos);
      if (eol == std::string::npos) break;
      const std::string_view line(c.in.data() + pos, eol - pos);
      if (!c.mid_line) on_line_start(c, line);
      pos = eol + 2;
      // A literal: "{n}" (or "{n+}") at the end of the line.
      if (!line.empty() && line.back() == '}') {
        const std::size_t open = line.rfind('{');
        if (open != std::string_view::npos) {
          c.literal = std::strtoull(std::string(line.substr(open + 1)).c_str(), nullptr, 10);
          c.mid_line = true;
          continue;
        }
      }
      c.mid_line = false;
      if (c.step < 0 && line.rfind("* OK", 0) == 0) {  // greeting
        send_next(c);
        continue;
      }
      if (line.size() > c.tagstr.size() && line.compare(0, c.tagstr.size(), c.tagstr) == 0 &&
          line[c.tagstr.size()] == ' ') {
        if (line.compare(c.tagstr.size() + 1, 2, "OK") != 0)
          die("step " + std::to_string(c.step) + ": " + std::string(line));
        if (c.step == 1 && c.exists == 0) die("SELECT announced no messages");
        if (c.step == 2 && c.fetches < c.exists)
          die("FETCH 1:* returned " + std::to_string(c.fetches) + " of " + std::to_string(c.exists));
        ++commands_;
        c.in.erase(0, pos);
        pos = 0;
        send_next(c);
        if (c.step < 0) return;  // the session ended and the client reconnected: a new buffer
      }
    }
    c.in.erase(0, pos);
  }

  void on_line_start(Client& c, std::string_view line) {
    if (line.rfind("* ", 0) != 0) return;
    const std::size_t sp = line.find(' ', 2);
    if (sp == std::string_view::npos) return;
    const std::string_view word = line.substr(sp + 1, 6);
    if (word.rfind("EXISTS", 0) == 0) c.exists = std::atoi(std::string(line.substr(2, sp - 2)).c_str());
    if (word.rfind("FETCH", 0) == 0) ++c.fetches;
  }

  Options o_;
  std::mt19937 rng_;
  int ep_ = -1;
  std::vector<Client> clients_;
  std::uint64_t commands_ = 0;
  std::uint64_t sessions_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::vector<std::string> pos;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--clients") o.clients = std::atoi(value().c_str());
    else if (a == "--seconds") o.seconds = std::atof(value().c_str());
    else if (a == "--warmup") o.warmup = std::atof(value().c_str());
    else if (a == "--bodies") o.bodies = std::atoi(value().c_str());
    else if (a == "--user") o.user = value();
    else if (a == "--password") o.password = value();
    else if (!a.empty() && a[0] == '-') die("unknown option " + a);
    else pos.push_back(a);
  }
  if (pos.size() != 2 || o.clients < 1 || o.seconds <= 0 || o.bodies < 0)
    die("usage: imap_load ADDR PORT [--clients N] [--seconds S] [--warmup S] [--bodies B] [--user U] [--password P]");
  o.addr = pos[0];
  o.port = std::atoi(pos[1].c_str());
  Load(o).run();
}
