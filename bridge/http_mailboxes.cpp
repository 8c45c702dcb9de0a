#include "bridge/http_mailboxes.hpp"

#include "base/json.hpp"
#include "protocols/message/encoded_word.hpp"
#include "protocols/message/hash.hpp"
#include "protocols/message/message.hpp"

namespace maillab::bridge {

namespace {

// By hand, not std::views::split: clang 14 with GCC 12's <ranges> cannot compile that.
std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> out;
  if (path.empty()) return out;
  std::size_t from = 0;
  for (std::size_t slash; (slash = path.find('/', from)) != std::string::npos; from = slash + 1)
    out.push_back(path.substr(from, slash - from));
  out.push_back(path.substr(from));
  return out;
}

// The Maildir info suffix ":2,FLAGS" as IMAP flag names (maildir(5), RFC 3501 2.3.2).
std::vector<std::string> maildir_flags(const std::string& name) {
  std::vector<std::string> out;
  const std::size_t at = name.rfind(":2,");
  if (at == std::string::npos) return out;
  for (char c : name.substr(at + 3)) {
    switch (c) {
      case 'D': out.push_back("\\Draft"); break;
      case 'F': out.push_back("\\Flagged"); break;
      case 'R': out.push_back("\\Answered"); break;
      case 'S': out.push_back("\\Seen"); break;
      case 'T': out.push_back("\\Deleted"); break;
      default: break;
    }
  }
  return out;
}

std::string id_of(const std::string& host, const std::string& path, std::size_t offset) {
  return message::hex64(message::fnv1a(host + '\0' + path + '\0' + std::to_string(offset)));
}

}  // namespace

void add_mbox(const std::string& host, const std::string& user, const std::string& path, const std::string& text,
              std::vector<StoredMessage>& out) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    // A message starts after its "From " line and runs to the next "\nFrom " line.
    const std::size_t body = text.find('\n', pos);
    if (body == std::string::npos) break;
    std::size_t next = text.find("\nFrom ", body);
    const std::size_t end = next == std::string::npos ? text.size() : next + 1;
    StoredMessage m{id_of(host, path, pos), host, user, "INBOX", path, {}, body + 1, end - body - 1};
    out.push_back(std::move(m));
    pos = end;
  }
}

std::optional<StoredMessage> maildir_message(const std::string& host, const std::string& path) {
  const std::vector<std::string> parts = split(path);
  std::string folder;
  if (parts.size() == 4 && (parts[2] == "new" || parts[2] == "cur")) {
    folder = "INBOX";
  } else if (parts.size() == 5 && parts[2].size() > 1 && parts[2][0] == '.' &&
             (parts[3] == "new" || parts[3] == "cur")) {
    folder = parts[2].substr(1);
  } else {
    return std::nullopt;
  }
  return StoredMessage{id_of(host, path, 0), host, parts[1], folder, path, maildir_flags(parts.back())};
}

std::string mbox_path(const std::string& user) { return "mail/" + user + ".mbox"; }

std::vector<StoredMessage> list_messages(const scenario::World& world) {
  std::vector<StoredMessage> out;
  for (const auto& [host, node] : world.hosts()) {
    if (!node->spec->mta && !node->spec->pop3) continue;
    const io::Disk& disk = node->disk;
    if (world.mailbox_kind(host) == "mbox") {
      for (const auto& [user, u] : node->spec->users) {
        const std::string path = mbox_path(user);
        if (io::Bytes bytes = disk.read(path)) add_mbox(host, user, path, *bytes, out);
      }
      continue;
    }
    for (const std::string& path : disk.list("mail/"))
      if (std::optional<StoredMessage> m = maildir_message(host, path)) out.push_back(std::move(*m));
  }
  return out;
}

io::Bytes message_file(const scenario::World& world, const StoredMessage& m) {
  auto it = world.hosts().find(m.host);
  if (it == world.hosts().end()) return nullptr;
  io::Bytes bytes = it->second->disk.read(m.path);
  if (!bytes || m.offset > bytes->size()) return nullptr;
  return bytes;
}

std::string_view message_view(const StoredMessage& m, const std::string& file) {
  return std::string_view(file).substr(m.offset, m.length);
}

std::size_t empty_mailboxes(scenario::World& world) {
  std::size_t removed = 0;
  std::vector<StoredMessage> all = list_messages(world);
  for (const StoredMessage& m : all) {
    scenario::HostNode* node = world.host(m.host);
    if (!node) continue;
    io::Disk& disk = node->service_disk ? *node->service_disk : static_cast<io::Disk&>(node->disk);
    if (m.path.ends_with(".mbox")) {
      disk.write(m.path, std::make_shared<const std::string>());  // the same file each time
      ++removed;
    } else if (disk.remove(m.path)) {
      ++removed;
    }
  }
  return removed;
}

std::string message_json(const StoredMessage& m, std::string_view bytes) {
  const message::MessageView view = message::MessageView::parse(bytes);
  auto field = [&](std::string_view name) { return message::decode_rfc2047(view.header(name).value_or("")); };
  std::string flags = "[";
  for (const std::string& f : m.flags) flags += (flags.size() > 1 ? "," : "") + base::json_quote(f);
  flags += "]";
  return "{\"id\":" + base::json_quote(m.id) + ",\"host\":" + base::json_quote(m.host) +
         ",\"user\":" + base::json_quote(m.user) + ",\"folder\":" + base::json_quote(m.folder) +
         ",\"from\":" + base::json_quote(field("From")) + ",\"to\":" + base::json_quote(field("To")) +
         ",\"subject\":" + base::json_quote(field("Subject")) +
         ",\"message_id\":" + base::json_quote(view.header("Message-ID").value_or("")) +
         ",\"date\":" + base::json_quote(view.header("Date").value_or("")) +
         ",\"size\":" + std::to_string(bytes.size()) + ",\"flags\":" + flags + "}";
}

}  // namespace maillab::bridge
