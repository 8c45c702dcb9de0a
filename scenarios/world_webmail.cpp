// The webmail part of the World (scenario-format.md 1.1 "Webmail"): a host's webmail
// service, and the user's browser for `send ... via` and `fetch ... protocol: webmail`.
// The browser logs in over HTTP (HTTPS on 443 when the webmail's host has tls, the lab CA
// verified); the webmail logs in to IMAP as the user (a wrong
// password is refused there, and nothing is sent), submits on 587 with AUTH as the user
// and APPENDs the copy to Sent. The trace shows each hop: http.out (browser) / http.in
// (webmail), imap.out (webmail) / imap.in (IMAP server), smtp.out / smtp.in (MSA).
#include "protocols/message/compose.hpp"
#include "scenarios/world.hpp"

namespace maillab::scenario {

namespace {

std::string user_of(const std::string& address) {
  const std::string a = message::addr_spec(address);
  return a.substr(0, a.rfind('@'));
}

// The users' mail domain on a webmail: the first domain of its IMAP host's MTA.
std::string mail_domain(const Scenario& s, const WebmailSpec& w) {
  for (const std::string& name : {w.imap, w.submission}) {
    const Host* h = s.find_host(name);
    if (h && h->mta && !h->mta->domains.empty()) return h->mta->domains.front();
  }
  return w.imap;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& a : v) out += (out.empty() ? "" : ", ") + a;
  return out;
}

}  // namespace

void World::boot_webmail(HostNode& h) {
  const WebmailSpec& w = *h.spec->webmail;
  const Host* imap = scenario_.find_host(w.imap);
  const Host* sub = scenario_.find_host(w.submission);
  if (imap == nullptr || sub == nullptr) return;
  webmail::ServiceConfig cfg;
  cfg.imap_address = imap->address.text;
  cfg.submission_address = sub->address.text;
  cfg.submission_name = sub->name;  // in diagnostics, and the certificate's name with tls
  cfg.domain = mail_domain(scenario_, w);
  if (imap->tls) {
    cfg.imap_tls = tls_->client(h.spec->name);
    cfg.imap_name = imap->name;
  }
  if (sub->tls) {
    cfg.submission_tls = tls_->client(h.spec->name);
  }
  // HTTPS when the host has tls (spec: "443 when the host has tls"); port 80 redirects.
  if (tls::ServerContext* ctx = tls_->server(h.spec->name)) {
    cfg.tls = ctx;
    cfg.name = h.spec->name;
    if (auto it = options_.https_port.find(h.spec->name); it != options_.https_port.end())
      cfg.public_https_port = it->second;
  }
  h.webmail = std::make_unique<webmail::Service>(*h.runtime, std::move(cfg));
  h.webmail->start();
}

// The browser of a person who types the webmail's name: HTTPS, verifying the lab CA, when
// the webmail's host has tls.
void World::browse_https(webmail::BrowserJob& job, const HostNode& web, const HostNode& client) {
  if (!web.spec->tls) return;
  job.tls = tls_->client(client.spec->name);
  job.port = 443;
}

void World::send_via_webmail(const Send& s) {
  HostNode* web = host(*s.via);
  if (!web || !web->spec->webmail) return;
  HostNode* client = host(s.client.value_or(*s.via));
  const HostNode* imap = host(web->spec->webmail->imap);
  if (!client || !imap) return;
  webmail::BrowserJob job;
  job.server_address = web->spec->address.text;
  job.server_name = web->spec->name;
  browse_https(job, *web, *client);
  job.user = s.auth && *s.auth != "none" ? *s.auth : user_of(s.from);
  job.password = password_of(*imap, job.user, s.password);
  webmail::BrowserCompose c;
  c.to = joined(s.to);
  c.cc = joined(s.cc);
  c.subject = s.subject;
  c.body = s.body;
  job.send = c;
  SubmissionRecord rec;
  rec.time = sim_.now();
  rec.client = client->spec->name;
  rec.server = s.server.empty() ? web->spec->webmail->submission : s.server;
  rec.subject = s.subject;
  const std::size_t index = submissions_.size();
  submissions_.push_back(std::move(rec));
  auto b = std::make_unique<webmail::Browser>(*client->runtime, std::move(job),
                                              [this, index](const webmail::BrowserResult& r) {
                                                submissions_[index].accepted = r.ok;
                                                submissions_[index].detail = r.detail;
                                              });
  b->start();
  browsers_.push_back(std::move(b));
}

void World::fetch_via_webmail(const Fetch& f) {
  HostNode* web = host(f.server);
  HostNode* client = host(f.client.value_or(f.server));
  if (!web || !client || !web->spec->webmail) return;
  const HostNode* imap = host(web->spec->webmail->imap);
  if (!imap) return;
  webmail::BrowserJob job;
  job.server_address = web->spec->address.text;
  job.server_name = web->spec->name;
  browse_https(job, *web, *client);
  job.user = f.user;
  job.password = password_of(*imap, f.user, f.password);
  const std::size_t index = fetches_.size();
  fetches_.push_back(FetchRecord{sim_.now(), f.user, web->spec->name, client->spec->name, {}});
  auto b = std::make_unique<webmail::Browser>(*client->runtime, std::move(job),
                                              [this, index](const webmail::BrowserResult& r) {
                                                mua::FetchResult out;
                                                out.ok = r.ok;
                                                out.detail = r.detail;
                                                out.messages = r.messages;
                                                fetches_[index].result = std::move(out);
                                              });
  b->start();
  browsers_.push_back(std::move(b));
}

}  // namespace maillab::scenario
