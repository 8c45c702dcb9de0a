#include "protocols/mda/mbox_store.hpp"
#include "protocols/message/hash.hpp"

#include <cstdio>
#include <map>

#include "protocols/message/date.hpp"
#include "protocols/message/line_endings.hpp"

namespace maillab::mda {
namespace {

constexpr std::string_view kSuffix = ".mbox";

bool quoted_from(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] == '>') ++i;
  return line.compare(i, 5, "From ") == 0;
}

template <typename LineFn>
void for_each_line(std::string_view text, LineFn fn) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    fn(text.substr(pos, end - pos), pos);
    pos = end;
  }
}

using message::fnv1a;
using message::hex64;

}  // namespace

MboxStore::MboxStore(io::Disk& disk, std::string root) : disk_(disk), root_(std::move(root)) {
  if (!root_.empty() && root_.back() != '/') root_ += '/';
}

std::string MboxStore::path(const std::string& user) const { return root_ + user + std::string(kSuffix); }

std::string MboxStore::from_line(std::string_view sender, int64_t sim_ns) {
  std::string who;
  for (char c : sender) who += (c == ' ' || c == '\t' || c == '\r' || c == '\n') ? '_' : c;
  if (who.empty()) who = "MAILER-DAEMON";
  return "From " + who + " " + message::mbox_date(sim_ns) + "\n";
}

std::string MboxStore::quote(std::string_view lf_text) {
  std::string out;
  out.reserve(lf_text.size());
  for_each_line(lf_text, [&](std::string_view line, std::size_t) {
    if (quoted_from(line)) out += '>';
    out.append(line);
  });
  return out;
}

std::string MboxStore::unquote(std::string_view lf_text) {
  std::string out;
  out.reserve(lf_text.size());
  for_each_line(lf_text, [&](std::string_view line, std::size_t) {
    if (!line.empty() && line.front() == '>' && quoted_from(line)) line.remove_prefix(1);
    out.append(line);
  });
  return out;
}

std::vector<MboxStore::Entry> MboxStore::split(std::string_view mbox) {
  std::vector<Entry> entries;
  std::vector<std::size_t> starts;
  for_each_line(mbox, [&](std::string_view line, std::size_t pos) {
    if (line.compare(0, 5, "From ") == 0) starts.push_back(pos);
  });
  std::map<std::string, int> seen;
  for (std::size_t i = 0; i < starts.size(); ++i) {
    Entry e;
    e.begin = starts[i];
    e.end = i + 1 < starts.size() ? starts[i + 1] : mbox.size();
    std::string_view raw = mbox.substr(e.begin, e.end - e.begin);
    std::size_t nl = raw.find('\n');
    std::string_view body = nl == std::string_view::npos ? std::string_view() : raw.substr(nl + 1);
    // The empty line that ends every message belongs to the mbox, not to the message.
    if (body.size() >= 2 && body.substr(body.size() - 2) == "\n\n") body.remove_suffix(1);
    else if (body == "\n") body = {};
    std::string id = hex64(fnv1a(raw));
    int n = ++seen[id];
    if (n > 1) id += "." + std::to_string(n);
    auto content = io::make_bytes(message::lf_to_crlf(unquote(body)));
    e.message.id = std::move(id);
    e.message.size = content->size();
    e.message.content = std::move(content);
    entries.push_back(std::move(e));
  }
  return entries;
}

DeliveryStatus MboxStore::deliver(const Delivery& d) {
  if (!valid_user_name(d.user) || !valid_delivery_folder(d.folder)) return DeliveryStatus::Error;
  const auto parsed = message::MessageView::parse(*d.content);  // one parse for both
  if (already_delivered_to(parsed, d.recipient)) return DeliveryStatus::Loop;
  std::string entry = from_line(d.envelope_sender, d.sim_ns);
  entry += quote(message::crlf_to_lf(delivered_content(d, parsed)));
  if (entry.back() != '\n') entry += '\n';
  entry += '\n';
  // A folder is ROOT/<user>/<folder> (Dovecot's mbox:~/mail layout); the inbox ROOT/<user>.mbox.
  const std::string file = d.folder.empty() ? path(d.user) : root_ + d.user + "/" + d.folder;
  return disk_.append(file, entry) ? DeliveryStatus::Ok : DeliveryStatus::DiskFull;
}

std::vector<StoredMessage> MboxStore::list(const std::string& user) const {
  std::vector<StoredMessage> out;
  if (!valid_user_name(user)) return out;
  io::Bytes data = disk_.read(path(user));
  if (!data) return out;
  for (auto& e : split(*data)) out.push_back(std::move(e.message));
  return out;
}

bool MboxStore::remove(const std::string& user, const std::string& id) {
  if (!valid_user_name(user)) return false;
  const std::string file = path(user);
  io::Bytes data = disk_.read(file);
  if (!data) return false;
  for (const auto& e : split(*data)) {
    if (e.message.id != id) continue;
    std::string rest = data->substr(0, e.begin) + data->substr(e.end);
    if (rest.empty()) return disk_.remove(file);
    return disk_.write(file, io::make_bytes(std::move(rest)));
  }
  return false;
}

std::vector<std::string> MboxStore::users() const {
  std::vector<std::string> out;
  for (const auto& p : disk_.list(root_)) {
    std::string_view rest = std::string_view(p).substr(root_.size());
    if (rest.size() <= kSuffix.size() || rest.find('/') != std::string_view::npos) continue;
    if (rest.substr(rest.size() - kSuffix.size()) != kSuffix) continue;
    io::Bytes data = disk_.read(p);
    if (!data || data->empty()) continue;
    out.emplace_back(rest.substr(0, rest.size() - kSuffix.size()));
  }
  return out;
}

}  // namespace maillab::mda
