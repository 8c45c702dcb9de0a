// webmail::Service: a webmail host's HTTP server (port 80) running webmail::App, with the
// App's Backend over the host's runtime: each page's IMAP work is one connection to the
// IMAP server (webmail::ImapCommands, traced as imap.out by the MUA agent, as any mail
// program's), each message sent is a mua::Submitter to port 587 with AUTH as the user.
// Every HTTP exchange is traced as http.in (command "GET /path", reply "200 OK").
// Runs alike in the simulation and behind `maillab serve` (DESIGN.md "Layers").
//
// Invariants: destroying the Service (a crash) aborts every connection it has, HTTP,
// IMAP and SMTP alike, and no callback of theirs runs afterwards.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "protocols/io/runtime.hpp"
#include "protocols/tls/context.hpp"
#include "protocols/webmail/app.hpp"

namespace maillab::webmail {

struct ServiceConfig {
  std::string imap_address;        // the IMAP server (port 143)
  std::string submission_address;  // the MSA (port 587, AUTH as the user)
  std::string domain;              // the users' mail domain
  std::uint16_t port = 80;
  // STARTTLS when the server's host has TLS (spec: "STARTTLS if offered"): each a context
  // trusting the lab CA and the name the certificate must carry; nullptr: in clear.
  tls::ClientContext* imap_tls = nullptr;
  std::string imap_name;
  tls::ClientContext* submission_tls = nullptr;
  std::string submission_name;
};

class Service : public Backend {
 public:
  Service(io::Runtime& rt, ServiceConfig config);
  ~Service() override;
  void start();

  void imap(const Credentials& who, std::vector<ImapCommand> commands,
            std::function<void(ImapOutcome)> done) override;
  void submit(const Credentials& who, message::Draft draft, std::function<void(SubmitOutcome)> done) override;

  App& app() { return app_; }

 private:
  struct HttpConn;
  struct Job;
  void accept(io::ConnectionPtr c);

  io::Runtime& rt_;
  ServiceConfig config_;
  App app_;
  std::set<std::shared_ptr<HttpConn>> conns_;
  std::set<std::shared_ptr<Job>> jobs_;
  std::uint64_t unique_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace maillab::webmail
