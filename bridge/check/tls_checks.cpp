// check_tls: the TLS rows of `maillab check` (cli.md "TLS"), run before the protocol's
// own rows (which then run inside TLS: tls_probe.hpp). One probe connection does it all:
//
//   STARTTLS offered                  3207 4 / 2595 4 / 9051 6.2.1  MUST with --starttls; plain URL
//                                                                    without it: no TLS rows at all
//   TLS handshake, TLS 1.2 or 1.3     RFC 8996, 8446              MUST
//   TLS 1.0 and 1.1 refused           RFC 8996 2, 3               MUST    a second connection offering only those
//   certificate names match the host  RFC 6125 6.4, 7817 3        MUST    skip for an address literal
//   certificate dates valid           RFC 5280 4.1.2.5            MUST
//   certificate chain verified        RFC 5280 6                  MUST    warn without --cafile
//   pipelined plaintext discarded     3207 4.2 / 2595 / 9051      MUST    STARTTLS only: CVE-2011-0411
//   AUTH only after STARTTLS          RFC 4954 4, 3207 5          SHOULD  SMTP STARTTLS only
//
// CVE-2011-0411: `STARTTLS\r\nRSET\r\n` (SMTP), `STLS\r\nCAPA\r\n` (POP3),
// `a STARTTLS\r\nb CAPABILITY\r\n` (IMAP) go in one write; after the handshake the probe
// sends a command whose answer cannot be mistaken for the injected one's (SMTP HELP: never
// 250; POP3 STAT before login: -ERR; IMAP: tags) and the first answer tells whether the
// server answered the injected command inside TLS. A server that takes the injected bytes
// for the start of the handshake and drops the connection (Dovecot) never runs them: the
// row passes, and the other rows come from a second, clean STARTTLS.
// Everything the server says goes into the rows' "said" text, which Report sanitises.
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "bridge/check/check.hpp"
#include "bridge/check/tls_probe.hpp"
#include "protocols/message/ascii.hpp"

namespace maillab::check {

namespace {

constexpr std::size_t kMaxLine = 8192;
constexpr std::size_t kMaxLines = 1000;

// Lines of a plain-text dialogue over a TcpStream, every read bounded.
class Wire {
 public:
  Wire(TcpStream& s, std::chrono::milliseconds timeout) : s_(s), timeout_(timeout) {}
  std::optional<std::string> line() {
    for (;;) {
      if (auto at = buf_.find('\n'); at != std::string::npos) {
        std::string l = buf_.substr(0, at);
        buf_.erase(0, at + 1);
        if (!l.empty() && l.back() == '\r') l.pop_back();
        return l;
      }
      if (buf_.size() > kMaxLine) return fail("a line of over " + std::to_string(kMaxLine) + " octets");
      if (s_.read(buf_, timeout_) != ReadStatus::Data) return fail("no reply: " + s_.error());
    }
  }
  // SMTP: a reply's lines (to the one whose 4th octet is not '-').
  std::optional<std::vector<std::string>> smtp_reply() { return until([](const std::string& l) { return l.size() < 4 || l[3] != '-'; }); }
  // Lines up to and including the one `done` accepts.
  template <class Done>
  std::optional<std::vector<std::string>> until(Done done) {
    std::vector<std::string> out;
    while (out.size() < kMaxLines) {
      auto l = line();
      if (!l) return std::nullopt;
      out.push_back(*l);
      if (done(out.back())) return out;
    }
    fail("over " + std::to_string(kMaxLines) + " lines in one reply");
    return std::nullopt;
  }
  std::optional<std::vector<std::string>> tagged(const std::string& tag) {
    return until([&](const std::string& l) { return l.rfind(tag + " ", 0) == 0; });
  }
  std::optional<std::vector<std::string>> pop3_multi() {
    auto first = line();
    if (!first) return std::nullopt;
    if (first->rfind("+OK", 0) != 0) return std::vector<std::string>{*first};
    auto rest = until([](const std::string& l) { return l == "."; });
    if (rest) rest->insert(rest->begin(), *first);
    return rest;
  }
  bool send(std::string_view bytes) {
    if (s_.send(bytes)) return true;
    fail("send: " + s_.error());
    return false;
  }
  // Bytes the server sent in clear after its go-ahead (read with it): dropped, reported.
  std::string take_buffer() { return std::exchange(buf_, {}); }
  const std::string& error() const { return error_; }

 private:
  std::nullopt_t fail(std::string why) {
    error_ = std::move(why);
    return std::nullopt;
  }
  TcpStream& s_;
  std::chrono::milliseconds timeout_;
  std::string buf_;
  std::string error_;
};

bool starts_upper(const std::string& text, std::string_view word) {
  return message::ascii_upper(text.substr(0, word.size())) == word &&
         (text.size() == word.size() || text[word.size()] == ' ' || text[word.size()] == '=');
}

struct Facts {
  std::string stop;            // could not reach the point of TLS: every row skips (or fails)
  bool offered = true;         // STARTTLS/STLS in the capabilities (implicit: true)
  std::string offered_said;
  std::string refused;         // the server's answer to STARTTLS when it was not the go-ahead
  std::optional<std::string> auth_before, auth_after;  // SMTP: the EHLO's AUTH line
  std::string handshake_error;
  std::string_view alert;  // the fatal alert the server ended a failed handshake with
  tls::HandshakeInfo info;
  tls::PeerCertificate cert;
  std::optional<bool> injected_answered;
  std::string injected_said;
};

std::string join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += (s.empty() ? "" : " / ") + l;
  return s;
}

// Plain part of a STARTTLS session, up to the go-ahead (the bytes after which TLS starts).
// `inject`: the CVE-2011-0411 command rides in the same write. false: facts.stop or
// !facts.offered or facts.refused say why.
bool to_starttls(Wire& w, Url::Scheme scheme, bool inject, Facts& f) {
  auto broke = [&](std::string_view what) {
    f.stop = std::string(what) + ": " + w.error();
    return false;
  };
  if (scheme == Url::Scheme::Smtp) {
    auto greeting = w.smtp_reply();
    if (!greeting) return broke("greeting");
    if (!w.send("EHLO maillab.check\r\n")) return broke("EHLO");
    auto ehlo = w.smtp_reply();
    if (!ehlo) return broke("EHLO");
    f.offered = false;
    for (std::size_t i = 1; i < ehlo->size(); ++i) {
      const std::string kw = (*ehlo)[i].size() > 4 ? (*ehlo)[i].substr(4) : "";
      if (starts_upper(kw, "STARTTLS")) f.offered = true;
      if (starts_upper(kw, "AUTH")) f.auth_before = kw;
    }
    f.offered_said = f.offered ? "250-STARTTLS" : "not in the EHLO reply: " + join(*ehlo);
    if (!f.offered) return false;
    if (!w.send(inject ? "STARTTLS\r\nRSET\r\n" : "STARTTLS\r\n")) return broke("STARTTLS");
    auto go = w.smtp_reply();
    if (!go) return broke("STARTTLS");
    if (go->back().rfind("220", 0) != 0) f.refused = join(*go);
  } else if (scheme == Url::Scheme::Pop3) {
    if (!w.line()) return broke("greeting");
    if (!w.send("CAPA\r\n")) return broke("CAPA");
    auto capa = w.pop3_multi();
    if (!capa) return broke("CAPA");
    f.offered = false;
    for (const auto& l : *capa) f.offered = f.offered || starts_upper(l, "STLS");
    f.offered_said = f.offered ? "CAPA lists STLS" : "not in the CAPA reply: " + join(*capa);
    if (!f.offered) return false;
    if (!w.send(inject ? "STLS\r\nCAPA\r\n" : "STLS\r\n")) return broke("STLS");
    auto go = w.line();
    if (!go) return broke("STLS");
    if (go->rfind("+OK", 0) != 0) f.refused = *go;
  } else {
    if (!w.line()) return broke("greeting");
    if (!w.send("c0 CAPABILITY\r\n")) return broke("CAPABILITY");
    auto caps = w.tagged("c0");
    if (!caps) return broke("CAPABILITY");
    f.offered = false;
    for (const auto& l : *caps)
      if (starts_upper(l, "* CAPABILITY")) f.offered = (" " + message::ascii_upper(l) + " ").find(" STARTTLS ") != std::string::npos;
    f.offered_said = f.offered ? "CAPABILITY lists STARTTLS" : "not in the CAPABILITY reply: " + join(*caps);
    if (!f.offered) return false;
    if (!w.send(inject ? "a STARTTLS\r\nb CAPABILITY\r\n" : "a STARTTLS\r\n")) return broke("STARTTLS");
    auto go = w.tagged("a");
    if (!go) return broke("STARTTLS");
    if (go->back().rfind("a OK", 0) != 0 && go->back().rfind("a ok", 0) != 0) f.refused = join(*go);
  }
  return f.refused.empty();
}

// After the handshake: did the server answer the injected command? Then (SMTP) the EHLO
// inside TLS, for AUTH.
void after_handshake(Wire& w, Url::Scheme scheme, Facts& f) {
  if (scheme == Url::Scheme::Smtp) {
    if (!w.send("HELP\r\n")) return;
    auto first = w.smtp_reply();
    if (!first) return;
    f.injected_answered = first->back().rfind("250", 0) == 0;  // HELP answers 214/211 or an error, never 250
    f.injected_said = join(*first);
    if (*f.injected_answered && !w.smtp_reply()) return;  // HELP's own
    if (!w.send("EHLO maillab.check\r\n")) return;
    if (auto ehlo = w.smtp_reply()) {
      for (std::size_t i = 1; i < ehlo->size(); ++i) {
        const std::string kw = (*ehlo)[i].size() > 4 ? (*ehlo)[i].substr(4) : "";
        if (starts_upper(kw, "AUTH")) f.auth_after = kw;
      }
    }
    w.send("QUIT\r\n");
  } else if (scheme == Url::Scheme::Pop3) {
    if (!w.send("STAT\r\n")) return;
    auto first = w.line();
    if (!first) return;
    f.injected_answered = first->rfind("+OK", 0) == 0;  // STAT before login is an error
    f.injected_said = *first;
    w.send("QUIT\r\n");
  } else {
    if (!w.send("d NOOP\r\n")) return;
    auto lines = w.tagged("d");
    if (!lines) return;
    f.injected_answered = false;
    for (const auto& l : *lines) {
      if (l.rfind("b ", 0) != 0) continue;
      f.injected_answered = true;
      f.injected_said = l;
    }
    if (!*f.injected_answered) f.injected_said = lines->back();
    w.send("e LOGOUT\r\n");
  }
}

// The probe connection, up to TLS (and through it, with `inject`).
Facts probe(const Url& url, tls::ClientContext& ctx, bool inject, std::chrono::milliseconds timeout) {
  Facts f;
  TcpStream s;
  if (!s.connect(url.host, url.port, timeout)) {
    f.stop = s.error();
    return f;
  }
  Wire w(s, timeout);
  if (url.tls != Url::Tls::Implicit && !to_starttls(w, url.scheme, inject, f)) return f;
  const std::string in_clear = w.take_buffer();
  if (!s.start_tls(ctx, client_params(url), timeout)) {
    f.handshake_error = s.error();
    f.alert = s.tls()->error().alert_received;
    if (!in_clear.empty()) f.handshake_error += " (the server sent more in clear after its go-ahead: " + in_clear + ")";
    return f;
  }
  f.info = s.tls()->info();
  f.cert = s.tls()->peer_certificate();
  if (url.tls != Url::Tls::Implicit) after_handshake(w, url.scheme, f);
  if (!inject) f.injected_answered.reset();
  return f;
}

std::string date(tls::UnixTime t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// RFC 6125 6.4: a DNS-ID equal to the host (case-insensitive), or "*." and a wildcard
// for exactly the left-most label.
bool name_matches(std::string pattern, std::string host) {
  pattern = message::ascii_lower(pattern);
  host = message::ascii_lower(host);
  while (!host.empty() && host.back() == '.') host.pop_back();
  if (pattern == host) return true;
  if (pattern.rfind("*.", 0) != 0) return false;
  const auto dot = host.find('.');
  return dot != std::string::npos && dot > 0 && host.substr(dot) == pattern.substr(1);
}

std::string names_text(const tls::PeerCertificate& c) {
  std::string s;
  for (const auto& n : c.dns_names) s += (s.empty() ? "DNS:" : ", DNS:") + n;
  if (s.empty()) s = "no subjectAltName DNS names, subject " + c.subject;
  return s;
}

Result names_row(const Url& url, const Facts& f) {
  if (is_address(url.host))
    return Result::skip("the URL names an address, not a host name (certificate: " + names_text(f.cert) + ")");
  std::vector<std::string> ids = f.cert.dns_names;
  if (ids.empty() && !f.cert.common_name.empty()) ids.push_back(f.cert.common_name);  // RFC 6125 6.4.4
  for (const auto& id : ids)
    if (name_matches(id, url.host)) return Result::pass(url.host + " matches " + id + " (" + names_text(f.cert) + ")");
  return Result::fail(url.host + " is not among the certificate's names: " + names_text(f.cert));
}

Result dates_row(const Facts& f) {
  const auto now = static_cast<tls::UnixTime>(std::time(nullptr));
  const std::string span = date(f.cert.not_before) + " to " + date(f.cert.not_after);
  if (now > f.cert.not_after) return Result::fail("expired on " + date(f.cert.not_after) + " (valid " + span + ")");
  if (now < f.cert.not_before) return Result::fail("not valid before " + date(f.cert.not_before));
  return Result::pass("valid " + span);
}

Result chain_row(const Options& opt, const Facts& f) {
  using V = tls::Verification;
  const V v = f.info.verification;
  if (opt.cafile.empty())
    return Result::warn("not verified: no --cafile (issuer " + f.cert.issuer + ")");
  if (v == V::Ok || v == V::HostnameMismatch || v == V::Expired || v == V::NotYetValid)
    return Result::pass("chains to --cafile (issuer " + f.cert.issuer + ")");
  return Result::fail(std::string(tls::to_string(v)) + ": " + std::string(f.info.verify_detail) + " (issuer " +
                      f.cert.issuer + ")");
}

Result legacy_row(const Url& url, const Options& opt) {
  Facts legacy = probe(url, *url.tls_setup->legacy, false, opt.timeout);
  if (!legacy.stop.empty() || !legacy.refused.empty()) return Result::skip("could not reach STARTTLS: " + legacy.stop + legacy.refused);
  if (legacy.handshake_error.empty())
    return Result::fail("accepted " + std::string(legacy.info.version) + " " + std::string(legacy.info.cipher));
  if (legacy.handshake_error.find("no protocols available") != std::string::npos)
    return Result::skip("this OpenSSL cannot offer TLS 1.0/1.1: " + legacy.handshake_error);
  if (!legacy.alert.empty()) return Result::pass("refused with the alert '" + std::string(legacy.alert) + "'");
  return Result::pass("refused: " + legacy.handshake_error);
}

const char* offer_section(Url::Scheme s) {
  return s == Url::Scheme::Smtp ? "RFC 3207 4" : s == Url::Scheme::Pop3 ? "RFC 2595 4" : "RFC 9051 6.2.1";
}
const char* inject_section(Url::Scheme s) {
  return s == Url::Scheme::Smtp ? "RFC 3207 4.2" : s == Url::Scheme::Pop3 ? "RFC 2595 4" : "RFC 9051 6.2.1";
}

}  // namespace

Report check_tls(const Url& url, const Options& opt) {
  Report r;
  if (!url.tls_setup || url.tls == Url::Tls::Off) return r;
  const bool starttls = url.tls != Url::Tls::Implicit;
  const bool smtp = url.scheme == Url::Scheme::Smtp;
  const char* verb = url.scheme == Url::Scheme::Pop3 ? "STLS" : "STARTTLS";
  Facts f = probe(url, *url.tls_setup->client, true, opt.timeout);
  if (starttls && f.stop.empty() && f.refused.empty() && !f.handshake_error.empty()) {
    // Dovecot reads the injected bytes as the start of the TLS handshake and drops the
    // connection: the command never runs. The rest is learnt from a clean STARTTLS.
    Facts clean = probe(url, *url.tls_setup->client, false, opt.timeout);
    if (clean.stop.empty() && clean.handshake_error.empty()) {
      clean.injected_answered = false;
      clean.injected_said = "never run: the server read the injected bytes as TLS and closed (" +
                            f.handshake_error + "); a clean STARTTLS works";
      f = std::move(clean);
    }
  }
  // A plain URL and no STARTTLS: the protocol rows run in clear, as they always did.
  if (url.tls == Url::Tls::Opportunistic && (!f.stop.empty() || !f.offered)) return r;

  std::string stop = f.stop;
  if (starttls) {
    Result offered = !f.stop.empty() ? Result::fail(f.stop)
                     : !f.offered    ? Result::fail(f.offered_said)
                     : f.refused.empty() ? Result::pass(f.offered_said)
                                         : Result::fail(std::string(verb) + " refused: " + f.refused);
    r.add(std::string(verb) + " offered and accepted", offer_section(url.scheme), Level::Must, offered);
    if (offered.outcome != Outcome::Pass) stop = "no TLS: " + offered.said;
  }
  auto add = [&](std::string name, std::string section, Level level, auto&& row) {
    r.add(std::move(name), std::move(section), level, stop.empty() ? Result(row()) : Result::skip(stop));
  };
  if (!starttls && !f.stop.empty()) {  // smtps/pop3s/imaps: not even a connection
    r.add(std::string(kTlsHandshakeRow), "RFC 8996, RFC 8446", Level::Must, Result::fail(f.stop));
  } else if (stop.empty() && !f.handshake_error.empty()) {
    r.add(std::string(kTlsHandshakeRow), "RFC 8996, RFC 8446", Level::Must, Result::fail(f.handshake_error));
    stop = "no TLS: the handshake failed";
  } else {
    add(std::string(kTlsHandshakeRow), "RFC 8996, RFC 8446", Level::Must, [&] {
      return Result::pass(std::string(f.info.version) + " " + std::string(f.info.cipher) + " (" +
                          std::to_string(f.info.cipher_bits) + " bits)" +
                          (f.info.group.empty() ? "" : ", " + std::string(f.info.group)));
    });
  }
  add("TLS 1.0 and 1.1 refused", "RFC 8996 2, 3", Level::Must, [&] { return legacy_row(url, opt); });
  add("certificate names match the host", "RFC 6125 6.4, RFC 7817 3", Level::Must, [&] { return names_row(url, f); });
  add("certificate dates valid", "RFC 5280 4.1.2.5", Level::Must, [&] { return dates_row(f); });
  add("certificate chain verified", "RFC 5280 6", Level::Must, [&] { return chain_row(opt, f); });
  if (!starttls) return r;
  add("plaintext pipelined after " + std::string(verb) + " discarded", std::string(inject_section(url.scheme)) + ", CVE-2011-0411",
      Level::Must, [&] {
        if (!f.injected_answered) return Result::skip("no answer after the handshake");
        if (*f.injected_answered) return Result::fail("answered the command sent in clear: " + f.injected_said);
        if (f.injected_said.rfind("never run", 0) == 0) return Result::pass(f.injected_said);
        return Result::pass("the injected command got no answer: " + f.injected_said);
      });
  if (smtp) {
    add("AUTH only after STARTTLS", "RFC 4954 4, RFC 3207 5", Level::Should, [&] {
      if (f.auth_before) return Result::warn(*f.auth_before + " offered in clear (smtpd_tls_auth_only = no)");
      if (f.auth_after) return Result::pass(*f.auth_after + " only after STARTTLS (smtpd_tls_auth_only = yes)");
      return Result::skip("no AUTH offered, before or after STARTTLS");
    });
  }
  return r;
}

}  // namespace maillab::check
