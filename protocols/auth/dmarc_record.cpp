#include "protocols/auth/dmarc_record.hpp"

#include <cctype>

#include "protocols/auth/tag_list.hpp"
#include "protocols/auth/text.hpp"

namespace maillab::auth {

namespace {

bool policy(const std::optional<std::string>& v, DmarcPolicy& out) {
  if (!v) return false;
  auto l = ascii_lower(strip_whitespace(*v));
  if (l == "none") out = DmarcPolicy::None;
  else if (l == "quarantine") out = DmarcPolicy::Quarantine;
  else if (l == "reject") out = DmarcPolicy::Reject;
  else return false;
  return true;
}

}  // namespace

std::string_view to_string(DmarcPolicy p) {
  switch (p) {
    case DmarcPolicy::None: return "none";
    case DmarcPolicy::Quarantine: return "quarantine";
    case DmarcPolicy::Reject: return "reject";
  }
  return "?";
}

bool is_dmarc_record(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  if (i >= text.size() || (text[i] != 'v' && text[i] != 'V')) return false;
  ++i;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  if (i >= text.size() || text[i] != '=') return false;
  ++i;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  if (ascii_lower(text.substr(i, 6)) != "dmarc1") return false;
  i += 6;
  return i >= text.size() || text[i] == ';' || text[i] == ' ' || text[i] == '\t';
}

DmarcParse parse_dmarc_record(std::string_view text) {
  DmarcParse out;
  if (!is_dmarc_record(text)) {
    out.error = "not a DMARC1 record";
    return out;
  }
  std::string why;
  auto tags = parse_tag_list(text, &why, true);
  if (!tags) {
    out.error = "record syntax: " + why;
    return out;
  }
  DmarcRecord r;
  if (auto v = tags->value("rua")) r.aggregate_reports = split_list(*v, ',', true);
  if (auto v = tags->value("ruf")) r.failure_reports = split_list(*v, ',', true);
  auto p = tags->value("p");
  auto sp = tags->value("sp");
  DmarcPolicy sub = DmarcPolicy::None;
  bool p_ok = policy(p, r.policy);
  bool sp_ok = policy(sp, sub);
  if (!p_ok || (sp && !sp_ok)) {
    if (r.aggregate_reports.empty()) {
      out.error = p ? "unknown policy p=" + *p : "no p= tag";
      return out;
    }
    r.policy = DmarcPolicy::None;  // 6.6.3 step 6: act as p=none, for the reports
    sp_ok = false;
  }
  if (sp_ok) r.subdomain_policy = sub;
  if (auto v = tags->value("pct")) {
    auto digits = strip_whitespace(*v);
    if (!digits.empty() && digits.size() <= 3 &&
        digits.find_first_not_of("0123456789") == std::string::npos && std::stoi(digits) <= 100) {
      r.percent = std::stoi(digits);
    }
  }
  if (auto v = tags->value("adkim")) r.strict_dkim = ascii_lower(strip_whitespace(*v)) == "s";
  if (auto v = tags->value("aspf")) r.strict_spf = ascii_lower(strip_whitespace(*v)) == "s";
  if (auto v = tags->value("fo")) {
    auto options = split_list(*v, ':', true);
    if (!options.empty()) r.failure_options = options;
  }
  if (auto v = tags->value("rf")) r.report_format = ascii_lower(strip_whitespace(*v));
  if (auto v = tags->value("ri")) {
    auto digits = strip_whitespace(*v);
    if (!digits.empty() && digits.size() <= 9 && digits.find_first_not_of("0123456789") == std::string::npos) {
      r.report_interval = std::stol(digits);
    }
  }
  out.record = std::move(r);
  return out;
}

}  // namespace maillab::auth
