#include "protocols/auth/spf_check.hpp"

#include <cctype>
#include <utility>

#include "protocols/auth/text.hpp"

namespace maillab::auth {

namespace {

// RFC 7208 4.3: a name a query can be made of, with at least two labels.
bool valid_query_name(std::string_view name, bool need_two_labels) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253 || name.front() == '[') return false;
  std::size_t labels = 0, start = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      auto len = i - start;
      if (len == 0 || len > 63) return false;
      ++labels;
      start = i + 1;
    }
  }
  return !need_two_labels || labels >= 2;
}

bool ends_with_domain(const std::string& name, const std::string& domain) {
  auto n = ascii_lower(name), d = ascii_lower(domain);
  if (!n.empty() && n.back() == '.') n.pop_back();
  if (!d.empty() && d.back() == '.') d.pop_back();
  return n == d || (n.size() > d.size() && n.compare(n.size() - d.size(), d.size(), d) == 0 &&
                    n[n.size() - d.size() - 1] == '.');
}

}  // namespace

SpfCheck::SpfCheck(DnsClient& dns, SpfRequest request) : dns_(dns), request_(std::move(request)) {}

void SpfCheck::start(Done done) {
  done_ = std::move(done);
  outcome_.identity = request_.identity;
  outcome_.null_path = request_.identity == SpfIdentity::MailFrom && request_.mail_from.empty();
  auto ip = IpAddress::parse(request_.client_ip);
  std::string local = "postmaster", domain = request_.helo;
  if (request_.identity == SpfIdentity::MailFrom && !request_.mail_from.empty()) {
    auto at = request_.mail_from.rfind('@');
    if (at == std::string::npos) {
      local = request_.mail_from;
    } else {
      if (at > 0) local = request_.mail_from.substr(0, at);
      domain = request_.mail_from.substr(at + 1);
    }
  }
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  outcome_.sender = local + "@" + domain;
  outcome_.domain = domain;
  if (!ip) {
    finish(SpfResult::PermError, "", "the client address is not an IP address");
    complete();
    return;
  }
  ip_ = *ip;
  macros_.sender = outcome_.sender;
  macros_.local_part = local;
  macros_.sender_domain = domain;
  macros_.domain = domain;
  macros_.helo = request_.helo;
  macros_.receiver = request_.receiver;
  macros_.ip = ip_;
  macros_.now = request_.now;
  if (!valid_query_name(domain, true)) {
    finish(SpfResult::None, "", "");
    complete();
    return;
  }
  frames_.push_back(Frame{domain, std::nullopt, 0, false});
  run();
}

void SpfCheck::run() {
  if (running_) return;
  running_ = true;
  while (!finished_) {
    if (answer_) {
      auto [wait, a] = std::move(*answer_);
      answer_.reset();
      handle(wait, std::move(a));
      continue;
    }
    if (waiting_ != Wait::None) break;
    step();
  }
  running_ = false;
  if (finished_) complete();
}

void SpfCheck::complete() {
  if (completed_) return;
  completed_ = true;
  auto done = std::move(done_);
  if (done) done(outcome_);  // may destroy *this: nothing after
}

void SpfCheck::ask(const std::string& name, dns::Type type, Wait wait) {
  waiting_ = wait;
  if (!valid_query_name(name, false)) {  // no query can be made of it: as NXDOMAIN
    answer_.emplace(wait, DnsAnswer{DnsStatus::NxDomain, {}});
    waiting_ = Wait::None;
    return;
  }
  auto watch = alive_.watch();
  dns_.lookup(name, type, [this, watch, wait](DnsAnswer a) {
    if (watch.expired()) return;
    answer_.emplace(wait, std::move(a));
    waiting_ = Wait::None;
    run();
  });
}

void SpfCheck::start_p_resolution() {
  resolving_p_ = true;
  ask(ip_.reverse_name(), dns::Type::PTR, Wait::PtrList);
}

std::optional<std::string> SpfCheck::expand_target(const std::string& spec, const std::string& domain) {
  macros_.domain = domain;
  choose_validated_name(domain);
  auto expanded = expand_macros(spec, macros_, MacroUse::DomainSpec);
  if (!expanded) return std::nullopt;
  return fit_domain(std::move(*expanded));
}

void SpfCheck::choose_validated_name(const std::string& domain) {
  macros_.validated_name = "unknown";
  if (!p_names_ || p_names_->empty()) return;
  for (const auto& n : *p_names_) {
    if (ascii_lower(n) == ascii_lower(domain)) {
      macros_.validated_name = n;
      return;
    }
  }
  for (const auto& n : *p_names_) {
    if (ends_with_domain(n, domain)) {
      macros_.validated_name = n;
      return;
    }
  }
  macros_.validated_name = p_names_->front();
}

void SpfCheck::step() {
  if (explaining_) {
    if (!pending_explanation_) {
      if (uses_ptr_macro(explain_spec_) && !p_names_) return start_p_resolution();
      auto name = expand_target(explain_spec_, explain_domain_);
      if (!name) {
        finished_ = true;
        return;
      }
      return ask(*name, dns::Type::TXT, Wait::Explanation);
    }
    if (uses_ptr_macro(*pending_explanation_) && !p_names_) return start_p_resolution();
    macros_.domain = explain_domain_;
    choose_validated_name(explain_domain_);
    if (auto text = expand_macros(*pending_explanation_, macros_, MacroUse::Explanation)) {
      outcome_.explanation = std::move(*text);
    }
    finished_ = true;
    return;
  }
  Frame& f = frames_.back();
  if (!f.record) return ask(f.domain, dns::Type::TXT, Wait::Record);
  if (f.next < f.record->mechanisms.size()) return start_mechanism(f);
  if (f.record->redirect && !f.record->has_all()) {
    const auto spec = *f.record->redirect;
    if (uses_ptr_macro(spec) && !p_names_) return start_p_resolution();
    if (++outcome_.dns_terms > kMaxDnsTerms) {
      return finish(SpfResult::PermError, "", "more than 10 DNS-querying terms");
    }
    auto target = expand_target(spec, f.domain);
    if (!target) return finish(SpfResult::PermError, "", "bad redirect target");
    f.domain = *target;
    f.record.reset();
    f.next = 0;
    f.redirected = true;
    return;
  }
  frame_done(SpfResult::Neutral, "default");
}

void SpfCheck::start_mechanism(Frame& f) {
  const SpfMechanism& m = f.record->mechanisms[f.next];
  switch (m.kind) {
    case SpfMechanismKind::All:
      return matched(f);
    case SpfMechanismKind::Ip4:
    case SpfMechanismKind::Ip6:
      if (ip_.in_network(m.network, m.network.v6 ? m.cidr6 : m.cidr4)) return matched(f);
      ++f.next;
      return;
    default:
      break;
  }
  if (!m.domain_spec.empty() && uses_ptr_macro(m.domain_spec) && !p_names_) {
    return start_p_resolution();
  }
  if (++outcome_.dns_terms > kMaxDnsTerms) {
    return finish(SpfResult::PermError, "", "more than 10 DNS-querying terms");
  }
  std::string target = f.domain;
  if (!m.domain_spec.empty()) {
    auto t = expand_target(m.domain_spec, f.domain);
    if (!t) return finish(SpfResult::PermError, "", "bad macro in " + m.text);
    target = std::move(*t);
  }
  cidr4_ = m.cidr4;
  cidr6_ = m.cidr6;
  switch (m.kind) {
    case SpfMechanismKind::Include:
      frames_.push_back(Frame{target, std::nullopt, 0, false});
      return;
    case SpfMechanismKind::A:
      return ask(target, address_type(), Wait::Address);
    case SpfMechanismKind::Mx:
      return ask(target, dns::Type::MX, Wait::MxList);
    case SpfMechanismKind::Ptr:
      ptr_target_ = target;
      return ask(ip_.reverse_name(), dns::Type::PTR, Wait::PtrList);
    case SpfMechanismKind::Exists:
      return ask(target, dns::Type::A, Wait::Exists);
    default:
      return;
  }
}

bool SpfCheck::count_void(const DnsAnswer& a) {
  if (a.status != DnsStatus::NxDomain && a.status != DnsStatus::NoData &&
      !(a.status == DnsStatus::Ok && a.records.empty())) {
    return false;
  }
  if (++outcome_.void_lookups > kMaxVoidLookups) {
    finish(SpfResult::PermError, "", "more than 2 void DNS lookups");
    return true;
  }
  return false;
}

bool SpfCheck::address_matches(const dns::ResourceRecord& rr) const {
  if (const auto* a = std::get_if<dns::AData>(&rr.data)) {
    return ip_.in_network(IpAddress::from_v4(a->address), cidr4_);
  }
  if (const auto* a = std::get_if<dns::AaaaData>(&rr.data)) {
    return ip_.in_network(IpAddress::from_v6(a->address), cidr6_);
  }
  return false;
}

void SpfCheck::handle(Wait wait, DnsAnswer a) {
  if (wait == Wait::Record) return on_record(a);
  if (wait == Wait::Explanation) {
    auto texts = a.texts();
    if (a.status == DnsStatus::Ok && texts.size() == 1 &&
        check_macro_string(texts[0], MacroUse::Explanation).empty()) {
      pending_explanation_ = texts[0];
    } else {
      finished_ = true;
    }
    return;
  }
  if (wait == Wait::PtrList || wait == Wait::PtrHost || wait == Wait::MxHost || wait == Wait::MxList) {
    return on_hosts(wait, a);
  }
  Frame& f = frames_.back();
  if (a.temporary()) {
    return finish(SpfResult::TempError, "", "DNS " + std::string(to_string(a.status)));
  }
  if (count_void(a)) return;
  for (const auto& rr : a.records) {
    if (wait == Wait::Exists ? std::holds_alternative<dns::AData>(rr.data) : address_matches(rr)) {
      return matched(f);
    }
  }
  ++f.next;
}

void SpfCheck::on_hosts(Wait wait, DnsAnswer& a) {
  bool counting = !resolving_p_;
  if (wait == Wait::MxList) {
    if (a.temporary()) return finish(SpfResult::TempError, "", "DNS " + std::string(to_string(a.status)));
    if (count_void(a)) return;
    if (a.records.size() > kMaxMxNames) return finish(SpfResult::PermError, "", "more than 10 MX names");
    hosts_.clear();
    for (const auto& rr : a.records) {
      if (const auto* mx = std::get_if<dns::MxData>(&rr.data); mx && !mx->exchange.empty() && mx->exchange != ".") {
        hosts_.push_back(mx->exchange);
      }
    }
    host_index_ = 0;
    hosts_wait_ = Wait::MxHost;
    return next_host();
  }
  if (wait == Wait::PtrList) {
    hosts_.clear();
    validated_.clear();
    if (!a.temporary() && !(counting && count_void(a))) {
      for (const auto& rr : a.records) {
        if (const auto* n = std::get_if<dns::NameData>(&rr.data); n && hosts_.size() < kMaxPtrNames) {
          hosts_.push_back(n->target);
        }
      }
    }
    if (finished_) return;
    host_index_ = 0;
    hosts_wait_ = Wait::PtrHost;
    return next_host();
  }
  if (wait == Wait::MxHost) {
    if (a.temporary()) return finish(SpfResult::TempError, "", "DNS " + std::string(to_string(a.status)));
    if (count_void(a)) return;
    for (const auto& rr : a.records) {
      if (address_matches(rr)) return matched(frames_.back());
    }
  } else {  // PtrHost: a name whose address lookup fails is skipped (5.5)
    if (!a.temporary() && counting && count_void(a)) return;
    for (const auto& rr : a.records) {
      bool same = false;
      if (const auto* v4 = std::get_if<dns::AData>(&rr.data)) same = IpAddress::from_v4(v4->address) == ip_;
      if (const auto* v6 = std::get_if<dns::AaaaData>(&rr.data)) same = IpAddress::from_v6(v6->address) == ip_;
      if (same) {
        validated_.push_back(hosts_[host_index_]);
        break;
      }
    }
  }
  ++host_index_;
  next_host();
}

void SpfCheck::next_host() {
  if (host_index_ < hosts_.size()) return ask(hosts_[host_index_], address_type(), hosts_wait_);
  if (hosts_wait_ == Wait::MxHost) {
    ++frames_.back().next;
    return;
  }
  if (resolving_p_) {
    resolving_p_ = false;
    p_names_ = validated_;
    return;
  }
  Frame& f = frames_.back();
  for (const auto& name : validated_) {
    if (ends_with_domain(name, ptr_target_)) return matched(f);
  }
  ++f.next;
}

void SpfCheck::on_record(DnsAnswer& a) {
  Frame& f = frames_.back();
  bool nested = frames_.size() > 1 || f.redirected;
  if (a.temporary()) return finish(SpfResult::TempError, "", "DNS " + std::string(to_string(a.status)) + " for " + f.domain);
  if (nested && count_void(a)) return;
  std::vector<std::string> spf;
  for (auto& t : a.texts()) {
    if (is_spf_record(t)) spf.push_back(std::move(t));
  }
  if (spf.empty()) return frame_done(SpfResult::None, "");
  if (spf.size() > 1) return finish(SpfResult::PermError, "", "more than one SPF record at " + f.domain);
  auto parsed = parse_spf_record(spf[0]);
  if (!parsed.record) return finish(SpfResult::PermError, "", parsed.error + " (" + f.domain + ")");
  f.record = std::move(parsed.record);
  f.next = 0;
}

void SpfCheck::matched(const Frame& f) {
  const SpfMechanism& m = f.record->mechanisms[f.next];
  frame_done(m.qualifier, m.text);
}

void SpfCheck::frame_done(SpfResult result, const std::string& mechanism) {
  Frame done = std::move(frames_.back());
  frames_.pop_back();
  if (result == SpfResult::None && done.redirected) {
    return finish(SpfResult::PermError, "", "redirect target " + done.domain + " has no SPF record");
  }
  if (frames_.empty()) {
    finish(result, mechanism);
    if (result == SpfResult::Fail && done.record && done.record->exp) {
      finished_ = false;
      explaining_ = true;
      explain_spec_ = *done.record->exp;
      explain_domain_ = done.domain;
    }
    return;
  }
  Frame& parent = frames_.back();
  switch (result) {
    case SpfResult::None:
      return finish(SpfResult::PermError, "", "included domain " + done.domain + " has no SPF record");
    case SpfResult::Pass:
      return matched(parent);
    default:
      ++parent.next;
      return;
  }
}

void SpfCheck::finish(SpfResult result, const std::string& mechanism, std::string problem) {
  outcome_.result = result;
  outcome_.mechanism = mechanism;
  outcome_.problem = std::move(problem);
  finished_ = true;
}

namespace {

bool dot_atom(std::string_view v) {
  if (v.empty() || v.front() == '.' || v.back() == '.') return false;
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    bool atext = std::isalnum(u) || std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string_view::npos;
    if (!atext || u >= 0x80) return false;
  }
  return v.find("..") == std::string_view::npos;
}

std::string value(std::string_view v) {
  auto p = printable_ascii(v);
  if (dot_atom(p)) return p;
  std::string out = "\"";
  for (char c : p) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Text for the comment: no parentheses or backslashes from the peer.
std::string comment_text(std::string_view v) {
  auto p = printable_ascii(v);
  for (auto& c : p) {
    if (c == '(' || c == ')' || c == '\\') c = '?';
  }
  return p;
}

}  // namespace

std::string received_spf_value(const SpfOutcome& o, const SpfRequest& r) {
  auto who = comment_text(o.sender);
  auto ip = comment_text(r.client_ip);
  auto host = comment_text(r.receiver);
  std::string text;
  switch (o.result) {
    case SpfResult::Pass: text = "domain of " + who + " designates " + ip + " as permitted sender"; break;
    case SpfResult::Fail: text = "domain of " + who + " does not designate " + ip + " as permitted sender"; break;
    case SpfResult::SoftFail:
      text = "domain of transitioning " + who + " does not designate " + ip + " as permitted sender";
      break;
    case SpfResult::Neutral: text = ip + " is neither permitted nor denied by domain of " + who; break;
    case SpfResult::None: text = "domain of " + who + " does not designate permitted sender hosts"; break;
    case SpfResult::TempError: text = "temporary error looking up the SPF record of " + who; break;
    case SpfResult::PermError: text = "permanent error in the SPF record of " + who; break;
  }
  std::string out = std::string(to_string(o.result)) + " (" + host + ": " + text + ")";
  out += " receiver=" + value(r.receiver) + ";";
  out += " client-ip=" + value(r.client_ip) + ";";
  out += " envelope-from=" + value(r.mail_from) + ";";
  out += " helo=" + value(r.helo) + ";";
  out += std::string(" identity=") + (o.identity == SpfIdentity::Helo ? "helo" : "mailfrom") + ";";
  if (!o.problem.empty()) {
    out += " problem=" + value(o.problem) + ";";
  } else if (!o.mechanism.empty()) {
    out += " mechanism=" + value(o.mechanism) + ";";
  }
  return out;
}

}  // namespace maillab::auth
