#include "protocols/message/received.hpp"

#include "protocols/message/date.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/peer_text.hpp"

namespace maillab::message {
namespace {

// Splits a Received value into words, skipping (nested) comments; stops at ';'.
std::vector<std::string> received_words(std::string_view v) {
  std::vector<std::string> words;
  std::string cur;
  int depth = 0;
  auto flush = [&] {
    if (!cur.empty()) words.push_back(std::move(cur));
    cur.clear();
  };
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (depth > 0) {
      if (c == '\\') ++i;
      else if (c == '(') ++depth;
      else if (c == ')') --depth;
      continue;
    }
    if (c == '(') { flush(); depth = 1; continue; }
    if (c == ';') break;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') { flush(); continue; }
    cur += c;
  }
  flush();
  return words;
}

}  // namespace

std::string received_value(const ReceivedInfo& info) {
  std::string out;
  out.reserve(info.from_helo.size() + info.from_host.size() + info.from_address.size() + info.by_host.size() +
              info.with.size() + info.tls.size() + info.id.size() + info.for_rcpt.size() + 96);
  // Everything the client chose (its HELO name, its address, the recipient) or the DNS
  // said (its name) goes through header_safe: no CR or LF can start a line of its own.
  if (!info.from_helo.empty() || !info.from_host.empty() || !info.from_address.empty()) {
    out += "from ";
    append_header_safe(out, info.from_helo.empty() ? (info.from_host.empty() ? "unknown" : info.from_host)
                                                   : info.from_helo);
    if (!info.from_address.empty() || !info.from_host.empty()) {
      out += " (";
      append_header_safe(out, info.from_host.empty() ? "unknown" : info.from_host);
      if (!info.from_address.empty()) {
        out += " [";
        bool v6 = info.from_address.find(':') != std::string::npos && info.from_address.rfind("IPv6:", 0) != 0;
        if (v6) out += "IPv6:";
        append_header_safe(out, info.from_address);
        out += "]";
      }
      out += ")";
    }
    out += "\r\n\t";
  }
  if (!info.tls.empty()) {  // Postfix: "(using TLSv1.3 with cipher ... (256/256 bits))"
    // OpenSSL's names of what was negotiated (tls::received_clause), never peer text.
    out += '(';
    out += info.tls;
    out += ")\r\n\t";
  }
  out += "by ";
  append_header_safe(out, info.by_host.empty() ? "localhost" : info.by_host);
  out += " (maillab)";
  if (!info.with.empty()) {
    out += " with ";
    append_header_safe(out, info.with);
  }
  if (!info.id.empty()) {
    out += " id ";
    append_header_safe(out, info.id);
  }
  if (!info.for_rcpt.empty()) {
    std::string_view rcpt = info.for_rcpt;
    if (rcpt.size() >= 2 && rcpt.front() == '<' && rcpt.back() == '>') rcpt = rcpt.substr(1, rcpt.size() - 2);
    out += "\r\n\tfor <";
    append_header_safe(out, rcpt, PeerText::Token, kPeerTokenMax + 64 + 1);
    out += '>';
  }
  out += "; ";
  char date[kRfc5322DateSize];
  out += format_rfc5322_date(info.sim_ns, date);
  return out;
}

std::vector<ReceivedHop> received_hops(const Message& message) {
  std::vector<ReceivedHop> out;
  for (const std::string& value : message.headers("Received")) {
    std::vector<std::string> words = received_words(value);
    ReceivedHop hop;
    for (std::size_t i = 0; i + 1 < words.size(); ++i) {
      if (iequals(words[i], "from")) {
        ++i;  // the HELO name, even when it is "by"
      } else if (hop.by.empty() && iequals(words[i], "by")) {
        hop.by = words[++i];
      } else if (!hop.by.empty() && iequals(words[i], "with")) {
        hop.with = words[++i];
        break;
      }
    }
    out.push_back(std::move(hop));
  }
  return out;
}

std::vector<std::string> received_hosts(const Message& message) {
  std::vector<std::string> out;
  for (ReceivedHop& hop : received_hops(message)) out.push_back(std::move(hop.by));
  return out;
}

bool ReceivedHop::encrypted() const {
  std::string_view w = with;
  if (!w.empty() && (w.back() == 'A' || w.back() == 'a')) w.remove_suffix(1);  // AUTH
  return w.size() >= 5 && iequals(w.substr(w.size() - 4), "MTPS");
}

}  // namespace maillab::message
