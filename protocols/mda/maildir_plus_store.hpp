// MaildirPlusStore: the mail store (mailbox_store.hpp) kept as Maildir++ on a host's
// io::Disk, laid out as Dovecot lays it out, so that Dovecot, Python's mailbox.Maildir
// and mutt read what the lab wrote (and the lab reads what they left):
//
//   ROOT/<user>/{cur,new,tmp}/                  INBOX (the same files as MaildirStore's)
//   ROOT/<user>/.<name>/{cur,new,tmp}/          folder <name>; "." between levels
//                                               ("Work.Projects"), names in modified
//                                               UTF-7 as Dovecot writes them
//   ROOT/<user>/.<name>/maildirfolder           Maildir++'s folder marker (empty)
//   <folder>/dovecot-uidlist                    UIDVALIDITY, UIDNEXT, UID <-> file
//   <folder>/dovecot-keywords                   keyword letters a-z <-> names
//   ROOT/<user>/subscriptions                   one subscribed name per line
//   ROOT/<user>/dovecot-uidvalidity             the last UIDVALIDITY given (hex)
//
// A message is new/<key> until a session claims it as recent or its flags change, then
// cur/<key>:2,<letters> (dovecot_files.hpp). Files hold LF line ends (content reads back
// CRLF), are written to tmp/ and renamed, as MaildirStore delivers.
//
// Invariants:
// - Loading a user (the first call naming them) reads every folder: files listed in
//   dovecot-uidlist keep their UIDs, files it does not list get new ones (oldest first),
//   lines for files that are gone are dropped, and the uidlist is rewritten if it
//   changed. A folder with no uidlist (MaildirStore's INBOX) gets one.
// - Every change goes through this object (one per host disk); changes made on the disk
//   behind its back are seen only when it is created again (a host restart).
// - An io::Disk holds files, not directories: maildir_directories() names the empty
//   directories a real tree needs, for whatever writes the disk out as real files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/io/disk.hpp"
#include "protocols/mda/memory_mailbox_store.hpp"

namespace maillab::mda {

class MaildirPlusStore final : public MemoryMailboxStore {
 public:
  explicit MaildirPlusStore(io::Disk& disk, std::string root = "mail/", std::string hostname = "localhost");

  // ROOT/<user>/ for INBOX, ROOT/<user>/.<modified UTF-7 name>/ for the others.
  std::string folder_dir(const std::string& user, std::string_view name) const;
  // ROOT/<user>/<folder>/{cur,new,tmp}/ of every folder of the user.
  std::vector<std::string> maildir_directories(const std::string& user);
  std::vector<std::string> users() override;  // loaded, or with files under ROOT/<user>/

 protected:
  bool load_user(const std::string& user, UserState& u) override;
  bool save_new_folder(const std::string& user, FolderState& f) override;
  bool remove_folder(const std::string& user, const FolderState& f) override;
  bool move_folder(const std::string& user, const FolderState& f, std::string_view to) override;
  bool save_message(const std::string& user, FolderState& f, const MailboxMessage& m, const io::Bytes& content) override;
  bool save_flags(const std::string& user, FolderState& f, const MailboxMessage& before,
                  const MailboxMessage& after) override;
  bool remove_message(const std::string& user, FolderState& f, const MailboxMessage& m) override;
  bool save_index(const std::string& user, const FolderState& f) override;
  bool save_subscriptions(const std::string& user, const UserState& u) override;
  bool save_uidvalidity(const std::string& user, const UserState& u) override;
  void recent_claimed(const std::string& user, FolderState& f, const std::vector<std::uint32_t>& uids) override;
  io::Bytes load_content(const std::string& user, const FolderState& f, const MailboxMessage& m) override;

 private:
  std::string user_dir(const std::string& user) const { return root_ + user + "/"; }
  // The current path of the message file with base name `key` in folder directory `dir`.
  std::optional<std::string> find_file(const std::string& dir, const std::string& key) const;
  void load_folder(const std::string& user, UserState& u, const std::string& dir_name,
                   const std::vector<std::string>& paths);

  io::Disk& disk_;
  std::string root_;
};

}  // namespace maillab::mda
