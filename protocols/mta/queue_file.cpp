#include "protocols/mta/queue_file.hpp"

#include <algorithm>
#include <charconv>

namespace maillab::mta {
namespace {

// Values are escaped so that a field never contains a tab or a line end. Appends to `out`:
// serialize() runs several times per message per MTA, so no temporary per field.
bool needs_escape(char c) {
  // '\t' 9, '\n' 10, '\r' 13 and '\\' 92: one test for the common byte.
  const auto u = static_cast<unsigned char>(c);
  return u <= 13 ? (u == 9 || u == 10 || u == 13) : u == 92;
}

void append_escaped(std::string& out, std::string_view v) {
  std::size_t run = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (!needs_escape(c)) continue;
    out.append(v.data() + run, i - run);
    out += '\\';
    out += c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
    run = i + 1;
  }
  out.append(v.data() + run, v.size() - run);
}

template <class T>
void append_number(std::string& out, T v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
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

const char* rcpt_state_name(RcptState s) {
  switch (s) {
    case RcptState::kPending: return "pending";
    case RcptState::kDelivered: return "delivered";
    case RcptState::kFailed: return "failed";
  }
  return "pending";
}

}  // namespace

std::string_view queue_state_name(QueueState s) {
  switch (s) {
    case QueueState::kIncoming: return "incoming";
    case QueueState::kActive: return "active";
    case QueueState::kDeferred: return "deferred";
    case QueueState::kHold: return "hold";
  }
  return "incoming";
}

bool QueueFile::done() const {
  return std::none_of(rcpts.begin(), rcpts.end(),
                      [](const QueueRecipient& r) { return r.state == RcptState::kPending; });
}

std::string QueueFile::content_path(std::string_view id) {
  return "queue/msg/" + std::string(id);
}
std::string QueueFile::envelope_path(QueueState s, std::string_view id) {
  return "queue/" + std::string(queue_state_name(s)) + "/" + std::string(id);
}
std::string QueueFile::envelope_path() const { return envelope_path(state, id); }

std::string QueueFile::serialize() const {
  std::string out;
  std::size_t need = 160 + id.size() + sender.size() + envid.size() + subject.size() +
                     message_id.size() + client.size();
  for (const auto& r : rcpts) {
    need += 32 + r.address.size() + r.original.size() + r.status.size() + r.diagnostic.size() +
            r.remote_mta.size();
  }
  out.reserve(need);
  auto field = [&](std::string_view k, std::string_view v) {
    out.append(k).append(1, '\t');
    append_escaped(out, v);
    out += '\n';
  };
  auto number = [&](std::string_view k, auto v) {
    out.append(k).append(1, '\t');
    append_number(out, v);
    out += '\n';
  };
  field("id", id);
  field("state", queue_state_name(state));
  number("arrival", arrival);
  field("sender", sender);
  field("envid", envid);
  field("ret", ret_headers ? "HDRS" : "FULL");
  field("subject", subject);
  field("msgid", message_id);
  field("client", client);
  number("attempts", attempts);
  number("next", next_attempt);
  field("warned", warned ? "1" : "0");
  for (const auto& r : rcpts) {
    out += "rcpt";
    for (std::string_view v :
         {std::string_view(r.address), std::string_view(r.original),
          std::string_view(rcpt_state_name(r.state)), std::string_view(r.status),
          std::string_view(r.diagnostic), std::string_view(r.remote_mta),
          std::string_view(r.reported ? "1" : "0")}) {
      out += '\t';
      append_escaped(out, v);
    }
    out += '\n';
  }
  return out;
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
      if (f.size() != 8) return std::nullopt;
      QueueRecipient r;
      r.address = unescape(f[1]);
      r.original = unescape(f[2]);
      r.state = f[3] == "delivered" ? RcptState::kDelivered
                : f[3] == "failed"  ? RcptState::kFailed
                                    : RcptState::kPending;
      r.status = unescape(f[4]);
      r.diagnostic = unescape(f[5]);
      r.remote_mta = unescape(f[6]);
      r.reported = f[7] == "1";
      q.rcpts.push_back(std::move(r));
    } else if (key == "id") {
      q.id = value;
      have_id = true;
    } else if (key == "state") {
      q.state = value == "active"     ? QueueState::kActive
                : value == "deferred" ? QueueState::kDeferred
                : value == "hold"     ? QueueState::kHold
                                      : QueueState::kIncoming;
    } else if (key == "arrival") {
      if (!to_number(value, q.arrival)) return std::nullopt;
    } else if (key == "sender") {
      q.sender = value;
    } else if (key == "envid") {
      q.envid = value;
    } else if (key == "ret") {
      q.ret_headers = value == "HDRS";
    } else if (key == "subject") {
      q.subject = value;
    } else if (key == "msgid") {
      q.message_id = value;
    } else if (key == "client") {
      q.client = value;
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
