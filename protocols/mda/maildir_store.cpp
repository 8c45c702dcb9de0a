#include "protocols/mda/maildir_store.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "protocols/message/date.hpp"
#include "protocols/message/line_endings.hpp"

namespace maillab::mda {
namespace {

std::string normalise_root(std::string root) {
  if (!root.empty() && root.back() != '/') root += '/';
  return root;
}

std::string base_name(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string id_of(std::string_view name) { return std::string(name.substr(0, name.find(':'))); }

// (secs, usecs, Q, P) parsed from a name; unparsable parts sort last.
using SortKey = std::tuple<uint64_t, uint64_t, uint64_t, uint64_t, std::string>;
SortKey sort_key(const std::string& name) {
  auto number_after = [&](std::size_t from, char tag) -> uint64_t {
    std::size_t at = tag == 0 ? from : name.find(tag, from);
    if (at == std::string::npos) return UINT64_MAX;
    if (tag != 0) ++at;
    uint64_t v = 0;
    std::size_t i = at;
    for (; i < name.size() && name[i] >= '0' && name[i] <= '9' && i - at < 19; ++i) v = v * 10 + uint64_t(name[i] - '0');
    return i == at ? UINT64_MAX : v;
  };
  std::size_t dot = name.find('.');
  if (dot == std::string::npos) return {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, name};
  return {number_after(0, 0), number_after(dot, 'M'), number_after(dot, 'Q'), number_after(dot, 'P'), name};
}

}  // namespace

MaildirStore::MaildirStore(io::Disk& disk, std::string root) : disk_(disk), root_(normalise_root(std::move(root))) {}

std::string MaildirStore::folder(const std::string& user, std::string_view sub) const {
  return root_ + user + "/" + std::string(sub) + "/";
}

std::string MaildirStore::file_name(int64_t sim_ns, uint64_t seq, uint64_t unique, std::string_view host,
                                    std::size_t size, std::size_t vsize) {
  const int64_t secs = message::unix_seconds(sim_ns);
  const int64_t usecs = (sim_ns - (secs - message::kEpochUnixSeconds) * message::kNanosPerSecond) / 1000;
  std::string h;
  for (char c : host) {
    if (c == '/') h += "\\057";
    else if (c == ':') h += "\\072";
    else h += c;
  }
  if (h.empty()) h = "localhost";
  return std::to_string(secs) + ".M" + std::to_string(usecs) + "P" + std::to_string(seq) + "Q" +
         std::to_string(unique) + "." + h + ",S=" + std::to_string(size) + ",W=" + std::to_string(vsize);
}

bool MaildirStore::name_taken(const std::string& user, const std::string& name) const {
  if (disk_.exists(folder(user, "tmp") + name) || disk_.exists(folder(user, "new") + name)) return true;
  for (const auto& path : disk_.list(folder(user, "cur") + name))
    if (id_of(base_name(path)) == name) return true;
  return false;
}

DeliveryStatus MaildirStore::deliver(const Delivery& d) {
  if (!valid_user_name(d.user) || !valid_delivery_folder(d.folder)) return DeliveryStatus::Error;
  // A folder is a Maildir++ folder (ROOT/<user>/.<folder>/, with its marker file).
  const std::string box = d.folder.empty() ? d.user : d.user + "/." + d.folder;
  if (!d.folder.empty() && !disk_.exists(root_ + box + "/maildirfolder") &&
      !disk_.write(root_ + box + "/maildirfolder", std::string_view()))
    return DeliveryStatus::DiskFull;
  const auto parsed = message::MessageView::parse(*d.content);  // one parse for both
  if (already_delivered_to(parsed, d.recipient)) return DeliveryStatus::Loop;
  const std::string lf = message::crlf_to_lf(delivered_content(d, parsed));
  const std::size_t vsize = message::lf_to_crlf(lf).size();
  std::string name;
  // The Maildir spec's "if the tmp file exists, try again": a new sequence number.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    name = file_name(d.sim_ns, ++seq_, d.unique, d.hostname, lf.size(), vsize);
    if (!name_taken(box, name)) break;
    name.clear();
  }
  if (name.empty()) return DeliveryStatus::Error;
  const std::string tmp = folder(box, "tmp") + name;
  if (!disk_.write(tmp, std::string_view(lf))) {
    disk_.remove(tmp);
    return DeliveryStatus::DiskFull;
  }
  if (!disk_.rename(tmp, folder(box, "new") + name)) {
    disk_.remove(tmp);
    return DeliveryStatus::DiskFull;
  }
  return DeliveryStatus::Ok;
}

std::vector<StoredMessage> MaildirStore::list(const std::string& user) const {
  std::vector<StoredMessage> out;
  if (!valid_user_name(user)) return out;
  std::vector<std::pair<SortKey, StoredMessage>> found;
  for (std::string_view sub : {"new", "cur"}) {
    const std::string prefix = folder(user, sub);
    for (const auto& path : disk_.list(prefix)) {
      if (path.find('/', prefix.size()) != std::string::npos) continue;
      io::Bytes data = disk_.read(path);
      if (!data) continue;
      std::string name = base_name(path);
      StoredMessage m;
      m.id = id_of(name);
      auto crlf = io::make_bytes(message::lf_to_crlf(*data));
      m.size = crlf->size();
      m.content = std::move(crlf);
      found.emplace_back(sort_key(name), std::move(m));
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

bool MaildirStore::remove(const std::string& user, const std::string& id) {
  if (!valid_user_name(user) || id.empty()) return false;
  for (std::string_view sub : {"new", "cur"}) {
    const std::string prefix = folder(user, sub);
    for (const auto& path : disk_.list(prefix + id)) {
      if (path.find('/', prefix.size()) != std::string::npos) continue;
      if (id_of(base_name(path)) == id) return disk_.remove(path);
    }
  }
  return false;
}

bool MaildirStore::older(const std::string& a, const std::string& b) { return sort_key(a) < sort_key(b); }

std::vector<std::string> MaildirStore::users() const {
  std::set<std::string> names;
  for (const auto& path : disk_.list(root_)) {
    std::string_view rest = std::string_view(path).substr(root_.size());
    std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) continue;
    std::string_view sub = rest.substr(slash + 1);
    if ((sub.rfind("new/", 0) == 0 || sub.rfind("cur/", 0) == 0) && sub.find('/', 4) == std::string_view::npos &&
        sub.size() > 4)
      names.emplace(rest.substr(0, slash));
  }
  return {names.begin(), names.end()};
}

}  // namespace maillab::mda
