// The loader's TLS keys (loader_tls.hpp).
#include "scenarios/loader_tls.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <string_view>

namespace maillab::scenario::detail {
namespace {

std::string one_of(const Item& item, std::span<const std::string_view> allowed) {
  const std::string value = as_string(item);
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return value;
  std::string list;
  for (std::string_view a : allowed) list += (list.empty() ? "" : " | ") + std::string(a);
  fail(item.mark, item.name + " must be one of " + list + ", found `" + value + "`");
}

}  // namespace

std::optional<TlsSpec> parse_host_tls(const Item& item, const std::string& host) {
  TlsSpec spec;
  spec.mark = item.key_mark;
  if (!item.node.IsMap()) {
    if (!as_bool(item)) return std::nullopt;
    spec.names = {host};
    return spec;
  }
  Map m(item, "`tls` of host `" + host + "`", {"names", "certificate"});
  if (std::optional<Item> i = m.get("names")) spec.names = as_strings(*i, true);
  if (spec.names.empty()) spec.names = {host};
  for (const std::string& n : spec.names)
    if (n.empty() || !std::all_of(n.begin(), n.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                 c == '.' || c == '*';
        }))
      fail(spec.mark, "`names` of `tls` must be host names, found `" + n + "`");
  static constexpr std::array<std::string_view, 4> kinds{"valid", "expired", "self-signed", "wrong-name"};
  if (std::optional<Item> i = m.get("certificate")) spec.certificate = one_of(*i, kinds);
  return spec;
}

void parse_mta_tls(const Map& m, MtaConfig& mta) {
  static constexpr std::array<std::string_view, 3> smtpd{"none", "may", "encrypt"};
  static constexpr std::array<std::string_view, 5> smtp{"none", "may", "encrypt", "verify", "secure"};
  if (std::optional<Item> i = m.get("smtps")) mta.smtps = as_bool(*i);
  if (std::optional<Item> i = m.get("smtpd_tls_security_level")) mta.smtpd_tls_security_level = one_of(*i, smtpd);
  if (std::optional<Item> i = m.get("smtpd_tls_auth_only")) mta.smtpd_tls_auth_only = as_bool(*i);
  if (std::optional<Item> i = m.get("smtp_tls_security_level")) mta.smtp_tls_security_level = one_of(*i, smtp);
}

}  // namespace maillab::scenario::detail
