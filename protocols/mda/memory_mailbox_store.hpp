// MemoryMailboxStore: the mail store (mailbox_store.hpp) held in memory; and the index
// every store works on: MaildirPlusStore derives from it and writes each change through
// to the disk from the protected hooks below, so the rules (UIDs, UIDVALIDITY, flags,
// keywords, recent, renames, notifications) live in one place.
//
// Invariants (besides MailboxStore's):
// - A hook is called before the index changes; when it returns false the operation
//   stops, the index is left as it was (what the hooks already did is undone where it
//   can be) and the caller gets StoreResult::DiskFull.
// - Users are loaded lazily: the first call naming a user asks load_user(); the memory
//   store has nothing to load, so a user exists once ensure_user() (or a create/append)
//   made it.
// - Message contents are kept after the first read (CRLF, shared, never copied per
//   session); keys are Maildir names (maildir_store.hpp file_name()), unique per folder.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocols/mda/mailbox_store.hpp"

namespace maillab::mda {

class MemoryMailboxStore : public MailboxStore {
 public:
  explicit MemoryMailboxStore(std::string hostname = "localhost");

  StoreResult ensure_user(const std::string& user, std::int64_t now_ns) override;
  std::vector<const Folder*> folders(const std::string& user) override;
  const Folder* folder(const std::string& user, std::string_view name) override;
  const Folder* folder_by_id(const std::string& user, std::uint64_t id) override;
  StoreResult create_folder(const std::string& user, std::string_view name, std::int64_t now_ns) override;
  StoreResult delete_folder(const std::string& user, std::string_view name) override;
  StoreResult rename_folder(const std::string& user, std::string_view from, std::string_view to,
                            std::int64_t now_ns) override;
  std::vector<std::string> subscriptions(const std::string& user) override;
  StoreResult set_subscribed(const std::string& user, std::string_view name, bool on) override;
  io::Bytes content(const std::string& user, std::uint64_t folder_id, std::uint32_t uid) override;
  StoreResult append(const std::string& user, std::string_view folder, const AppendRequest& request,
                     std::uint32_t* uid = nullptr) override;
  StoreResult keyword_mask(const std::string& user, std::uint64_t folder_id, const std::vector<std::string>& names,
                           bool define, std::uint32_t* mask) override;
  StoreResult set_flags(const std::string& user, std::uint64_t folder_id, std::uint32_t uid, std::uint8_t flags,
                        std::uint32_t keywords) override;
  StoreResult expunge(const std::string& user, std::uint64_t folder_id, const std::vector<std::uint32_t>& uids) override;
  StoreResult copy(const std::string& user, std::uint64_t folder_id, const std::vector<std::uint32_t>& uids,
                   std::string_view to, std::vector<std::uint32_t>* new_uids) override;
  std::vector<std::uint32_t> claim_recent(const std::string& user, std::uint64_t folder_id) override;

  std::vector<std::string> users() override { return known_users(); }
  // Users the store knows (loaded or created), sorted.
  std::vector<std::string> known_users() const;

 protected:
  struct FolderState {
    Folder folder;
    std::unordered_map<std::uint32_t, io::Bytes> contents;  // CRLF, cached
  };
  struct UserState {
    std::map<std::string, std::unique_ptr<FolderState>> folders;  // by name
    std::vector<std::string> subscriptions;                       // sorted
    std::uint32_t last_uidvalidity = 0;
  };

  // Persistence hooks (all succeed and keep nothing in the memory store).
  // Fills `u` from storage; false when the user has nothing stored.
  virtual bool load_user(const std::string& user, UserState& u);
  virtual bool save_new_folder(const std::string& user, FolderState& f);
  virtual bool remove_folder(const std::string& user, const FolderState& f);
  // Moves f's stored files to the folder named `to` (f.folder.name is still the old one).
  virtual bool move_folder(const std::string& user, const FolderState& f, std::string_view to);
  virtual bool save_message(const std::string& user, FolderState& f, const MailboxMessage& m, const io::Bytes& content);
  virtual bool save_flags(const std::string& user, FolderState& f, const MailboxMessage& before,
                          const MailboxMessage& after);
  virtual bool remove_message(const std::string& user, FolderState& f, const MailboxMessage& m);
  virtual bool save_index(const std::string& user, const FolderState& f);  // UIDs and keywords
  virtual bool save_subscriptions(const std::string& user, const UserState& u);
  virtual bool save_uidvalidity(const std::string& user, const UserState& u);
  virtual void recent_claimed(const std::string& user, FolderState& f, const std::vector<std::uint32_t>& uids);
  virtual io::Bytes load_content(const std::string& user, const FolderState& f, const MailboxMessage& m);

  // For subclasses building the index in load_user().
  std::unique_ptr<FolderState> new_folder_state(std::string name);
  UserState* user_state(const std::string& user, bool create);
  const std::string& hostname() const { return hostname_; }

 private:
  FolderState* find_folder(UserState& u, std::string_view name);
  FolderState* find_folder(UserState& u, std::uint64_t id);
  std::uint32_t next_uidvalidity(UserState& u, std::int64_t now_ns);
  StoreResult make_folder(const std::string& user, UserState& u, std::string name, std::int64_t now_ns,
                          bool subscribe);
  std::string new_key(const FolderState& f, const AppendRequest& r, std::size_t crlf_size, std::size_t lf_size);
  // Defines missing keywords (when `define`) in memory only; the index write saves them.
  StoreResult define_keywords(FolderState& f, const std::vector<std::string>& names, bool define, std::uint32_t* mask);
  StoreResult add_message(const std::string& user, FolderState& f, const AppendRequest& r, std::uint32_t* uid,
                          bool announce);
  void announce_message(const std::string& user, const FolderState& f, std::uint32_t uid);

  std::string hostname_;
  std::map<std::string, UserState, std::less<>> users_;
  std::uint64_t next_folder_id_ = 1;
  std::uint64_t seq_ = 0;
};

}  // namespace maillab::mda
