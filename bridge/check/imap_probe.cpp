// ImapLine (tagged commands with synchronising literals, IDLE) and ImapValue parsing.
#include "bridge/check/imap_probe.hpp"

#include <cctype>

#include "bridge/check/tls_probe.hpp"
#include "protocols/imap/wire_format.hpp"
#include "protocols/message/ascii.hpp"

namespace maillab::check {

namespace {

const ImapValue kNil;

}  // namespace

ImapCommand& ImapCommand::text(std::string_view s) {
  chunks_.back() += s;
  return *this;
}

ImapCommand& ImapCommand::astring(std::string_view s) {
  if (imap::needs_literal(s, false)) return literal(s);
  imap::append_astring(chunks_.back(), s, false);
  return *this;
}

ImapCommand& ImapCommand::literal(std::string_view s) {
  chunks_.back() += "{" + std::to_string(s.size()) + "}\r\n";
  chunks_.emplace_back(s);
  return *this;
}

const std::string* ImapReply::find(std::string_view word) const {
  for (const auto& u : untagged)
    if (message::istarts_with(u, word) && (u.size() == word.size() || u[word.size()] == ' ')) return &u;
  return nullptr;
}

std::optional<std::uint32_t> ImapReply::number_of(std::string_view word) const {
  for (const auto& u : untagged) {
    std::size_t i = 0;
    std::uint64_t n = 0;
    while (i < u.size() && i < 10 && std::isdigit(static_cast<unsigned char>(u[i]))) n = n * 10 + static_cast<unsigned>(u[i++] - '0');
    if (i == 0 || i >= u.size() || u[i] != ' ' || n > 0xffffffffu) continue;
    std::string_view rest = std::string_view(u).substr(i + 1);
    if (message::istarts_with(rest, word) && (rest.size() == word.size() || rest[word.size()] == ' '))
      return static_cast<std::uint32_t>(n);
  }
  return std::nullopt;
}

bool ImapLine::open() {
  reader_.clear();
  if (!open_stream(stream_, url_, timeout_, &error_)) return false;
  auto g = next_response(timeout_);
  if (!g) return false;
  greeting_ = *g;
  if (!wants_starttls(url_)) return true;
  // RFC 9051 6.2.1: STARTTLS when CAPABILITY lists it (--starttls: required).
  auto caps = command("CAPABILITY");
  if (!caps) return false;
  const std::string* list = caps->find("CAPABILITY");
  const bool offered = list && (" " + message::ascii_upper(*list) + " ").find(" STARTTLS ") != std::string::npos;
  auto ask = [this]() -> std::optional<std::string> {
    auto go = command("STARTTLS");
    if (!go) return std::nullopt;
    reader_.clear();
    return go->ok() ? std::string() : go->tagged;
  };
  return upgrade(stream_, url_, timeout_, "STARTTLS", offered, ask, &error_) != Upgrade::Failed;
}

bool ImapLine::send(std::string_view data) {
  if (!stream_.is_open()) {
    error_ = "not connected";
    return false;
  }
  if (stream_.send(data)) return true;
  error_ = stream_.error();
  stream_.close();
  return false;
}

std::optional<std::string> ImapLine::next_response(std::chrono::milliseconds timeout) {
  for (;;) {
    if (auto item = reader_.next()) {
      if (item->error) {
        error_ = "the server broke the response framing (a line or literal over the limits)";
        stream_.close();
        return std::nullopt;
      }
      return std::move(item->text);
    }
    if (!stream_.is_open()) {
      if (error_.empty()) error_ = "not connected";
      return std::nullopt;
    }
    std::string in;
    const ReadStatus st = stream_.read(in, timeout);
    if (st != ReadStatus::Data) {
      error_ = st == ReadStatus::Timeout ? "no reply: timed out" : "no reply: " + stream_.error();
      if (st == ReadStatus::Eof) error_ = "no reply: the server closed the connection";
      if (st != ReadStatus::Timeout) stream_.close();
      return std::nullopt;
    }
    reader_.feed(in);
  }
}

bool ImapLine::take(const std::string& r, ImapReply& reply) {
  if (r.size() <= tag_.size() || r.compare(0, tag_.size() + 1, tag_ + " ") != 0) return false;
  reply.tagged = r.substr(tag_.size() + 1);
  reply.status = reply.tagged.substr(0, reply.tagged.find(' '));
  message::upper_in_place(reply.status);
  return true;
}

ImapLine::Next ImapLine::read_until(ImapReply& reply, bool stop_at_continuation) {
  for (;;) {
    auto r = next_response(timeout_);
    if (!r) return Next::Failed;
    if (r->rfind("* ", 0) == 0) {
      reply.untagged.push_back(r->substr(2));
      continue;
    }
    if (!r->empty() && (*r)[0] == '+') {
      ++reply.continuations;
      if (stop_at_continuation) return Next::Continuation;
      continue;
    }
    if (take(*r, reply)) return Next::Tagged;
    error_ = "a response with another tag: " + *r;
    return Next::Failed;
  }
}

std::optional<ImapReply> ImapLine::finish(ImapReply reply) {
  if (read_until(reply, false) != Next::Tagged) return std::nullopt;
  return reply;
}

std::optional<ImapReply> ImapLine::command(const ImapCommand& command) {
  tag_ = "c" + std::to_string(next_tag_++);
  const auto& chunks = command.chunks();
  ImapReply reply;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const bool last = i + 1 == chunks.size();
    std::string data = i == 0 ? tag_ + " " + chunks[i] : chunks[i];
    if (last) data += "\r\n";
    if (!send(data)) return std::nullopt;
    if (last) break;
    // A synchronising literal: wait for "+" (a tagged reply ends the command).
    switch (read_until(reply, true)) {
      case Next::Continuation: break;
      case Next::Tagged: return reply;
      case Next::Failed: return std::nullopt;
    }
  }
  return finish(std::move(reply));
}

bool ImapLine::idle_start() {
  tag_ = "c" + std::to_string(next_tag_++);
  if (!send(tag_ + " IDLE\r\n")) return false;
  for (;;) {
    auto r = next_response(timeout_);
    if (!r) return false;
    if (!r->empty() && (*r)[0] == '+') return true;
    if (r->rfind("* ", 0) != 0) {
      error_ = *r;
      return false;
    }
  }
}

std::optional<std::string> ImapLine::wait_untagged(std::chrono::milliseconds timeout) {
  auto r = next_response(timeout);
  if (!r) return std::nullopt;
  if (r->rfind("* ", 0) == 0) return r->substr(2);
  return *r;
}

std::optional<ImapReply> ImapLine::idle_done() {
  if (!send("DONE\r\n")) return std::nullopt;
  return finish(ImapReply{});
}

const ImapValue& ImapValue::at(std::size_t i) const { return i < items.size() ? items[i] : kNil; }

bool ImapValue::is(std::string_view s) const {
  return (kind == Kind::Atom || kind == Kind::String) && message::iequals(text, s);
}

std::optional<ImapValue> parse_imap_value(std::string_view text, std::size_t& pos) {
  // Depth-first with an explicit stack: a hostile response cannot exhaust the C++ stack.
  std::vector<ImapValue> stack;
  auto skip_sp = [&] {
    while (pos < text.size() && text[pos] == ' ') ++pos;
  };
  for (;;) {
    skip_sp();
    if (pos >= text.size()) return std::nullopt;
    ImapValue v;
    const char c = text[pos];
    if (c == '(') {
      if (stack.size() > 64) return std::nullopt;
      ++pos;
      stack.push_back(ImapValue{ImapValue::Kind::List, {}, {}});
      continue;
    }
    if (c == ')') {
      if (stack.empty()) return std::nullopt;
      ++pos;
      v = std::move(stack.back());
      stack.pop_back();
    } else if (c == '"') {
      v.kind = ImapValue::Kind::String;
      ++pos;
      while (pos < text.size() && text[pos] != '"') {
        if (text[pos] == '\\' && pos + 1 < text.size()) ++pos;
        v.text += text[pos++];
      }
      if (pos >= text.size()) return std::nullopt;
      ++pos;
    } else if (c == '{' || (c == '~' && pos + 1 < text.size() && text[pos + 1] == '{')) {
      pos += c == '~' ? 2 : 1;
      std::size_t n = 0, digits = 0;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) && digits < 12)
        n = n * 10 + static_cast<std::size_t>(text[pos++] - '0'), ++digits;
      if (pos < text.size() && text[pos] == '+') ++pos;
      if (digits == 0 || text.substr(pos, 3) != "}\r\n" || text.size() - pos - 3 < n) return std::nullopt;
      pos += 3;
      v.kind = ImapValue::Kind::String;
      v.text = std::string(text.substr(pos, n));
      pos += n;
    } else {
      const std::size_t start = pos;
      while (pos < text.size() && text[pos] != ' ' && text[pos] != '(' && text[pos] != ')') {
        if (text[pos] == '[') {  // a section "BODY[HEADER.FIELDS (A B)]" is one atom
          while (pos < text.size() && text[pos] != ']') ++pos;
          if (pos >= text.size()) return std::nullopt;
        }
        ++pos;
      }
      v.text = std::string(text.substr(start, pos - start));
      v.kind = message::iequals(v.text, "NIL") ? ImapValue::Kind::Nil : ImapValue::Kind::Atom;
      if (v.kind == ImapValue::Kind::Nil) v.text.clear();
    }
    if (stack.empty()) return v;
    stack.back().items.push_back(std::move(v));
  }
}

std::optional<ImapValue> fetch_attribute(std::string_view fetch_response, std::string_view name) {
  const auto open = fetch_response.find('(');
  if (open == std::string_view::npos) return std::nullopt;
  std::size_t pos = open;
  auto list = parse_imap_value(fetch_response, pos);
  if (!list || list->kind != ImapValue::Kind::List) return std::nullopt;
  for (std::size_t i = 0; i + 1 < list->items.size(); i += 2)
    if (list->items[i].is(name)) return list->items[i + 1];
  return std::nullopt;
}

}  // namespace maillab::check
