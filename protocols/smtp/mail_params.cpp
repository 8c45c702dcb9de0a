#include "protocols/smtp/mail_params.hpp"

#include <charconv>
#include <limits>
#include <utility>

#include "base/ascii.hpp"
#include "protocols/smtp/text_scan.hpp"

namespace maillab::smtp {
namespace {

Reply unsupported(const EsmtpParam& p) {
  return Reply::make(555, "5.5.4", "Unsupported option: " + p.keyword + (p.has_value ? "=" + p.value : ""));
}
Reply bad(std::string_view what) { return Reply::make(501, "5.5.4", std::string(what)); }

std::optional<std::uint64_t> parse_size(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

}  // namespace

std::optional<Reply> MailParams::parse(std::string_view text, const ParamSupport& support, MailParams& out) {
  out = MailParams{};
  auto params = split_esmtp_params(text);
  if (!params) return bad("Bad MAIL parameter syntax");
  bool seen_size = false, seen_body = false, seen_ret = false, seen_envid = false, seen_auth = false;
  bool seen_utf8 = false;
  auto once = [](bool& seen) { return !std::exchange(seen, true); };
  for (const auto& p : *params) {
    if (!support.esmtp) return unsupported(p);  // parameters need EHLO (4.1.1.2)
    if (p.keyword == "SIZE" && support.size) {  // RFC 1870 6
      if (!once(seen_size)) return bad("Duplicate SIZE parameter");
      out.size = p.has_value ? parse_size(p.value) : std::nullopt;
      if (!out.size) return bad("Bad message size syntax");
    } else if (p.keyword == "BODY" && support.body) {  // RFC 6152 2
      if (!once(seen_body)) return bad("Duplicate BODY parameter");
      const std::string v = base::ascii_upper(p.value);
      if (v == "7BIT") out.body = Body::SevenBit;
      else if (v == "8BITMIME") out.body = Body::EightBitMime;
      else return bad("Bad BODY keyword syntax");
    } else if (p.keyword == "RET" && support.dsn) {  // RFC 3461 4.3
      if (!once(seen_ret)) return bad("Duplicate RET parameter");
      const std::string v = base::ascii_upper(p.value);
      if (v == "FULL") out.ret = DsnRet::Full;
      else if (v == "HDRS") out.ret = DsnRet::Hdrs;
      else return bad("Bad RET parameter syntax");
    } else if (p.keyword == "ENVID" && support.dsn) {  // RFC 3461 4.4
      if (!once(seen_envid)) return bad("Duplicate ENVID parameter");
      auto v = p.has_value ? xtext_decode(p.value) : std::nullopt;
      // 4.4: printable US-ASCII once decoded; "+0D+0A" would end a DSN field early.
      if (!v || v->empty() || v->size() > 100 || !detail::printable_ascii(*v))
        return bad("Bad ENVID parameter syntax");
      out.envid = std::move(*v);
    } else if (p.keyword == "AUTH" && support.auth) {  // RFC 4954 5
      if (!once(seen_auth)) return bad("Duplicate AUTH parameter");
      auto v = p.has_value ? (p.value == "<>" ? std::optional<std::string>("<>") : xtext_decode(p.value))
                           : std::nullopt;
      if (!v || v->empty() || !detail::printable_ascii(*v)) return bad("Bad AUTH parameter syntax");
      out.auth = std::move(*v);
    } else if (p.keyword == "SMTPUTF8" && support.smtputf8) {  // RFC 6531 3.4: no value
      if (!once(seen_utf8)) return bad("Duplicate SMTPUTF8 parameter");
      if (p.has_value) return bad("Bad SMTPUTF8 parameter syntax");
      out.smtputf8 = true;
    } else {
      return unsupported(p);
    }
  }
  return std::nullopt;
}

std::string MailParams::wire(const ParamSupport& support) const {
  std::string out;
  append_wire(out, support);
  return out;
}

void MailParams::append_wire(std::string& out, const ParamSupport& support) const {
  if (!support.esmtp) return;
  if (size && support.size) {
    // The digits written in place: no std::to_string temporary per message.
    char digits[20];
    const auto end = std::to_chars(digits, digits + sizeof digits, *size).ptr;
    out += " SIZE=";
    out.append(digits, end);
  }
  if (body != Body::Unspecified && support.body)
    out += body == Body::EightBitMime ? " BODY=8BITMIME" : " BODY=7BIT";
  if (support.dsn) {
    if (ret != DsnRet::Unspecified) out += ret == DsnRet::Full ? " RET=FULL" : " RET=HDRS";
    if (!envid.empty()) out += " ENVID=" + xtext_encode(envid);
  }
  if (auth && support.auth) out += " AUTH=" + (*auth == "<>" ? *auth : xtext_encode(*auth));
  if (smtputf8 && support.smtputf8) out += " SMTPUTF8";
}

}  // namespace maillab::smtp
