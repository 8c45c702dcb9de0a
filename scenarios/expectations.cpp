#include "scenarios/expectations.hpp"

#include <algorithm>

#include "protocols/auth/authentication_results.hpp"
#include "protocols/message/ascii.hpp"
#include "protocols/message/dsn.hpp"
#include "protocols/message/encoded_word.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/received.hpp"

namespace maillab::scenario {

namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

std::string lower(std::string s) {
  message::lower_in_place(s);
  return s;
}

bool same_address(const std::string& a, const std::string& b) { return lower(a) == lower(b); }

// The Subject as the scenario writes it: RFC 2047 words decoded, so a non-ASCII subject
// (sent as =?utf-8?b?...?=) matches the UTF-8 text of the expectation.
std::string decoded_subject(const std::string& raw) { return message::decode_rfc2047(raw); }

// A subject as a report quotes it: decoded (the runner's terminal_safe and the JUnit
// report's xml_escape make whatever a peer encoded in it harmless).
std::string quoted(const std::string& subject) { return "\"" + subject + "\""; }

std::string subject_of(const message::Message& msg) { return decoded_subject(msg.header("Subject").value_or("")); }

std::string subject_of(const io::Bytes& content) { return subject_of(message::Message::parse(*content)); }

std::string describe(const Check& c) {
  std::string out(check_name(c));
  auto add = [&](const char* k, const std::optional<std::string>& v) {
    if (v) out += std::string(" ") + k + "=" + *v;
  };
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, Delivered>) {
          add("to", x.to);
          add("subject", x.subject);
          add("host", x.host);
          if (x.after_ns) out += " after=" + format_duration(*x.after_ns);
          if (x.before_ns) out += " before=" + format_duration(*x.before_ns);
        } else if constexpr (std::is_same_v<T, NotDelivered>) {
          add("to", x.to);
          add("subject", x.subject);
        } else if constexpr (std::is_same_v<T, Relayed>) {
          add("subject", x.subject);
          add("via", x.via);
          if (x.tls) out += *x.tls ? " tls=true" : " tls=false";
        } else if constexpr (std::is_same_v<T, Bounced>) {
          add("to", x.to);
          add("original_to", x.original_to);
          add("status", x.status);
        } else if constexpr (std::is_same_v<T, ReplyCheck>) {
          add("host", x.host);
          if (x.code) out += " code=" + std::to_string(*x.code);
          if (x.count) out += " count=" + std::to_string(*x.count);
        } else if constexpr (std::is_same_v<T, Attempts>) {
          add("subject", x.subject);
          add("host", x.host);
          if (x.min) out += " min=" + std::to_string(*x.min);
          if (x.max) out += " max=" + std::to_string(*x.max);
        } else if constexpr (std::is_same_v<T, QueueEmpty>) {
          out += " " + x.host;
        } else if constexpr (std::is_same_v<T, Fetched>) {
          add("user", x.user);
          if (x.count) out += " count=" + std::to_string(*x.count);
        } else if constexpr (std::is_same_v<T, Authenticated>) {
          add("to", x.to);
          add("subject", x.subject);
          add("spf", x.spf);
          add("dkim", x.dkim);
          add("dmarc", x.dmarc);
        } else if constexpr (std::is_same_v<T, Stored>) {
          add("user", x.user);
          add("host", x.host);
          add("folder", x.folder);
          if (x.count) out += " count=" + std::to_string(*x.count);
          if (x.seen) out += " seen=" + std::to_string(*x.seen);
        }
      },
      c);
  return out;
}

class Checker {
 public:
  explicit Checker(const World& w) : w_(w) {}

  CheckResult run(const Expectation& e) {
    CheckResult r;
    r.expectation = &e;
    r.what = describe(e.check);
    std::visit([&](const auto& x) { eval(x, r); }, e.check);
    return r;
  }

 private:
  void eval(const Delivered& x, CheckResult& r) {
    int matching = 0;
    std::string seen;
    for (const auto& d : w_.deliveries()) {
      if (!same_address(d.record.recipient, x.to)) continue;
      std::string subject = subject_of(d.record.content);
      seen += (seen.empty() ? "" : "; ") + (quoted(subject) + " on " + d.host + " at " +
                                            format_duration(d.record.time));
      if (x.subject && subject != *x.subject) continue;
      if (x.host && d.host != *x.host) continue;
      if (x.after_ns && d.record.time < *x.after_ns) continue;
      if (x.before_ns && d.record.time > *x.before_ns) continue;
      ++matching;
    }
    r.passed = matching > 0;
    r.found = seen.empty() ? "nothing was delivered to " + x.to : "delivered: " + seen;
  }

  void eval(const NotDelivered& x, CheckResult& r) {
    std::string seen;
    for (const auto& d : w_.deliveries()) {
      if (!same_address(d.record.recipient, x.to)) continue;
      std::string subject = subject_of(d.record.content);
      if (x.subject && subject != *x.subject) continue;
      seen += (seen.empty() ? "" : "; ") + (quoted(subject) + " on " + d.host + " at " +
                                            format_duration(d.record.time));
    }
    r.passed = seen.empty();
    r.found = seen.empty() ? "no such delivery" : "delivered: " + seen;
  }

  void eval(const Relayed& x, CheckResult& r) {
    std::string seen;
    for (const auto& d : w_.deliveries()) {
      auto msg = message::Message::parse(*d.record.content);
      if (x.subject && subject_of(msg) != *x.subject) continue;
      const std::vector<message::ReceivedHop> hops = message::received_hops(msg);
      std::string chain;
      for (auto it = hops.rbegin(); it != hops.rend(); ++it)
        chain += (chain.empty() ? "" : " -> ") + it->by + (x.tls ? " (" + it->with + ")" : "");
      seen += (seen.empty() ? "" : "; ") + chain;
      // The hop into `via` (the newest one by `via`), else the last hop.
      auto hop = std::find_if(hops.begin(), hops.end(), [&](const message::ReceivedHop& h) {
        return !x.via || lower(h.by) == lower(*x.via);
      });
      if (hop == hops.end()) continue;
      if (!x.tls || hop->encrypted() == *x.tls) r.passed = true;
    }
    r.found = seen.empty() ? "no such message was delivered" : "Received chain: " + seen;
  }

  void eval(const Bounced& x, CheckResult& r) {
    std::string seen;
    for (const auto& d : w_.deliveries()) {
      if (!same_address(d.record.recipient, x.to)) continue;
      auto dsn = message::parse_dsn(message::Message::parse(*d.record.content));
      if (!dsn) continue;
      for (const auto& rc : dsn->recipients) {
        seen += (seen.empty() ? "" : "; ") + rc.final_recipient + " " + rc.action + " " + rc.status;
        bool who = !x.original_to || same_address(rc.final_recipient, *x.original_to) ||
                   same_address(rc.original_recipient, *x.original_to);
        bool status = !x.status || rc.status.rfind(*x.status, 0) == 0;
        if (who && status && rc.action == "failed") r.passed = true;
      }
    }
    r.found = seen.empty() ? "no DSN was delivered to " + x.to : "DSN: " + seen;
  }

  void eval(const ReplyCheck& x, CheckResult& r) {
    std::uint64_t n = 0;
    for (const auto& e : w_.trace().events()) {
      if (e.host != x.host || e.event != ev::kSmtpIn) continue;
      if (x.code && e.get(key::kCode) != std::to_string(*x.code)) continue;
      ++n;
    }
    r.passed = x.count ? n == *x.count : n > 0;
    r.found = std::to_string(n) + " matching repl" + (n == 1 ? "y" : "ies") + " sent by " + x.host;
  }

  void eval(const Attempts& x, CheckResult& r) {
    std::uint64_t n = 0;
    std::string times;
    for (const auto& e : w_.trace().events()) {
      if (e.event != ev::kQueueAttempt) continue;
      if (x.host && e.host != *x.host) continue;
      if (x.subject && decoded_subject(e.get(key::kSubject)) != *x.subject) continue;
      ++n;
      times += (times.empty() ? "" : " ") + format_duration(e.t_ns);
    }
    r.passed = (!x.min || n >= *x.min) && (!x.max || n <= *x.max);
    r.found = std::to_string(n) + " attempt" + (n == 1 ? "" : "s") + (times.empty() ? "" : " at " + times);
  }

  void eval(const QueueEmpty& x, CheckResult& r) {
    std::string left;
    for (const auto& [name, node] : w_.hosts()) {
      if (!x.all() && name != x.host) continue;
      for (const auto& q : w_.queue_of(name)) {
        left += (left.empty() ? "" : "; ") + name + ": " + q.id + " " + quoted(decoded_subject(q.subject)) + " (" +
                std::string(mta::queue_state_name(q.state)) + ")";
      }
    }
    r.passed = left.empty();
    r.found = left.empty() ? "empty" : "still queued: " + left;
  }

  void eval(const Fetched& x, CheckResult& r) {
    std::uint64_t n = 0;
    for (const auto& f : w_.fetches()) {
      if (f.user == x.user && (!x.tls || f.result.tls == *x.tls)) n += f.result.messages.size();
    }
    r.passed = x.count ? n == *x.count : n > 0;
    r.found = std::to_string(n) + " message" + (n == 1 ? "" : "s") + " fetched" +
              (x.tls ? (*x.tls ? " over TLS" : " in clear") : "");
  }

  // Some Authentication-Results field of the message holds every result asked for (for
  // dkim, one of its dkim= entries: a message may carry several signatures).
  void eval(const Authenticated& x, CheckResult& r) {
    std::string seen;
    for (const auto& d : w_.deliveries()) {
      if (!same_address(d.record.recipient, x.to)) continue;
      const auto msg = message::Message::parse(*d.record.content);
      if (x.subject && msg.header("Subject").value_or("") != *x.subject) continue;
      for (const std::string& value : msg.headers("Authentication-Results")) {
        const auto parsed = auth::parse_authentication_results(value);
        if (!parsed) continue;
        std::string results;
        for (const auto& e : parsed->results) results += " " + e.method + "=" + e.result;
        seen += (seen.empty() ? "" : "; ") + parsed->authserv_id + ":" + results;
        auto holds = [&](const char* method, const std::optional<std::string>& want) {
          if (!want) return true;
          return std::any_of(parsed->results.begin(), parsed->results.end(),
                             [&](const auth::AuthResultsEntry& e) { return e.method == method && e.result == *want; });
        };
        if (holds("spf", x.spf) && holds("dkim", x.dkim) && holds("dmarc", x.dmarc)) r.passed = true;
      }
      if (seen.empty()) seen = "a message without Authentication-Results";
    }
    r.found = seen.empty() ? "nothing was delivered to " + x.to : "Authentication-Results: " + seen;
  }

  void eval(const Stored& x, CheckResult& r) {
    const std::optional<World::FolderCount> f = w_.stored(x.host, x.user, x.folder);
    // An INBOX never made (no delivery, no login yet) holds nothing; another folder that
    // does not exist fails every check of it.
    const bool exists = f.has_value() || x.folder == "INBOX";
    const World::FolderCount n = f.value_or(World::FolderCount{});
    if (x.count || x.seen) {
      r.passed = exists && (!x.count || n.messages == *x.count) && (!x.seen || n.seen == *x.seen);
    } else {
      r.passed = n.messages > 0;
    }
    r.found = exists ? std::to_string(n.messages) + " message" + (n.messages == 1 ? "" : "s") + " in " + x.folder +
                           ", " + std::to_string(n.seen) + " seen"
                     : "no folder " + x.folder + " for " + x.user;
  }

  const World& w_;
};

}  // namespace

std::vector<CheckResult> check_expectations(const World& world) {
  Checker c(world);
  std::vector<CheckResult> out;
  for (const auto& e : world.scenario().expect) out.push_back(c.run(e));
  return out;
}

std::vector<CheckResult> check_now(const World& world, const std::vector<Expectation>& checks) {
  Checker c(world);
  std::vector<CheckResult> out;
  for (const auto& e : checks) out.push_back(c.run(e));
  return out;
}

}  // namespace maillab::scenario
