#include "protocols/auth/spf_record.hpp"

#include <cctype>

#include "protocols/auth/spf_macro.hpp"
#include "protocols/auth/text.hpp"
#include "protocols/dns/address.hpp"

namespace maillab::auth {

std::string_view to_string(SpfResult result) {
  switch (result) {
    case SpfResult::None: return "none";
    case SpfResult::Neutral: return "neutral";
    case SpfResult::Pass: return "pass";
    case SpfResult::Fail: return "fail";
    case SpfResult::SoftFail: return "softfail";
    case SpfResult::TempError: return "temperror";
    case SpfResult::PermError: return "permerror";
  }
  return "?";
}

bool SpfRecord::has_all() const {
  for (const auto& m : mechanisms) {
    if (m.kind == SpfMechanismKind::All) return true;
  }
  return false;
}

int SpfRecord::lookup_terms() const {
  int n = redirect ? 1 : 0;
  for (const auto& m : mechanisms) {
    switch (m.kind) {
      case SpfMechanismKind::Include: case SpfMechanismKind::A: case SpfMechanismKind::Mx:
      case SpfMechanismKind::Ptr: case SpfMechanismKind::Exists:
        ++n;
        break;
      default:
        break;
    }
  }
  return n;
}

namespace {

// "0" or a number without a leading zero, at most `max`.
std::optional<int> parse_cidr(std::string_view digits, int max) {
  if (digits.empty() || digits.size() > 3) return std::nullopt;
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  int v = 0;
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

// Length of a trailing "/" 1*DIGIT in `s` (0 when none); the digits go to `digits`.
std::size_t trailing_cidr(std::string_view s, std::string_view& digits) {
  std::size_t i = s.size();
  while (i > 0 && std::isdigit(static_cast<unsigned char>(s[i - 1]))) --i;
  if (i == s.size() || i == 0 || s[i - 1] != '/') return 0;
  digits = s.substr(i);
  return s.size() - i + 1;
}

// Parses "[:domain-spec][dual-cidr-length]" of a and mx.
std::string parse_a_mx(std::string_view rest, SpfMechanism& m) {
  std::string_view digits;
  if (auto n = trailing_cidr(rest, digits); n > 0 && rest.size() > n && rest[rest.size() - n - 1] == '/') {
    auto v = parse_cidr(digits, 128);
    if (!v) return "invalid ip6-cidr-length";
    m.cidr6 = *v;
    rest.remove_suffix(n + 1);
  }
  if (auto n = trailing_cidr(rest, digits); n > 0) {
    auto v = parse_cidr(digits, 32);
    if (!v) return "invalid ip4-cidr-length";
    m.cidr4 = *v;
    rest.remove_suffix(n);
  }
  if (rest.empty()) return "";
  if (rest[0] != ':') return "unexpected text after the mechanism name";
  m.domain_spec = std::string(rest.substr(1));
  return check_domain_spec(m.domain_spec);
}

std::string parse_ip(std::string_view rest, SpfMechanism& m, bool v6) {
  if (rest.empty() || rest[0] != ':') return "ip4/ip6 need ':' and a network";
  rest.remove_prefix(1);
  std::string_view net = rest, cidr;
  bool has_cidr = false;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    net = rest.substr(0, slash);
    cidr = rest.substr(slash + 1);
    has_cidr = true;
  }
  if (v6) {
    auto a = dns::parse_ipv6(net);
    if (!a) return "invalid ip6-network";
    m.network.v6 = true;
    m.network.bytes = *a;
  } else {
    auto a = dns::parse_ipv4(net);
    if (!a) return "invalid ip4-network";
    m.network = IpAddress::from_v4(*a);
  }
  if (has_cidr) {
    auto v = parse_cidr(cidr, v6 ? 128 : 32);
    if (!v) return "invalid CIDR length";
    (v6 ? m.cidr6 : m.cidr4) = *v;
  }
  return "";
}

std::string parse_mechanism(std::string_view term, SpfMechanism& m) {
  m.text = std::string(term);
  switch (term[0]) {
    case '+': m.qualifier = SpfResult::Pass; term.remove_prefix(1); break;
    case '-': m.qualifier = SpfResult::Fail; term.remove_prefix(1); break;
    case '~': m.qualifier = SpfResult::SoftFail; term.remove_prefix(1); break;
    case '?': m.qualifier = SpfResult::Neutral; term.remove_prefix(1); break;
    default: break;
  }
  auto end = term.find_first_of(":/");
  auto name = ascii_lower(term.substr(0, end));
  auto rest = end == std::string_view::npos ? std::string_view{} : term.substr(end);
  if (name == "all") {
    m.kind = SpfMechanismKind::All;
    return rest.empty() ? "" : "'all' takes no argument";
  }
  if (name == "include" || name == "exists") {
    m.kind = name == "include" ? SpfMechanismKind::Include : SpfMechanismKind::Exists;
    if (rest.empty() || rest[0] != ':') return name + " needs ':' and a domain-spec";
    m.domain_spec = std::string(rest.substr(1));
    return check_domain_spec(m.domain_spec);
  }
  if (name == "a" || name == "mx") {
    m.kind = name == "a" ? SpfMechanismKind::A : SpfMechanismKind::Mx;
    return parse_a_mx(rest, m);
  }
  if (name == "ptr") {
    m.kind = SpfMechanismKind::Ptr;
    if (rest.empty()) return "";
    if (rest[0] != ':') return "'ptr' takes no CIDR length";
    m.domain_spec = std::string(rest.substr(1));
    return check_domain_spec(m.domain_spec);
  }
  if (name == "ip4" || name == "ip6") {
    m.kind = name == "ip4" ? SpfMechanismKind::Ip4 : SpfMechanismKind::Ip6;
    return parse_ip(rest, m, name == "ip6");
  }
  return "unknown mechanism '" + std::string(term.substr(0, end)) + "'";
}

// name "=" ... with name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ); npos when not.
std::size_t modifier_name_end(std::string_view term) {
  if (term.empty() || !std::isalpha(static_cast<unsigned char>(term[0]))) return std::string_view::npos;
  std::size_t i = 1;
  while (i < term.size()) {
    auto c = static_cast<unsigned char>(term[i]);
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.')) break;
    ++i;
  }
  return i < term.size() && term[i] == '=' ? i : std::string_view::npos;
}

}  // namespace

bool is_spf_record(std::string_view text) {
  if (text.size() < 6 || ascii_lower(text.substr(0, 6)) != "v=spf1") return false;
  return text.size() == 6 || text[6] == ' ';
}

SpfParse parse_spf_record(std::string_view text) {
  SpfParse out;
  if (!is_spf_record(text)) {
    out.error = "not an SPF record";
    return out;
  }
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) {
      out.error = "character outside printable ASCII in the record";
      return out;
    }
  }
  SpfRecord record;
  std::size_t i = 6;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size()) break;
    auto end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    auto term = text.substr(i, end - i);
    i = end;
    if (auto eq = modifier_name_end(term); eq != std::string_view::npos) {
      auto name = ascii_lower(term.substr(0, eq));
      auto value = std::string(term.substr(eq + 1));
      if (name == "redirect" || name == "exp") {
        auto& slot = name == "redirect" ? record.redirect : record.exp;
        if (slot) {
          out.error = "'" + name + "' appears twice";
          return out;
        }
        if (auto why = check_domain_spec(value); !why.empty()) {
          out.error = name + "=: " + why;
          return out;
        }
        slot = value;
      } else if (auto why = check_macro_string(value, MacroUse::UnknownModifier); !why.empty()) {
        out.error = "modifier " + name + ": " + why;
        return out;
      }
      continue;
    }
    SpfMechanism m;
    if (auto why = parse_mechanism(term, m); !why.empty()) {
      out.error = why;
      return out;
    }
    record.mechanisms.push_back(std::move(m));
  }
  out.record = std::move(record);
  return out;
}

}  // namespace maillab::auth
