// The loader's Postfix staples of a host's `mta` block (scenario-format.md 1.1 "Postfix
// staples"): relayhost, transport, inet_interfaces, quota_full_tempfail; and the size
// reader of a user's `quota`. Kept apart from loader_hosts.cpp, which other features
// extend too.
#include "protocols/mta/next_hop.hpp"
#include "scenarios/loader_yaml.hpp"

namespace maillab::scenario::detail {

namespace {

// A next hop as Postfix writes it: "[host]:port", "host", "smtp:[host]".
std::string as_next_hop(const Item& item) {
  const std::string text = as_string(item);
  std::string why;
  if (!mta::parse_next_hop(text, &why))
    fail(item.mark, item.name + " must be a next hop as Postfix writes it (`[mail.a.example]:587`, "
                                "`mx.b.example`, `smtp:[192.0.2.7]`): " + why + ", found " + code(text));
  return text;
}

}  // namespace

const std::vector<std::string_view> kStapleKeys{"relayhost", "relayhost_auth", "transport", "inet_interfaces",
                                                "quota_full_tempfail", "greylist"};

std::uint64_t as_size(const Item& item) {
  if (item.node.IsScalar()) {
    const std::string text = item.node.Scalar();
    std::uint64_t unit = 1;
    std::string digits = text;
    if (!text.empty() && (text.back() == 'k' || text.back() == 'M')) {
      unit = text.back() == 'k' ? 1024 : 1024 * 1024;
      digits.pop_back();
    }
    const bool numeric = !digits.empty() && digits.size() <= 12 &&
                         digits.find_first_not_of("0123456789") == std::string::npos;
    if (numeric) return std::stoull(digits) * unit;
  }
  fail(item.mark, item.name + " must be a size in bytes, with a k or M unit (powers of 1024) "
                              "if you like, e.g. `20k`, found " + found(item.node));
}

void parse_staples(const Map& m, MtaConfig& mta) {
  if (std::optional<Item> i = m.get("relayhost")) mta.relayhost = as_next_hop(*i);
  if (std::optional<Item> i = m.get("relayhost_auth")) {
    // Postfix smtp_sasl_password_maps: `[host]:port user:password` for the relayhost.
    Map login(*i, "`relayhost_auth`", {"user", "password"});
    Item user = login.require("user", "the user to log in as at the relayhost, e.g. `user: alice`");
    Item password = login.require("password", "that user's password");
    const std::string u = as_string(user), p = as_string(password);
    if (u.empty()) fail(user.mark, "`relayhost_auth.user` must not be empty");
    if (p.empty()) fail(password.mark, "`relayhost_auth.password` must not be empty: no login without a password");
    if (!m.get("relayhost"))
      fail(i->mark, "`relayhost_auth` logs in to the `relayhost`, and this `mta` has none");
    mta.relayhost_auth = std::make_pair(u, p);
  }
  if (std::optional<Item> i = m.get("greylist")) {
    mta.greylist_ns = as_duration(*i);
    if (mta.greylist_ns < kSecond)
      fail(i->mark, "`greylist` must be at least 1s (postgrey counts its delay in seconds), found " +
                        found(i->node));
  }
  if (std::optional<Item> i = m.get("quota_full_tempfail")) mta.quota_full_tempfail = as_bool(*i);
  if (std::optional<Item> i = m.get("inet_interfaces")) {
    const std::string value = as_string(*i);
    if (value != "all" && value != "loopback-only")
      fail(i->mark, "`inet_interfaces` must be all or loopback-only, found " + found(i->node));
    mta.loopback_only = value == "loopback-only";
  }
  if (std::optional<Item> i = m.get("transport")) {
    Map table(*i, i->name, {});
    for (const Map::Entry& e : table.entries()) {
      Item domain{YAML::Node(e.key), e.value.key_mark, e.value.key_mark, "a domain of `transport`"};
      std::string name = as_host_name(domain, "a domain name");
      Item hop = e.value;
      hop.name = "the next hop of " + code(name);
      mta.transport[name] = as_next_hop(hop);
    }
  }
}

}  // namespace maillab::scenario::detail
