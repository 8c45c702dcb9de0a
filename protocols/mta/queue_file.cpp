#include "protocols/mta/queue_file.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace maillab::mta {
namespace {

// Values are escaped so that a field never contains a tab or a line end. serialize() runs
// several times per message per MTA: it writes into one buffer with room for the worst
// case (every byte escaped), a word at a time where no byte needs escaping.
bool needs_escape(char c) {
  // '\t' 9, '\n' 10, '\r' 13 and '\\' 92: one test for the common byte.
  const auto u = static_cast<unsigned char>(c);
  return u <= 13 ? (u == 9 || u == 10 || u == 13) : u == 92;
}

// True when one of the 8 bytes may need escaping: a byte below 14 or a '\\' (bytes below
// 14 that are not specials are false positives, looked at one by one).
bool word_may_escape(std::uint64_t w) {
  constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  const std::uint64_t b = w ^ (ones * 92);
  return (((w - ones * 14) & ~w) | ((b - ones) & ~b)) & high;
}

char* put_byte(char* p, char c) {
  if (!needs_escape(c)) {
    *p = c;
    return p + 1;
  }
  p[0] = '\\';
  p[1] = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
  return p + 2;
}

// Writes `v` escaped at `p`, which has room for 2 * v.size() bytes; returns the new end.
char* put_escaped(char* p, std::string_view v) {
  const char* s = v.data();
  const char* const end = s + v.size();
  bool clean = false;  // the last word went out as it came
  for (; end - s >= 8; s += 8) {
    std::uint64_t w;
    std::memcpy(&w, s, 8);
    clean = !word_may_escape(w);
    if (clean) {
      std::memcpy(p, &w, 8);
      p += 8;
      continue;
    }
    for (int k = 0; k < 8; ++k) p = put_byte(p, s[k]);
  }
  if (s != end && clean) {
    // The last 8 bytes overlap the clean word just written: if they need no escaping
    // either, one store rewrites that word's end unchanged and adds the tail.
    std::uint64_t w;
    std::memcpy(&w, end - 8, 8);
    if (!word_may_escape(w)) {
      const std::size_t tail = static_cast<std::size_t>(end - s);
      std::memcpy(p + tail - 8, &w, 8);
      return p + tail;
    }
  }
  for (; s != end; ++s) p = put_byte(p, *s);
  return p;
}

char* put(char* p, std::string_view v) {
  std::memcpy(p, v.data(), v.size());
  return p + v.size();
}

template <class T>
char* put_number(char* p, T v) {
  return std::to_chars(p, p + 24, v).ptr;  // the caller counted 24 bytes for it
}

std::string unescape(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      char n = v[++i];
      out += n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n;
    } else {
      out += v[i];
    }
  }
  return out;
}

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    auto tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  return out;
}

template <class T>
bool to_number(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string_view rcpt_state_name(RcptState s) {
  switch (s) {
    case RcptState::Pending: return "pending";
    case RcptState::Delivered: return "delivered";
    case RcptState::Failed: return "failed";
  }
  return "pending";
}

}  // namespace

std::string_view queue_state_name(QueueState s) {
  switch (s) {
    case QueueState::Incoming: return "incoming";
    case QueueState::Active: return "active";
    case QueueState::Deferred: return "deferred";
    case QueueState::Hold: return "hold";
  }
  return "incoming";
}

bool QueueFile::done() const {
  return std::none_of(rcpts.begin(), rcpts.end(),
                      [](const QueueRecipient& r) { return r.state == RcptState::Pending; });
}

namespace {
// "queue/<dir>/<id>" into `buf`: one resize (no allocation once `buf` has grown), copies.
const std::string& queue_path(std::string_view dir, std::string_view id, std::string& buf) {
  buf.resize(6 + dir.size() + 1 + id.size());
  char* p = buf.data();
  std::memcpy(p, "queue/", 6);
  std::memcpy(p + 6, dir.data(), dir.size());
  p[6 + dir.size()] = '/';
  std::memcpy(p + 7 + dir.size(), id.data(), id.size());
  return buf;
}
}  // namespace

const std::string& QueueFile::content_path(std::string_view id, std::string& buf) {
  return queue_path("msg", id, buf);
}
const std::string& QueueFile::envelope_path(QueueState s, std::string_view id, std::string& buf) {
  return queue_path(queue_state_name(s), id, buf);
}
std::string QueueFile::content_path(std::string_view id) {
  std::string out;
  out.reserve(16 + id.size());
  content_path(id, out);
  return out;
}
std::string QueueFile::envelope_path(QueueState s, std::string_view id) {
  std::string out;
  out.reserve(16 + id.size());
  envelope_path(s, id, out);
  return out;
}
std::string QueueFile::envelope_path() const { return envelope_path(state, id); }

std::string QueueFile::serialize() const {
  // Room for the worst case: fixed text (keys, tabs, state names: under 256 bytes, and 32
  // per recipient and 26 for its NOTIFY), three numbers of at most 24 bytes, every value
  // byte escaped.
  std::size_t values = id.size() + sender.size() + envid.size() + subject.size() +
                       message_id.size() + client.size() + folder.size();
  std::size_t bound = 256 + 3 * 24;
  for (const auto& r : rcpts) {
    values += r.address.size() + r.original.size() + r.status.size() + r.diagnostic.size() +
              r.remote_mta.size() + r.orcpt.size();
    bound += 32 + 26;
  }
  bound += 2 * values;
  char stack[1024];
  std::string heap;
  if (bound > sizeof stack) heap.resize(bound);
  char* const begin = bound > sizeof stack ? heap.data() : stack;
  char* p = begin;
  // Keys are given with their tab ("id\t").
  auto field = [&p](std::string_view key_tab, std::string_view v) {
    p = put(p, key_tab);
    p = put_escaped(p, v);
    *p++ = '\n';
  };
  auto number = [&p](std::string_view key_tab, auto v) {
    p = put(p, key_tab);
    p = put_number(p, v);
    *p++ = '\n';
  };
  field("id\t", id);
  p = put(p, "state\t");
  p = put(p, queue_state_name(state));  // never needs escaping
  *p++ = '\n';
  number("arrival\t", arrival);
  field("sender\t", sender);
  field("envid\t", envid);
  p = put(p, ret_headers ? "ret\tHDRS\n" : "ret\tFULL\n");
  if (smtputf8) p = put(p, "smtputf8\t1\n");  // only when set: older envelopes stay as they were
  field("subject\t", subject);
  field("msgid\t", message_id);
  field("client\t", client);
  if (!folder.empty()) field("folder\t", folder);  // absent for the inbox
  number("attempts\t", attempts);
  number("next\t", next_attempt);
  p = put(p, warned ? "warned\t1\n" : "warned\t0\n");
  for (const auto& r : rcpts) {
    p = put(p, "rcpt\t");
    p = put_escaped(p, r.address);
    *p++ = '\t';
    p = put_escaped(p, r.original);
    *p++ = '\t';
    p = put(p, rcpt_state_name(r.state));
    *p++ = '\t';
    p = put_escaped(p, r.status);
    *p++ = '\t';
    p = put_escaped(p, r.diagnostic);
    *p++ = '\t';
    p = put_escaped(p, r.remote_mta);
    p = put(p, r.reported ? "\t1" : "\t0");
    if (r.notify != 0 || !r.orcpt.empty()) {  // only then: older envelopes stay as they were
      *p++ = '\t';
      p = put_number(p, r.notify);
      *p++ = '\t';
      p = put_escaped(p, r.orcpt);
    }
    *p++ = '\n';
  }
  return std::string(begin, p);
}

std::optional<QueueFile> QueueFile::parse(std::string_view text) {
  QueueFile q;
  bool have_id = false;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty()) continue;
    auto f = split_tabs(line);
    const std::string_view key = f[0];
    std::string value = f.size() > 1 ? unescape(f[1]) : std::string();
    if (key == "rcpt") {
      if (f.size() != 8 && f.size() != 10) return std::nullopt;
      QueueRecipient r;
      r.address = unescape(f[1]);
      r.original = unescape(f[2]);
      r.state = f[3] == "delivered" ? RcptState::Delivered
                : f[3] == "failed"  ? RcptState::Failed
                                    : RcptState::Pending;
      r.status = unescape(f[4]);
      r.diagnostic = unescape(f[5]);
      r.remote_mta = unescape(f[6]);
      r.reported = f[7] == "1";
      if (f.size() == 10) {
        std::string notify = unescape(f[8]);
        if (!to_number(notify, r.notify)) return std::nullopt;
        r.orcpt = unescape(f[9]);
      }
      q.rcpts.push_back(std::move(r));
    } else if (key == "id") {
      q.id = value;
      have_id = true;
    } else if (key == "state") {
      q.state = value == "active"     ? QueueState::Active
                : value == "deferred" ? QueueState::Deferred
                : value == "hold"     ? QueueState::Hold
                                      : QueueState::Incoming;
    } else if (key == "arrival") {
      if (!to_number(value, q.arrival)) return std::nullopt;
    } else if (key == "sender") {
      q.sender = value;
    } else if (key == "envid") {
      q.envid = value;
    } else if (key == "ret") {
      q.ret_headers = value == "HDRS";
    } else if (key == "smtputf8") {
      q.smtputf8 = value == "1";
    } else if (key == "subject") {
      q.subject = value;
    } else if (key == "msgid") {
      q.message_id = value;
    } else if (key == "client") {
      q.client = value;
    } else if (key == "folder") {
      q.folder = value;
    } else if (key == "attempts") {
      if (!to_number(value, q.attempts)) return std::nullopt;
    } else if (key == "next") {
      if (!to_number(value, q.next_attempt)) return std::nullopt;
    } else if (key == "warned") {
      q.warned = value == "1";
    }
  }
  if (!have_id) return std::nullopt;
  return q;
}

}  // namespace maillab::mta
