#include "protocols/smtp/rcpt_params.hpp"

#include <utility>

#include "base/ascii.hpp"
#include "protocols/smtp/text_scan.hpp"

namespace maillab::smtp {
namespace {

Reply unsupported(const EsmtpParam& p) {
  return Reply::make(555, "5.5.4", "Unsupported option: " + p.keyword + (p.has_value ? "=" + p.value : ""));
}
Reply bad(std::string_view what) { return Reply::make(501, "5.5.4", std::string(what)); }

// RFC 3461 4.1: "NEVER" alone, or a list of SUCCESS, FAILURE, DELAY.
std::optional<unsigned> parse_notify(std::string_view value) {
  unsigned flags = 0;
  const std::string v = base::ascii_upper(value);
  std::string_view rest = v;
  while (true) {
    std::string_view item = rest.substr(0, rest.find(','));
    unsigned f = 0;
    if (item == "NEVER") f = RcptParams::notify_never;
    else if (item == "SUCCESS") f = RcptParams::notify_success;
    else if (item == "FAILURE") f = RcptParams::notify_failure;
    else if (item == "DELAY") f = RcptParams::notify_delay;
    else return std::nullopt;
    if (flags & f) return std::nullopt;
    flags |= f;
    if (item.size() == rest.size()) break;
    rest.remove_prefix(item.size() + 1);
  }
  if ((flags & RcptParams::notify_never) && flags != RcptParams::notify_never) return std::nullopt;
  return flags;
}

}  // namespace

std::optional<Reply> RcptParams::parse(std::string_view text, const ParamSupport& support, RcptParams& out) {
  out = RcptParams{};
  auto params = split_esmtp_params(text);
  if (!params) return bad("Bad RCPT parameter syntax");
  bool seen_notify = false, seen_orcpt = false;
  for (const auto& p : *params) {
    if (!support.esmtp || !support.dsn) return unsupported(p);
    if (p.keyword == "NOTIFY") {  // RFC 3461 4.1
      if (std::exchange(seen_notify, true)) return bad("Duplicate NOTIFY parameter");
      auto f = p.has_value ? parse_notify(p.value) : std::nullopt;
      if (!f) return bad("Bad NOTIFY parameter syntax");
      out.notify = *f;
    } else if (p.keyword == "ORCPT") {  // RFC 3461 4.2: addr-type ";" xtext
      if (std::exchange(seen_orcpt, true)) return bad("Duplicate ORCPT parameter");
      auto semi = p.value.find(';');
      if (!p.has_value || semi == std::string::npos || semi == 0) return bad("Bad ORCPT parameter syntax");
      auto addr = xtext_decode(std::string_view(p.value).substr(semi + 1));
      // 4.2: an address once decoded; a control byte ("+0D+0A") would end a DSN field.
      if (!addr || addr->empty() || p.value.size() > 500 || !detail::printable_ascii(*addr))
        return bad("Bad ORCPT parameter syntax");
      out.orcpt_type = base::ascii_lower(p.value.substr(0, semi));
      out.orcpt = std::move(*addr);
    } else {
      return unsupported(p);
    }
  }
  return std::nullopt;
}

std::string RcptParams::wire(const ParamSupport& support) const {
  std::string out;
  append_wire(out, support);
  return out;
}

void RcptParams::append_wire(std::string& out, const ParamSupport& support) const {
  if (!support.esmtp || !support.dsn) return;
  if (notify) {
    out += " NOTIFY=";
    if (notify & notify_never) {
      out += "NEVER";
    } else {
      std::string list;
      if (notify & notify_success) list += ",SUCCESS";
      if (notify & notify_failure) list += ",FAILURE";
      if (notify & notify_delay) list += ",DELAY";
      out += list.substr(1);
    }
  }
  if (!orcpt.empty()) out += " ORCPT=" + (orcpt_type.empty() ? std::string("rfc822") : orcpt_type) + ";" + xtext_encode(orcpt);
}

}  // namespace maillab::smtp
