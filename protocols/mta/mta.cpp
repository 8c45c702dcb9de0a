// The MTA's wiring and its front half: boot, the SMTP listeners, recipient checks,
// aliases, and cleanup (Received, Message-ID, DKIM, the queue id) before the queue
// manager (qmgr.cpp) takes the message.
#include "protocols/mta/mta.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>
#include <type_traits>

#include "protocols/message/compose.hpp"
#include "protocols/message/date.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/received.hpp"
#include "protocols/mta/client_name.hpp"
#include "protocols/mta/greylist.hpp"
#include "protocols/mta/smtp_attempt.hpp"
#include "protocols/mta/smtpd_session.hpp"
#include "protocols/services/session_driver.hpp"

namespace maillab::mta {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

// One inbound SMTP connection: the engine plus the host's policy object, and the lookup
// of the client's name (client_name.hpp) while it runs.
struct InboundSmtp {
  SmtpdSession policy;
  std::shared_ptr<services::SessionDriver<smtp::ServerSession>> driver;
  std::unique_ptr<ClientNameLookup> name_lookup;
  InboundSmtp(Mta& m, std::string peer, std::uint16_t port) : policy(m, std::move(peer), port) {}
};

}  // namespace

struct Mta::Listeners {
  std::optional<smtp::ServerConfig> smtp, submission, smtps;  // ports 25, 587 and 465
};

Mta::Mta(io::Runtime& rt, MtaConfig config)
    : Mta(rt, std::make_shared<const MtaConfig>(std::move(config))) {}

Mta::Mta(io::Runtime& rt, std::shared_ptr<const MtaConfig> config)
    : rt_(rt),
      cfg_(std::move(config)),
      auth_failures_(cfg_->smtpd_client_auth_failure_limit, cfg_->anvil_rate_time_unit),
      local_(*this, on_delivered),
      qmgr_(*this, local_) {}

const std::string& Mta::hostname() const {
  return cfg_->hostname.empty() ? rt_.hostname() : cfg_->hostname;
}

services::Resolver* Mta::resolver() {
  // Made on first use: an idle MTA pays one pointer for it.
  if (!resolver_ && !cfg_->resolver.empty()) {
    resolver_ = std::make_unique<services::Resolver>(rt_, cfg_->resolver);
    if (cfg_->resolver_cache) resolver_->enable_cache(cfg_->resolver_cache);
  }
  return resolver_.get();
}

Mta::~Mta() {
  token_.reset();  // every callback below checks it and returns
  qmgr_.stop();
  for (const auto& s : sessions_) static_cast<InboundSmtp*>(s.get())->driver->abort();
  sessions_.clear();
}

void Mta::start() {
  rt_.listen(25, [this](io::ConnectionPtr c) { accept_connection(std::move(c), 25); });
  if (cfg_->submission) {
    rt_.listen(587, [this](io::ConnectionPtr c) { accept_connection(std::move(c), 587); });
  }
  if (cfg_->smtps && cfg_->tls_server) {  // RFC 8314: submission over implicit TLS
    rt_.listen(465, [this](io::ConnectionPtr c) { accept_connection(std::move(c), 465); });
  }
  qmgr_.start();
}

void Mta::accept_connection(io::ConnectionPtr c, std::uint16_t port) {
  std::string peer = c->peer_address();
  auto in = std::make_shared<InboundSmtp>(*this, peer, port);
  in->driver = std::make_shared<services::SessionDriver<smtp::ServerSession>>(rt_, std::move(c),
                                                                             smtpd_config(port), in->policy);
  if (cfg_->tls_server && (port == 465 || in->driver->engine().config().starttls))
    in->driver->use_tls(*cfg_->tls_server, port == 465);
  sessions_.insert(in);
  if (auto* resolver = this->resolver()) {
    // Postfix's client name lookup, PTR then A; the session goes on meanwhile. The lookup
    // dies with the session (its callback is then never run).
    InboundSmtp* session = in.get();
    in->name_lookup = std::make_unique<ClientNameLookup>(
        *resolver, std::move(peer), [session](const std::string& name) { session->policy.set_client_name(name); });
  }
  // Two pointers: std::function keeps them without an allocation. The callback runs at the
  // latest from ~Mta, which aborts every session after resetting token_; the session is
  // found in sessions_ by its address (a non-owning shared_ptr as the key).
  InboundSmtp* raw = in.get();
  // A decision the policy left pending (sender checks waiting for DNS) goes to the engine
  // and out; the policy dies with `in`, so it never calls this for a dead session.
  in->policy.set_decider([raw](smtp::Reply r) {
    raw->driver->engine().decide(std::move(r));
    raw->driver->pump();
  });
  in->driver->start([this, raw](io::CloseKind) {
    if (!token_) return;
    auto found = sessions_.find(std::shared_ptr<void>(std::shared_ptr<void>(), raw));
    if (found == sessions_.end()) return;
    // Drop the session from a fresh event: we are inside its driver's callback.
    std::weak_ptr<bool> alive = token_;
    rt_.start_timer(0, [this, s = *found, alive] {
      if (!alive.expired()) sessions_.erase(s);
    });
  });
}

std::string Mta::local_address(std::string_view local) const {
  std::string out(local);
  out += '@';
  out += cfg_->domains.empty() ? hostname() : cfg_->domains.front();
  return out;
}

const smtp::ServerConfig& Mta::smtpd_config(std::uint16_t port) {
  if (!listeners_) listeners_ = std::make_unique<Listeners>();
  auto& made = port == 587 ? listeners_->submission : port == 465 ? listeners_->smtps : listeners_->smtp;
  if (!made) {
    made = SmtpdSession::server_config(*this, port);
    made->replies = smtp::make_server_replies(*made);
  }
  return *made;
}

bool Mta::local_user_exists(std::string_view local) const {
  return cfg_->aliases.count(local) != 0 || local_.mailbox_owner(local) != nullptr;
}

bool Mta::same_recipient(std::string_view a, std::string_view b) const {
  const auto [la, da] = split_address_view(a);
  const auto [lb, db] = split_address_view(b);
  if (!message::iequals(da, db)) return false;
  // A local part is the receiving host's to interpret (RFC 5321 2.4): ours ignore case.
  return la == lb || (is_local(da) && message::iequals(la, lb));
}

smtp::Reply Mta::check_recipient(const std::string& address, const std::string& client_address,
                                 bool authenticated) const {
  const auto [local_part, domain] = split_address_view(address);
  // "<Postmaster>" with no domain (RFC 5321 4.1.1.3) is this host's postmaster.
  const bool bare = address.find('@') == std::string::npos;
  if (bare || is_local(domain)) {
    // An address that cannot be delivered is refused here, never accepted and bounced
    // later (no backscatter): unknown users, and postmaster on a host without users.
    if (!local_user_exists(local_part)) {
      return smtp::Reply::make(550, "5.1.1",
                               "<" + address +
                                   ">: Recipient address rejected: User unknown in local "
                                   "recipient table");
    }
    return smtp::Reply::make(250, "2.1.5", "Ok");
  }
  if (cfg_->is_relay_domain(domain) || authenticated || cfg_->in_mynetworks(client_address)) {
    return smtp::Reply::make(250, "2.1.5", "Ok");
  }
  return smtp::Reply::make(554, "5.7.1", "<" + address + ">: Relay access denied");
}

std::vector<std::string> Mta::expand_aliases(const std::string& rcpt) const {
  std::vector<std::string> out;
  std::vector<std::pair<std::string, int>> work{{rcpt, 0}};
  while (!work.empty()) {
    auto [addr, depth] = work.back();
    work.pop_back();
    auto [local, domain] = split_address(addr);
    auto it = is_local(domain) ? cfg_->aliases.find(local) : cfg_->aliases.end();
    if (it == cfg_->aliases.end() || depth > 10) {
      if (std::find(out.begin(), out.end(), addr) == out.end()) out.push_back(addr);
      continue;
    }
    // Targets in reverse so the first one is expanded first.
    for (auto t = it->second.rbegin(); t != it->second.rend(); ++t) {
      std::string target = t->find('@') == std::string::npos ? *t + "@" + domain : *t;
      if (target == addr) {
        if (std::find(out.begin(), out.end(), addr) == out.end()) out.push_back(addr);
      } else {
        work.push_back({target, depth + 1});
      }
    }
  }
  return out;
}

std::string Mta::new_queue_id() {
  // Postfix-like: hex of the arrival time in microseconds plus a counter; unique across
  // reboots because simulated time only moves forward. Upper-case hex, "%llXQ%llX".
  char buf[48];
  auto hex = [](char* p, char* end, unsigned long long v) {
    p = std::to_chars(p, end, v, 16).ptr;
    return p;
  };
  char* p = hex(buf, buf + sizeof buf, static_cast<unsigned long long>(rt_.now() / 1000));
  *p++ = 'Q';
  p = hex(p, buf + sizeof buf, static_cast<unsigned long long>(++id_counter_));
  for (char* c = buf; c != p; ++c) {
    if (*c >= 'a' && *c <= 'f') *c = static_cast<char>(*c - 'a' + 'A');
  }
  return std::string(buf, p);
}

smtp::Reply Mta::enqueue(const Submission& s) {
  return enqueue(s, message::MessageView::parse(s.content));
}

namespace {

// `member` of a Submission given as S: copied from a const one, moved from one given away.
template <class S, class T>
decltype(auto) pass(T& member) {
  if constexpr (std::is_lvalue_reference_v<S>) {
    return static_cast<const T&>(member);
  } else {
    return std::move(member);
  }
}

}  // namespace

smtp::Reply Mta::enqueue(const Submission& s, const message::MessageView& msg) {
  return enqueue_impl(s, msg);
}

smtp::Reply Mta::enqueue(Submission&& s, const message::MessageView& msg) {
  return enqueue_impl(std::move(s), msg);
}

template <class S>
smtp::Reply Mta::enqueue_impl(S&& s, const message::MessageView& msg) {
  QueueFile q;
  // Unique across crashes because simulated time moves forward; a serve restarted on the
  // same DIR starts its clock over next to the reloaded queue, so look.
  do q.id = new_queue_id();
  while (qmgr_.has(q.id));
  q.arrival = rt_.now();
  q.sender = pass<S>(s.sender);
  q.envid = pass<S>(s.envid);
  q.folder = pass<S>(s.folder);
  q.ret_headers = s.ret_headers;
  q.smtputf8 = s.smtputf8;
  if (s.client_address.empty()) {
    q.client = "local";
  } else {
    q.client.reserve(s.helo.size() + s.client_address.size() + 3);
    q.client.append(s.helo).append(" [").append(s.client_address).append(1, ']');
  }
  // The envelope as cleanup(8) leaves it: "<Postmaster>" gets this host's domain, and a
  // recipient given several times (or reached twice through aliases) is kept once, so it
  // gets one copy however many RCPTs named it (each RCPT had its 250).
  auto canonical = [this](const std::string& r) {
    return r.find('@') == std::string::npos ? local_address(r) : r;
  };
  const Submission::RcptDsn no_dsn;
  auto add = [this, &q](std::string address, const std::string& original, const Submission::RcptDsn& dsn) {
    for (const QueueRecipient& seen : q.rcpts)
      if (same_recipient(seen.address, address)) return;
    QueueRecipient& qr = q.rcpts.emplace_back();
    qr.address = std::move(address);
    qr.original = original;
    qr.notify = dsn.notify;
    qr.orcpt = dsn.orcpt;
  };
  // Received's "for": the one recipient as given.
  message::ReceivedInfo ri;
  if (!s.rcpts.empty() && std::all_of(s.rcpts.begin(), s.rcpts.end(), [&](const std::string& r) {
        return same_recipient(r, s.rcpts.front());
      }))
    ri.for_rcpt = canonical(s.rcpts.front());
  q.rcpts.reserve(s.rcpts.size());
  for (std::size_t k = 0; k < s.rcpts.size(); ++k) {
    auto& r = s.rcpts[k];
    const Submission::RcptDsn& dsn = k < s.rcpt_dsn.size() ? s.rcpt_dsn[k] : no_dsn;
    std::string given = r.find('@') == std::string::npos ? local_address(r) : pass<S>(r);
    if (cfg_->aliases.empty()) {
      // No aliases: the recipient is its own expansion (not a vector of one).
      add(given, given, dsn);
      continue;
    }
    for (auto& target : expand_aliases(given)) add(std::move(target), given, dsn);
  }
  auto message_id = msg.header("Message-ID");
  if (message_id) q.message_id = std::move(*message_id);
  // RFC 6409 8.2/8.3: the MSA may add a missing Message-ID and Date (at the end of the
  // header section, Message-ID first).
  std::string date;
  message::MessageView::NewField bottom[2];
  std::size_t added = 0;
  if (s.submitted) {
    if (!message_id) {
      q.message_id = "<" + message::compact_date(rt_.now()) + "." + q.id + "@" + hostname() + ">";
      bottom[added++] = {"Message-ID", q.message_id};
    }
    if (!msg.header("Date")) {
      date = message::rfc5322_date(rt_.now());
      bottom[added++] = {"Date", date};
    }
  }
  if (!s.client_address.empty()) ri.from_helo = pass<S>(s.helo);
  ri.from_host = s.client_name.empty() ? "unknown" : s.client_name;
  ri.from_address = s.client_address;
  ri.by_host = hostname();
  ri.with = s.client_address.empty() ? "local" : s.protocol;
  ri.tls = s.tls;
  ri.id = q.id;
  ri.sim_ns = rt_.now();
  const std::string received = message::received_value(ri);
  const message::MessageView::NewField top[] = {{"Received", received}};
  if (auto subject = msg.header("Subject")) q.subject = std::move(*subject);
  std::string serialized = msg.serialize_with(top, std::span(bottom, added));
  // Mail of a `dkim` domain leaves signed, when it comes from a client we relay for (never
  // a stranger's message from port 25: that would sign a forgery).
  if (!cfg_->dkim.empty() && (s.client_address.empty() || s.submitted || cfg_->in_mynetworks(s.client_address)))
    dkim_sign(q, serialized);
  auto content = io::make_bytes(std::move(serialized));

  // "Ok: queued as <id>" without a temporary string (new_queue_id(): 33 characters at most).
  char text[64] = "Ok: queued as ";
  constexpr std::size_t kPrefix = sizeof "Ok: queued as " - 1;
  const std::size_t n = std::min(q.id.size(), sizeof text - kPrefix);
  std::memcpy(text + kPrefix, q.id.data(), n);
  const std::string_view reply_text(text, kPrefix + n);
  // The disk failed between MAIL FROM and the end of DATA (Postfix's wording).
  if (!qmgr_.accept(std::move(q), content)) return smtp::Reply::make(451, "4.3.0", "Error: queue file write error");
  return smtp::Reply::make(250, "2.0.0", reply_text);
}

}  // namespace maillab::mta
