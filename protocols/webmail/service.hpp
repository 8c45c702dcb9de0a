// webmail::Service: a webmail host's HTTP server (port 80, or HTTPS on 443 with port 80
// redirecting there when the host has tls) running webmail::App, with the
// App's Backend over the host's runtime: each page's IMAP work is one connection to the
// IMAP server (webmail::ImapCommands, traced as imap.out by the MUA agent, as any mail
// program's), each message sent is a mua::Submitter to port 587 with AUTH as the user.
// Every HTTP exchange is traced as http.in (command "GET /path", reply "200 OK"; over
// HTTPS with port=443, after a tls.established for the connection).
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
  // HTTPS (the host has `tls`): the webmail is served on https_port with implicit TLS
  // (RFC 9110 4.2.2, RFC 8446) and cookies marked Secure; `port` then only redirects (301)
  // to https://<name>[:public_https_port]<path>, as nginx's `return 301 https://...` does.
  // nullptr: plain HTTP on `port`.
  tls::ServerContext* tls = nullptr;
  std::string name;                       // the host's name (redirects)
  std::uint16_t https_port = 443;
  std::uint16_t public_https_port = 443;  // where a browser reaches it (serve --listen)
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
  void accept(io::ConnectionPtr c, bool https);

  io::Runtime& rt_;
  ServiceConfig config_;
  App app_;
  std::set<std::shared_ptr<HttpConn>> conns_;
  std::set<std::shared_ptr<Job>> jobs_;
  std::uint64_t unique_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace maillab::webmail
