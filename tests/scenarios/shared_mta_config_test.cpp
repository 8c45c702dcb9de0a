// Several mta::Mta sharing one MtaConfig (maillab bench hosts, a million idle hosts): with
// no hostname in the config each MTA is its host (greeting, HELO), as Postfix's
// myhostname defaults to the system's name.
#include <catch2/catch.hpp>

#include <optional>

#include "protocols/message/base64.hpp"
#include "protocols/message/sasl_scram.hpp"
#include "protocols/mta/mta.hpp"
#include "scenarios/sim_runtime.hpp"

using namespace maillab;

namespace {

struct Reader final : sim::StreamHandler {
  std::string got;
  void on_data(std::string_view bytes) override { got.append(bytes); }
  void on_close(sim::CloseReason) override {}
};

// Says EHLO after the greeting and keeps what comes back.
struct Ehlo final : sim::StreamHandler {
  sim::StreamPtr stream;
  std::string got;
  void on_data(std::string_view bytes) override {
    const bool greeted = got.find("\r\n") != std::string::npos;
    got.append(bytes);
    if (!greeted && got.find("\r\n") != std::string::npos) stream->send("EHLO client.example\r\n");
  }
  void on_close(sim::CloseReason) override {}
};

// Logs in with AUTH SCRAM-SHA-256 (RFC 7677) as `user` with `password`, a line at a time
// as the replies come; `replies` keeps every reply line.
struct ScramLogin final : sim::StreamHandler {
  sim::StreamPtr stream;
  std::string user, password, buf;
  std::vector<std::string> replies;
  std::optional<message::ScramClientFirst> first;
  void on_data(std::string_view bytes) override {
    buf.append(bytes);
    for (std::size_t eol; (eol = buf.find("\r\n")) != std::string::npos;) {
      const std::string line = buf.substr(0, eol);
      buf.erase(0, eol + 2);
      replies.push_back(line);
      if (line.rfind("220 ", 0) == 0) {
        stream->send("EHLO client.example\r\n");
      } else if (line.rfind("250 ", 0) == 0 && !first) {
        first = message::parse_scram_client_first("n,,n=" + user + ",r=fyko+d2lbbFgONRv9qkxdawL");
        stream->send("AUTH SCRAM-SHA-256 " + message::base64_encode("n,,n=" + user + ",r=fyko+d2lbbFgONRv9qkxdawL") +
                     "\r\n");
      } else if (line.rfind("334 ", 0) == 0) {
        const std::string challenge = message::base64_decode(line.substr(4)).value_or("");
        if (challenge.rfind("v=", 0) == 0) {
          stream->send("\r\n");
        } else {
          stream->send(message::base64_encode(message::scram_client_final(password, *first, challenge)) + "\r\n");
        }
      }
    }
  }
  void on_close(sim::CloseReason) override {}
};

// Three MTAs mx0..mx2.example (10.0.0.1-3) on one configuration, and a client host
// (10.0.1.1), in one simulation.
struct SharedLab {
  sim::Simulator sim{1};
  sim::TraceRecorder trace;
  sim::Network net{sim};
  std::shared_ptr<const mta::MtaConfig> shared;
  struct Host {
    io::MemoryDisk disk;
    std::unique_ptr<scenario::SimRuntime> rt;
    std::unique_ptr<mta::Mta> mta;
  };
  std::vector<std::unique_ptr<Host>> hosts;

  explicit SharedLab(bool submission) {
    auto cfg = std::make_shared<mta::MtaConfig>();
    cfg->domains = {"example"};
    cfg->submission = submission;
    cfg->users.add("alice", "wonderland");
    cfg->users.add("carol", std::nullopt);
    shared = cfg;
    for (int i = 0; i < 3; ++i) {
      auto h = std::make_unique<Host>();
      const std::string name = "mx" + std::to_string(i) + ".example";
      const std::string addr = "10.0.0." + std::to_string(i + 1);
      net.add_host(name, *sim::parse_address(addr));
      h->rt = std::make_unique<scenario::SimRuntime>(sim, net, trace, name, addr, h->disk);
      h->mta = std::make_unique<mta::Mta>(*h->rt, shared);
      h->mta->start();
      hosts.push_back(std::move(h));
    }
    net.add_host("client", *sim::parse_address("10.0.1.1"));
  }
  ~SharedLab() {
    for (auto& h : hosts) h->mta.reset();
  }
  // A connection from the client to host `i` on `port`, handled by `handler`.
  void connect(int i, std::uint16_t port, sim::StreamHandler& handler, sim::StreamPtr& stream) {
    net.connect(*sim::parse_address("10.0.1.1"), *sim::parse_address("10.0.0." + std::to_string(i + 1)), port,
                5'000'000'000LL, [&handler, &stream](sim::ConnectResult r, sim::StreamPtr s) {
                  REQUIRE(r == sim::ConnectResult::Connected);
                  stream = s;
                  s->set_handler(&handler);
                });
  }
};

}  // namespace

TEST_CASE("shared MTA config: each MTA greets with its own host name") {
  SharedLab lab(false);
  for (int i = 0; i < 3; ++i) {
    CHECK(lab.hosts[i]->mta->hostname() == "mx" + std::to_string(i) + ".example");
    CHECK(&lab.hosts[i]->mta->config() == lab.shared.get());
  }
  std::vector<Reader> readers(3);
  std::vector<sim::StreamPtr> streams(3);
  for (int i = 0; i < 3; ++i) lab.connect(i, 25, readers[i], streams[i]);
  lab.sim.run_until(1'000'000'000LL);
  for (int i = 0; i < 3; ++i) {
    CHECK(readers[i].got.rfind("220 mx" + std::to_string(i) + ".example ", 0) == 0);
  }
  for (auto& st : streams) {
    if (st) st->set_handler(nullptr);
  }
}

TEST_CASE("an MTA's own config keeps its own hostname") {
  sim::Simulator sim(1);
  sim::TraceRecorder trace;
  sim::Network net(sim);
  io::MemoryDisk disk;
  net.add_host("box", *sim::parse_address("10.0.0.1"));
  scenario::SimRuntime rt(sim, net, trace, "box", "10.0.0.1", disk);
  mta::MtaConfig c;
  c.hostname = "mail.example";
  mta::Mta m(rt, c);
  CHECK(m.hostname() == "mail.example");
  CHECK(m.resolver() == nullptr);  // none configured
}

TEST_CASE("shared MTA config: each listener of each MTA announces its own name and extensions") {
  // Three MTAs on one configuration, ports 25 and 587 each, connections to all six open
  // at once: every EHLO names its host, and only submission offers AUTH.
  SharedLab lab(true);
  std::vector<Ehlo> clients(6);
  for (int round = 0; round < 2; ++round) {  // the second round reuses each listener's replies
    for (auto& c : clients) c = Ehlo{};
    for (int k = 0; k < 6; ++k) lab.connect(k / 2, k % 2 ? 587 : 25, clients[k], clients[k].stream);
    lab.sim.run_until(lab.sim.now() + 1'000'000'000LL);
    for (int k = 0; k < 6; ++k) {
      INFO("round " << round << " host " << k / 2 << " port " << (k % 2 ? 587 : 25));
      const std::string name = "mx" + std::to_string(k / 2) + ".example";
      CHECK(clients[k].got.rfind("220 " + name + " ESMTP maillab\r\n250-" + name + "\r\n", 0) == 0);
      CHECK((clients[k].got.find("\r\n250-AUTH PLAIN LOGIN SCRAM-SHA-256\r\n") != std::string::npos) == (k % 2 == 1));
      CHECK(clients[k].got.find("250 CHUNKING\r\n") != std::string::npos);
    }
    for (auto& c : clients) {
      if (c.stream) c.stream->set_handler(nullptr);
    }
  }
}

TEST_CASE("submission: AUTH SCRAM-SHA-256 logs in with the user's password, and only with it") {
  SharedLab lab(true);
  struct Case {
    std::string user, password;
    std::string last;
  };
  for (const Case& c : {Case{"alice", "wonderland", "235 2.7.0 Authentication successful"},
                        Case{"Alice", "wonderland", "235 2.7.0 Authentication successful"},
                        Case{"alice", "wonderland!", "535 5.7.8 Error: authentication failed"},
                        Case{"carol", "", "535 5.7.8 Error: authentication failed"},
                        Case{"mallory", "x", "535 5.7.8 Error: authentication failed"}}) {
    INFO(c.user << " / " << c.password);
    ScramLogin login;
    login.user = c.user;
    login.password = c.password;
    lab.connect(0, 587, login, login.stream);
    lab.sim.run_until(lab.sim.now() + 10'000'000'000LL);
    REQUIRE(!login.replies.empty());
    CHECK(login.replies.back() == c.last);
    if (login.stream) login.stream->set_handler(nullptr);
  }
}
