#include "scenarios/world.hpp"

#include <algorithm>

#include "protocols/mda/mailbox_mail_store.hpp"
#include "protocols/message/compose.hpp"
#include "scenarios/resolver_check.hpp"

namespace maillab::scenario {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

std::string local_part(const std::string& address) {
  return address.substr(0, address.rfind('@'));
}

// The host's users in the order the scenario declares them (the first is the default
// postmaster); a user without a password has none (never "": services::Accounts).
services::Accounts accounts(const Host& h) {
  std::vector<const User*> users;
  for (const auto& [name, u] : h.users) users.push_back(&u);
  std::stable_sort(users.begin(), users.end(), [](const User* a, const User* b) {
    return a->mark.line != b->mark.line ? a->mark.line < b->mark.line : a->mark.column < b->mark.column;
  });
  services::Accounts out;
  for (const User* u : users) out.add(u->name, u->password);
  return out;
}

}  // namespace

World::World(const Scenario& s, std::uint64_t seed) : scenario_(s), sim_(seed) {
  tls_ = std::make_unique<WorldTls>(scenario_, seed);
  net_ = std::make_unique<sim::Network>(sim_);
}

World::~World() {
  // Services first (they hold references into runtimes and the network).
  submitters_.clear();
  fetchers_.clear();
  imap_clients_.clear();
  browsers_.clear();
  for (auto& [name, h] : hosts_) {
    h->webmail.reset();
    h->mta.reset();
    h->dns.reset();
    h->pop3.reset();
    h->imap.reset();
    h->mailboxes.reset();
  }
}

std::variant<std::unique_ptr<World>, LoadError> World::build(const Scenario& s,
                                                             std::uint64_t seed) {
  return build(s, seed, WorldOptions{});
}

std::string World::tls_ca_pem() const { return tls_->ca_pem(); }

std::variant<std::unique_ptr<World>, LoadError> World::build(const Scenario& s,
                                                             std::uint64_t seed,
                                                             WorldOptions options) {
  std::unique_ptr<World> w(new World(s, seed));
  w->options_ = std::move(options);
  const Scenario& sc = w->scenario_;
  if (w->options_.system_random || w->options_.key_log)  // before any host: they keep its contexts
    w->tls_ = std::make_unique<WorldTls>(sc, seed, w->options_.system_random, w->options_.key_log);
  if (std::optional<LoadError> e = check_resolvers(sc, w->options_.transport)) return *e;
  sim::LinkParams def;
  def.latency = sc.network.latency_ns;
  def.loss = sc.network.loss;
  w->net_->set_default_path(def);
  for (const Host& h : sc.hosts) {
    w->net_->add_host(h.name, h.address.value);
  }
  for (const auto& r : sc.network.routers) w->net_->add_router(r);
  for (const Link& l : sc.network.links) {
    sim::LinkParams p;
    p.latency = l.latency_ns;
    p.loss = l.loss;
    p.bandwidth_bps = l.bandwidth_bps;
    w->net_->add_link(l.a, l.b, p);
  }
  // Zones: parse once per DNS host; errors point into the scenario file. The DKIM keys
  // the MTAs sign with are made from the seed and published in them (dkim_keys.hpp).
  std::vector<std::pair<const Host*, std::vector<dns::Zone>>> parsed_zones;
  for (const Host& h : sc.hosts) {
    if (!h.dns) continue;
    auto& zones = parsed_zones.emplace_back(&h, std::vector<dns::Zone>{}).second;
    for (const ZoneText& z : h.dns->zones) {
      auto parsed = dns::parse_zone(z.text);
      if (!parsed.ok()) {
        LoadError e;
        e.file = sc.file;
        e.line = z.mark.line + parsed.error.line - 1;
        e.column = z.mark.column + parsed.error.column - 1;
        e.message = "in zone: " + parsed.error.message;
        return e;
      }
      zones.push_back(std::move(*parsed.zone));
    }
  }
  w->dkim_keys_ = DkimKeys(sc, seed);
  std::vector<dns::Zone*> all_zones;
  for (auto& [host, zones] : parsed_zones)
    for (dns::Zone& z : zones) all_zones.push_back(&z);
  w->dkim_keys_.publish(all_zones);
  for (auto& [host, zones] : parsed_zones) {
    auto auth = std::make_shared<dns::Authority>();
    for (dns::Zone& z : zones) auth->add_zone(std::move(z));
    w->zones_[host->name] = std::move(auth);
  }
  if (std::optional<LoadError> e = w->check_dns_sets()) return *e;
  for (const Host& h : sc.hosts) {
    auto node = std::make_unique<HostNode>();
    node->spec = &h;
    if (w->options_.service_disk) node->service_disk = w->options_.service_disk(h, node->disk);
    io::Disk& disk = node->service_disk ? *node->service_disk : static_cast<io::Disk&>(node->disk);
    node->runtime = std::make_unique<SimRuntime>(w->sim_, *w->net_, w->trace_, h.name,
                                                 h.address.text, disk);
    w->hosts_[h.name] = std::move(node);
  }
  for (auto& [name, node] : w->hosts_) w->boot(*node);
  // Events in time order; equal times in file order.
  std::vector<const Event*> events;
  for (const Event& e : sc.events) events.push_back(&e);
  std::stable_sort(events.begin(), events.end(),
                   [](const Event* a, const Event* b) { return a->at_ns < b->at_ns; });
  World* self = w.get();
  for (const Event* e : events) {
    w->sim_.at(e->at_ns, [self, e] { self->apply(e->action); });
  }
  return w;
}

HostNode* World::host(const std::string& name) {
  auto it = hosts_.find(name);
  return it == hosts_.end() ? nullptr : it->second.get();
}

mta::MtaConfig World::mta_config(const Host& h) const {
  mta::MtaConfig c;
  const MtaConfig& m = *h.mta;
  c.hostname = h.name;
  c.domains = m.domains;
  c.relay_domains = m.relay_domains;
  for (const auto& n : m.mynetworks) c.mynetworks.push_back(n);
  c.submission = m.submission;
  c.mailbox = m.mailbox;
  c.queue.queue_run_delay = m.queue.queue_run_delay_ns;
  c.queue.minimal_backoff_time = m.queue.minimal_backoff_time_ns;
  c.queue.maximal_backoff_time = m.queue.maximal_backoff_time_ns;
  c.queue.maximal_queue_lifetime = m.queue.maximal_queue_lifetime_ns;
  c.queue.bounce_queue_lifetime = m.queue.bounce_queue_lifetime_ns;
  c.queue.delay_warning_time = m.queue.delay_warning_time_ns;
  c.queue.smtp_connect_timeout = m.queue.smtp_connect_timeout_ns;
  c.message_size_limit = m.message_size_limit;
  c.aliases.insert(m.aliases.begin(), m.aliases.end());
  c.discard = m.discard;
  c.smtp_chunking = m.smtp_chunking;
  c.smtp_connection_cache_on_demand = m.smtp_connection_cache_on_demand;
  c.smtputf8_enable = m.smtputf8_enable;
  c.smtpd_soft_error_limit = m.smtpd_soft_error_limit;
  c.smtpd_hard_error_limit = m.smtpd_hard_error_limit;
  c.smtpd_error_sleep_time = m.smtpd_error_sleep_time_ns;
  c.anvil_rate_time_unit = m.anvil_rate_time_unit_ns;
  c.smtpd_client_auth_failure_limit = m.smtpd_client_auth_failure_limit;
  auto mode = [](CheckMode check) {
    switch (check) {
      case CheckMode::Tag: return mta::CheckMode::Tag;
      case CheckMode::Reject: return mta::CheckMode::Reject;
      case CheckMode::Enforce: return mta::CheckMode::Enforce;
      case CheckMode::Off: break;
    }
    return mta::CheckMode::Off;
  };
  for (const DkimSigning& d : m.dkim) c.dkim.push_back(mta::DkimKey{d.domain, d.selector, dkim_keys_.find(d.domain, d.selector)});
  c.smtpd_checks.spf = mode(m.smtpd_checks.spf);
  c.smtpd_checks.dkim = mode(m.smtpd_checks.dkim);
  c.smtpd_checks.dmarc = mode(m.smtpd_checks.dmarc);
  c.users = accounts(h);
  if (h.resolver) c.resolver = h.resolver->text;
  c.relayhost = m.relayhost;
  c.relayhost_auth = m.relayhost_auth;
  for (const auto& [name, u] : h.users)
    if (u.quota) c.quotas[name] = *u.quota;
  c.quota_full_tempfail = m.quota_full_tempfail;
  c.greylist = m.greylist_ns;
  c.transport = m.transport;
  for (const auto& [domain, next_hop] : options_.transport) c.transport[domain] = next_hop;
  // TLS (scenario-format.md 1.1): Postfix's defaults given a certificate.
  c.tls_server = tls_->server(h.name);
  c.tls_client = tls_->client(h.name);
  c.smtps = m.smtps;
  c.smtpd_tls_security_level = !m.smtpd_tls_security_level.empty() ? m.smtpd_tls_security_level
                               : h.tls                              ? "may"
                                                                    : "none";
  c.smtpd_tls_auth_only = m.smtpd_tls_auth_only.value_or(h.tls.has_value());
  c.smtp_tls_security_level = m.smtp_tls_security_level;
  return c;
}

void World::boot(HostNode& h) {
  const Host& spec = *h.spec;
  if (auto it = zones_.find(spec.name); it != zones_.end() && !h.dns_refused) {
    h.dns = std::make_unique<services::DnsServer>(*h.runtime, it->second);
  }
  if (spec.imap) {
    h.mailboxes = std::make_unique<mda::MaildirPlusStore>(h.runtime->disk(), "mail/", spec.name);
  }
  if (spec.mta) {
    // inet_interfaces = loopback-only: Postfix listens on 127.0.0.1 only, so every other
    // host's connection is refused (a reset), the host's own MUA gets through.
    for (std::uint16_t port : {std::uint16_t{25}, std::uint16_t{587}})
      net_->set_loopback_only(h.runtime->sim_address(), port, spec.mta->loopback_only);
    h.mta = std::make_unique<mta::Mta>(*h.runtime, mta_config(spec));
    if (h.mailboxes) h.mta->use_store(std::make_unique<mda::MailboxMailStore>(*h.mailboxes));
    std::string name = spec.name;
    h.mta->on_delivered = [this, name](const mta::DeliveryRecord& r) {
      ++delivery_count_;
      if (keep_deliveries_) deliveries_.push_back(Delivery{name, r});
    };
    h.mta->start();
  }
  services::LoginLimits limits;  // POP3 and IMAP alike
  if (spec.mta) {
    limits.auth_failure_delay = std::chrono::milliseconds(spec.mta->auth_failure_delay_ns / kMillisecond);
    limits.auth_failure_limit = spec.mta->smtpd_client_auth_failure_limit;
    limits.time_unit = spec.mta->anvil_rate_time_unit_ns;
  }
  if (spec.pop3) {
    if (h.mailboxes) {
      h.pop3 = std::make_unique<services::Pop3Server>(
          *h.runtime, std::make_unique<mda::MailboxMailStore>(*h.mailboxes), accounts(spec), limits);
    } else {
      h.pop3 = std::make_unique<services::Pop3Server>(
          *h.runtime, spec.mta ? spec.mta->mailbox : "maildir", accounts(spec), limits);
    }
    if (tls::ServerContext* ctx = tls_->server(spec.name)) h.pop3->use_tls(*ctx, spec.pop3s);
    h.pop3->start();
  }
  if (h.mailboxes) {
    h.imap = std::make_unique<services::ImapServer>(*h.runtime, *h.mailboxes, accounts(spec), limits);
    if (tls::ServerContext* ctx = tls_->server(spec.name)) h.imap->use_tls(*ctx, spec.imaps);
    h.imap->start();
  }
  if (spec.webmail) boot_webmail(h);
}

void World::crash(HostNode& h) {
  // Services go first and the epoch moves after them, so that anything a service arms
  // while it is torn down (an aborted session's last callback) is forgotten as well.
  h.webmail.reset();
  h.mta.reset();
  h.dns.reset();
  h.pop3.reset();
  h.imap.reset();
  h.mailboxes.reset();
  h.runtime->crash();
  if (on_crash) on_crash(h);
}

void World::do_send(const Send& s) {
  if (s.via) return send_via_webmail(s);
  HostNode* server = host(s.server);
  HostNode* client = host(s.client.value_or(s.server));
  if (!server || !client) return;
  message::Draft d;
  d.from = s.from;
  d.to = s.to;
  d.cc = s.cc;
  d.bcc = s.bcc;
  d.subject = s.subject;
  d.body = s.body;
  SubmissionRecord rec;
  rec.time = sim_.now();
  rec.client = client->spec->name;
  rec.server = server->spec->name;
  rec.subject = s.subject;
  if (!s.client) {
    // sendmail-style local submission: no SMTP, straight into the queue.
    std::string id = message::make_message_id(server->spec->name, ++mua_unique_, sim_.now());
    rec.content = message::compose(d, sim_.now(), id);
    server->runtime->trace(agent::kMua, ev::kCompose,
                           {{key::kFrom, s.from}, {key::kSubject, s.subject}, {key::kMessageId, id}});
    if (!server->up || !server->mta) {
      rec.detail = "the MTA is not running";
      server->runtime->trace(agent::kMua, ev::kSubmitFailed, {{key::kReason, rec.detail}});
      submissions_.push_back(std::move(rec));
      return;
    }
    mta::Submission sub;
    sub.sender = message::addr_spec(s.from);
    sub.rcpts = message::envelope_recipients(d);
    sub.content = rec.content;
    sub.protocol = "local";
    sub.submitted = true;
    auto reply = server->mta->enqueue(sub);
    rec.accepted = reply.positive_completion();
    rec.detail = std::to_string(reply.code) + " " + reply.text();
    if (rec.accepted) {
      // The queue is on this host: the next hop is the host's own address.
      server->runtime->trace(agent::kMua, ev::kSubmitAccepted,
                             {{key::kMessageId, id},
                              {key::kReply, rec.detail},
                              {key::kPeer, server->spec->address.text},
                              {key::kNextId, std::string(smtp::queued_as(reply))}});
      if (s.save_sent) save_sent(*server, *server, s, rec.content);
    } else {
      server->runtime->trace(agent::kMua, ev::kSubmitFailed,
                             {{key::kMessageId, id}, {key::kReply, rec.detail}});
    }
    submissions_.push_back(std::move(rec));
    return;
  }
  mua::SubmitJob job;
  job.draft = d;
  job.server_address = server->spec->address.text;
  job.unique = ++mua_unique_;
  bool submission = server->spec->mta && server->spec->mta->submission;
  job.port = submission ? 587 : 25;
  // A MUA set to starttls/implicit verifies and never goes on in clear (1.1 `send.tls`).
  const std::string tls_mode = s.tls.value_or(server->spec->tls ? "starttls" : "none");
  if (tls_mode != "none") {
    job.tls = smtp::TlsLevel::Verify;
    job.implicit_tls = tls_mode == "implicit";
    if (job.implicit_tls) job.port = 465;
    job.tls_client = tls_->client(client->spec->name);
  }
  job.server_name = server->spec->name;
  // Port 465 is submission too (RFC 8314 3.3): the MUA logs in there as on 587.
  if ((submission || job.implicit_tls) && s.auth.value_or("") != "none") {
    std::string user = s.auth.value_or(local_part(message::addr_spec(s.from)));
    std::string password;
    if (s.password) {
      password = *s.password;
    } else if (auto it = server->spec->users.find(user); it != server->spec->users.end()) {
      password = it->second.password.value_or("");
    }
    job.auth = std::make_pair(user, password);
  }
  std::size_t index = submissions_.size();
  submissions_.push_back(std::move(rec));
  auto sub = std::make_unique<mua::Submitter>(
      *client->runtime, std::move(job), [this, index, s, client, server](const mua::SubmitResult& r) {
        submissions_[index].accepted = r.accepted;
        submissions_[index].detail = r.detail;
        if (r.accepted && s.save_sent) save_sent(*client, *server, s, submissions_[index].content);
      });
  submissions_[index].content = sub->content();
  sub->start();
  submitters_.push_back(std::move(sub));
}

std::string World::password_of(const HostNode& server, const std::string& user,
                               const std::optional<std::string>& given) const {
  if (given) return *given;
  if (auto it = server.spec->users.find(user); it != server.spec->users.end()) return it->second.password.value_or("");
  return "";
}

mua::ImapClient& World::start_imap(HostNode& client, const HostNode& server, mua::ImapJob job, bool record) {
  job.server_address = server.spec->address.text;
  mua::ImapClient::Done done = [](const mua::FetchResult&) {};
  mua::ImapClient::Done progress;
  if (record) {
    const std::size_t index = fetches_.size();
    fetches_.push_back(FetchRecord{sim_.now(), job.user, server.spec->name, client.spec->name, {}});
    done = [this, index](const mua::FetchResult& r) { fetches_[index].result = r; };
    progress = [this, index](const mua::FetchResult& r) { fetches_[index].result.messages = r.messages; };
  }
  auto c = std::make_unique<mua::ImapClient>(*client.runtime, std::move(job), std::move(done), std::move(progress));
  c->start();
  imap_clients_.push_back(std::move(c));
  return *imap_clients_.back();
}

// Thunderbird's "Place a copy in Sent": after the submission was accepted, the MUA logs
// in to the IMAP server on `server` as the submitting user and APPENDs what it sent.
void World::save_sent(HostNode& client, HostNode& server, const Send& s, const std::string& content) {
  mua::ImapJob job;
  job.user = s.auth && *s.auth != "none" ? *s.auth : local_part(message::addr_spec(s.from));
  job.password = password_of(server, job.user, s.password);
  job.fetch = false;
  job.append.push_back(content);
  // The same account settings as the submission: STARTTLS on 143, or 993 with implicit.
  job.tls = mua_tls(client, server, s.tls);
  if (job.tls.implicit) job.port = 993;
  start_imap(client, server, std::move(job), false);
}

mua::MuaTls World::mua_tls(const HostNode& client, const HostNode& server,
                           const std::optional<std::string>& mode) const {
  mua::MuaTls tls;
  if (mode.value_or(server.spec->tls ? "starttls" : "none") == "none") return tls;
  tls.required = true;
  tls.client = tls_->client(client.spec->name);
  tls.implicit = mode == "implicit";
  tls.server_name = server.spec->name;
  return tls;
}

void World::do_idle(const Idle& d) {
  HostNode* server = host(d.server);
  HostNode* client = host(d.client.value_or(d.server));
  if (!server || !client) return;
  mua::ImapJob job;
  job.user = d.user;
  job.password = password_of(*server, d.user, d.password);
  job.idle = true;
  job.tls = mua_tls(*client, *server, std::nullopt);
  mua::ImapClient& c = start_imap(*client, *server, std::move(job), true);
  sim_.at(d.until_ns, [&c] { c.stop(); });
}

void World::do_fetch(const Fetch& f) {
  HostNode* server = host(f.server);
  HostNode* client = host(f.client.value_or(f.server));
  if (!server || !client) return;
  if (f.protocol == "webmail") return fetch_via_webmail(f);
  // Implicit TLS connects to 993 / 995 (RFC 8314).
  mua::MuaTls tls = mua_tls(*client, *server, f.tls);
  if (f.protocol == "imap") {
    mua::ImapJob job;
    job.user = f.user;
    job.password = password_of(*server, f.user, f.password);
    job.delete_after = f.delete_messages;
    if (f.to_trash) job.delete_to = "Trash";
    if (tls.implicit) job.port = 993;
    job.tls = std::move(tls);
    start_imap(*client, *server, std::move(job), true);
    return;
  }
  mua::FetchJob job;
  if (tls.implicit) job.port = 995;
  job.tls = std::move(tls);
  job.server_address = server->spec->address.text;
  job.user = f.user;
  if (f.password) {
    job.password = *f.password;
  } else if (auto it = server->spec->users.find(f.user); it != server->spec->users.end()) {
    job.password = it->second.password.value_or("");
  }
  job.delete_after = f.delete_messages;
  std::size_t index = fetches_.size();
  fetches_.push_back(FetchRecord{sim_.now(), f.user, f.server, client->spec->name, {}});
  auto fetcher = std::make_unique<mua::Fetcher>(*client->runtime, std::move(job),
                                                [this, index](const mua::FetchResult& r) {
                                                  fetches_[index].result = r;
                                                });
  fetcher->start();
  fetchers_.push_back(std::move(fetcher));
}

void World::run_until(io::Time end) { sim_.run_until(end); }

std::vector<mta::QueueFile> World::queue_of(const std::string& name) const {
  std::vector<mta::QueueFile> out;
  auto it = hosts_.find(name);
  if (it == hosts_.end()) return out;
  const io::Disk& disk = it->second->disk;
  for (const auto& path : disk.list("queue/")) {
    if (path.rfind("queue/msg/", 0) == 0) continue;
    if (auto bytes = disk.read(path)) {
      if (auto q = mta::QueueFile::parse(*bytes)) out.push_back(std::move(*q));
    }
  }
  return out;
}

std::optional<std::string> World::queued_content(const std::string& name, const std::string& queue_id) const {
  auto it = hosts_.find(name);
  if (it == hosts_.end()) return std::nullopt;
  auto bytes = it->second->disk.read(mta::QueueFile::content_path(queue_id));
  if (!bytes) return std::nullopt;
  return std::string(*bytes);
}

std::optional<World::FolderCount> World::stored(const std::string& name, const std::string& user,
                                                const std::string& folder) const {
  auto it = hosts_.find(name);
  if (it == hosts_.end()) return std::nullopt;
  const HostNode& h = *it->second;
  // A host without IMAP has no live shared store: read a copy of its mail files (loading
  // writes the uidlists it lacks, which must not touch the host's own disk).
  io::MemoryDisk copy;
  std::unique_ptr<mda::MaildirPlusStore> reader;
  mda::MailboxStore* store = h.mailboxes.get();
  if (store == nullptr) {
    for (const auto& path : h.disk.list("mail/")) {
      if (auto bytes = h.disk.read(path)) copy.write(path, bytes);
    }
    reader = std::make_unique<mda::MaildirPlusStore>(copy, "mail/", name);
    store = reader.get();
  }
  const mda::Folder* f = store->folder(user, folder);
  if (f == nullptr) return std::nullopt;
  FolderCount out;
  out.messages = f->messages.size();
  for (const auto& m : f->messages) out.seen += (m.flags & mda::Seen) ? 1 : 0;
  return out;
}

std::string World::mailbox_kind(const std::string& name) const {
  auto it = hosts_.find(name);
  if (it == hosts_.end() || !it->second->spec->mta) return "maildir";
  return it->second->spec->mta->mailbox;
}

}  // namespace maillab::scenario
