#include "bridge/message_cache.hpp"

#include <algorithm>

#include "protocols/message/encoded_word.hpp"
#include "protocols/message/message.hpp"

namespace maillab::bridge {

void MessageCache::refresh(scenario::World& world) {
  for (const auto& [name, node] : world.hosts()) {
    if (!node->spec->mta && !node->spec->pop3) continue;
    io::MemoryDisk& disk = node->disk;
    Host& host = hosts_[name];
    if (host.built && host.version == disk.version()) continue;
    host.node = node.get();
    host.mbox = world.mailbox_kind(name) == "mbox";
    // From the first look on, the disk keeps a journal of what changes under mail/.
    disk.keep_changes(kJournal, "mail/");
    const auto changed = host.built ? disk.changes_since(host.version) : std::nullopt;
    if (!changed) {
      rebuild(name, host);
    } else {
      std::vector<std::string> keys;
      for (const std::string& path : *changed) {
        if (!host.mbox) {
          keys.push_back(path);
        } else if (path.ends_with(".mbox") && host.node->spec->users.count(path.substr(5, path.size() - 10))) {
          keys.push_back(path.substr(5, path.size() - 10));
        }
      }
      std::sort(keys.begin(), keys.end());
      keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
      for (const std::string& key : keys) {
        auto it = host.files.find(key);
        File old;
        if (it != host.files.end()) {
          old = std::move(it->second);
          host.files.erase(it);
        }
        load(name, host, key, std::move(old));
      }
    }
    host.version = disk.version();
    host.built = true;
    all_json_valid_ = false;
  }
}

void MessageCache::rebuild(const std::string& name, Host& host) {
  std::map<std::string, File> old = std::move(host.files);
  host.files.clear();
  for (auto& [key, file] : old)
    for (const Entry& e : file.messages) index_.erase(e.message.id);
  auto reuse = [&](const std::string& key) {
    auto it = old.find(key);
    return it == old.end() ? File{} : std::move(it->second);
  };
  if (host.mbox) {
    for (const auto& [user, u] : host.node->spec->users) load(name, host, user, reuse(user));
  } else {
    for (const std::string& path : host.node->disk.list("mail/")) load(name, host, path, reuse(path));
  }
}

void MessageCache::load(const std::string& name, Host& host, const std::string& key, File old) {
  for (const Entry& e : old.messages) {
    auto at = index_.find(e.message.id);
    if (at != index_.end() && at->second == &e) index_.erase(at);
  }
  const std::string path = host.mbox ? mbox_path(key) : key;
  const io::Bytes bytes = host.node->disk.read(path);
  if (!bytes) return;
  File file;
  if (!old.messages.empty() && old.bytes.lock() == bytes) {
    file = std::move(old);
  } else {
    std::vector<StoredMessage> messages;
    if (host.mbox) {
      add_mbox(name, key, path, *bytes, messages);
    } else if (std::optional<StoredMessage> m = maildir_message(name, path)) {
      messages.push_back(std::move(*m));
    }
    if (messages.empty()) return;
    file.bytes = bytes;
    for (StoredMessage& m : messages) file.messages.push_back({std::move(m), {}, {}});
  }
  const File& at = host.files.emplace(key, std::move(file)).first->second;
  for (const Entry& e : at.messages) index_.emplace(e.message.id, &e);
}

void MessageCache::make(const Host& host, File& file) {
  io::Bytes bytes;
  for (Entry& e : file.messages) {
    if (!e.json.empty()) continue;
    if (!bytes) bytes = host.node->disk.read(e.message.path);
    const std::string_view text = message_view(e.message, *bytes);
    e.json = message_json(e.message, text);
    e.subject = message::decode_rfc2047(message::MessageView::parse(text).header("Subject").value_or(""));
  }
}

std::string MessageCache::json(scenario::World& world, const MessageFilter& filter) {
  refresh(world);
  std::string out = "[";
  for (auto& [name, host] : hosts_) {
    if (filter.host && name != *filter.host) continue;
    for (auto& [key, file] : host.files) {
      bool made = false;
      for (const Entry& e : file.messages) {
        const StoredMessage& m = e.message;
        if ((filter.user && m.user != *filter.user) || (filter.folder && m.folder != *filter.folder)) continue;
        if (!made) make(host, file);
        made = true;
        if (filter.subject && e.subject.find(*filter.subject) == std::string::npos) continue;
        if (out.size() > 1) out += ',';
        out += e.json;
      }
    }
  }
  out += ']';
  return out;
}

const std::string& MessageCache::all_json(scenario::World& world) {
  refresh(world);
  if (all_json_valid_) return all_json_;
  std::size_t size = 2;
  for (auto& [name, host] : hosts_)
    for (auto& [key, file] : host.files) {
      make(host, file);
      for (const Entry& e : file.messages) size += e.json.size() + 1;
    }
  all_json_.clear();
  all_json_.reserve(size);
  all_json_ += '[';
  for (const auto& [name, host] : hosts_)
    for (const auto& [key, file] : host.files)
      for (const Entry& e : file.messages) {
        if (all_json_.size() > 1) all_json_ += ',';
        all_json_ += e.json;
      }
  all_json_ += ']';
  all_json_valid_ = true;
  return all_json_;
}

const StoredMessage* MessageCache::find(scenario::World& world, const std::string& id) {
  refresh(world);
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &it->second->message;
}

}  // namespace maillab::bridge
