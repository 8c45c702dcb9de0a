// Internal to the loader: the TLS keys of scenario format 1.1 (a host's `tls`,
// the MTA's `smtps` and Postfix's smtpd_tls_security_level, smtpd_tls_auth_only,
// smtp_tls_security_level). docs/scenario-format.md "TLS".
#pragma once

#include <string>

#include "scenarios/loader_yaml.hpp"

namespace maillab::scenario::detail {

// `tls: true` or `tls: {names: [...], certificate: valid|expired|self-signed|wrong-name}`;
// nullopt for `tls: false`.
std::optional<TlsSpec> parse_host_tls(const Item& item, const std::string& host);
// The MTA's TLS keys, from its `mta` mapping.
void parse_mta_tls(const Map& m, MtaConfig& mta);

}  // namespace maillab::scenario::detail
