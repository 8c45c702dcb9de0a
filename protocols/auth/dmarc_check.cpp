#include "protocols/auth/dmarc_check.hpp"

#include <cctype>

#include "protocols/auth/public_suffix.hpp"
#include "protocols/auth/text.hpp"

namespace maillab::auth {

namespace {

// Lowercase, without a trailing dot: domains as DMARC compares them.
std::string lower(std::string_view s) {
  auto out = ascii_lower(s);
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

// The value with comments and quoted strings blanked, so '<', ',' and '@' inside them
// do not count (RFC 5322 3.2.2, 3.2.4).
std::string without_comments(std::string_view v) {
  std::string out;
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if ((quoted || depth > 0) && c == '\\' && i + 1 < v.size()) {
      ++i;
      out += "  ";
      continue;
    }
    if (depth == 0 && c == '"') {
      quoted = !quoted;
      out += ' ';
    } else if (!quoted && c == '(') {
      ++depth;
      out += ' ';
    } else if (!quoted && c == ')' && depth > 0) {
      --depth;
      out += ' ';
    } else {
      out += (quoted || depth > 0) ? ' ' : c;
    }
  }
  return out;
}

}  // namespace

std::string_view to_string(DmarcResult result) {
  switch (result) {
    case DmarcResult::None: return "none";
    case DmarcResult::Pass: return "pass";
    case DmarcResult::Fail: return "fail";
    case DmarcResult::TempError: return "temperror";
    case DmarcResult::PermError: return "permerror";
  }
  return "?";
}

std::optional<std::string> author_domain(const message::Message& msg, std::string* why) {
  auto fail = [&](const char* reason) -> std::optional<std::string> {
    if (why) *why = reason;
    return std::nullopt;
  };
  auto froms = msg.headers("From");
  if (froms.empty()) return fail("no From field");
  if (froms.size() > 1) return fail("more than one From field");
  auto v = without_comments(froms[0]);
  if (auto colon = v.find(':'); colon != std::string::npos && v.find(';') != std::string::npos) {
    v = v.substr(colon + 1, v.find(';') - colon - 1);  // a group: its members
  }
  std::vector<std::string> addresses;
  std::size_t start = 0;
  while (start <= v.size()) {
    auto comma = v.find(',', start);
    auto item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (auto lt = item.find('<'); lt != std::string::npos) {
      auto gt = item.find('>', lt);
      item = item.substr(lt + 1, gt == std::string::npos ? std::string::npos : gt - lt - 1);
    }
    if (item.find_first_not_of(" \t") != std::string::npos) addresses.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (addresses.size() != 1) return fail(addresses.empty() ? "no address in From" : "more than one address in From");
  auto& a = addresses[0];
  auto at = a.rfind('@');
  if (at == std::string::npos) return fail("no domain in the From address");
  auto domain = a.substr(at + 1);
  auto b = domain.find_first_not_of(" \t");
  auto e = domain.find_last_not_of(" \t");
  if (b == std::string::npos) return fail("no domain in the From address");
  domain = lower(domain.substr(b, e - b + 1));
  for (char c : domain) {
    auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '-' || c == '.' || c == '_')) return fail("the From domain is not a domain name");
  }
  return domain;
}

bool dmarc_aligned(const std::string& a, const std::string& b, bool strict) {
  auto x = lower(a), y = lower(b);
  if (x.empty() || y.empty()) return false;
  return strict ? x == y : organizational_domain(x) == organizational_domain(y);
}

DmarcCheck::DmarcCheck(DnsClient& dns, DmarcRequest request) : dns_(dns), request_(std::move(request)) {}

void DmarcCheck::start(Done done) {
  done_ = std::move(done);
  outcome_.from_domain = lower(request_.from_domain);
  outcome_.org_domain = organizational_domain(outcome_.from_domain);
  if (outcome_.from_domain.empty()) {
    outcome_.result = DmarcResult::PermError;
    outcome_.reason = "no author domain";
    return finish();
  }
  ask(outcome_.from_domain);
}

void DmarcCheck::ask(const std::string& domain) {
  auto watch = alive_.watch();
  dns_.lookup("_dmarc." + domain, dns::Type::TXT, [this, watch, domain](DnsAnswer a) {
    if (watch.expired()) return;
    on_answer(domain, a);
  });
}

void DmarcCheck::on_answer(const std::string& domain, const DnsAnswer& answer) {
  if (answer.temporary()) {
    outcome_.result = DmarcResult::TempError;
    outcome_.reason = "DNS " + std::string(to_string(answer.status)) + " for _dmarc." + domain;
    return finish();
  }
  std::vector<std::string> records;
  for (auto& t : answer.texts()) {
    if (is_dmarc_record(t)) records.push_back(std::move(t));
  }
  if (records.size() == 1) {
    auto parsed = parse_dmarc_record(records[0]);
    if (!parsed.record) {
      outcome_.result = DmarcResult::PermError;
      outcome_.record_domain = domain;
      outcome_.reason = parsed.error;
      return finish();
    }
    outcome_.record = std::move(parsed.record);
    outcome_.record_domain = domain;
    return evaluate(domain != outcome_.from_domain);
  }
  if (!asked_org_ && outcome_.org_domain != outcome_.from_domain) {
    asked_org_ = true;
    return ask(outcome_.org_domain);
  }
  outcome_.result = DmarcResult::None;
  outcome_.reason = records.empty() ? "no DMARC record" : "more than one DMARC record";
  finish();
}

void DmarcCheck::evaluate(bool subdomain_policy) {
  const auto& r = *outcome_.record;
  outcome_.policy = subdomain_policy && r.subdomain_policy ? *r.subdomain_policy : r.policy;
  outcome_.spf_aligned = request_.spf_pass && dmarc_aligned(request_.spf_domain, outcome_.from_domain, r.strict_spf);
  for (const auto& d : request_.dkim_pass_domains) {
    outcome_.dkim_aligned = outcome_.dkim_aligned || dmarc_aligned(d, outcome_.from_domain, r.strict_dkim);
  }
  if (outcome_.spf_aligned || outcome_.dkim_aligned) {
    outcome_.result = DmarcResult::Pass;
    outcome_.disposition = DmarcPolicy::None;
    return finish();
  }
  outcome_.result = DmarcResult::Fail;
  outcome_.reason = "neither SPF nor DKIM aligned with the From domain";
  outcome_.disposition = outcome_.policy;
  if (request_.sample >= r.percent) {  // not sampled: the next policy down (6.6.4)
    outcome_.disposition =
        outcome_.policy == DmarcPolicy::Reject ? DmarcPolicy::Quarantine : DmarcPolicy::None;
  }
  finish();
}

void DmarcCheck::finish() {
  if (finished_) return;
  finished_ = true;
  auto done = std::move(done_);
  if (done) done(outcome_);  // may destroy *this
}

}  // namespace maillab::auth
