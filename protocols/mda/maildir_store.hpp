// MaildirStore: one Maildir per user under `root` (https://cr.yp.to/proto/maildir.html,
// Dovecot's layout): ROOT/<user>/{tmp,new,cur}/<name>.
//
// A delivery to a folder (Delivery::folder, e.g. "Junk") goes to the Maildir++ folder
// ROOT/<user>/.<folder>/, marked with an empty `maildirfolder` file, as Dovecot keeps it;
// list() reads the inbox only.
// Delivery writes ROOT/<user>/tmp/<name>, then renames it to ROOT/<user>/new/<name>
// (io::Disk::rename is atomic). When either step fails the tmp file is removed and
// nothing is in new/, so the delivery is all-or-nothing.
// Names: "<unix secs>.M<usecs>P<seq>Q<unique>.<host>,S=<size>,W=<vsize>", all from
// simulated time, this store's delivery sequence number and the host's counter (Dovecot
// writes the same fields; P is a pid there, a per-store counter here). S= is the file
// size, W= the CRLF ("virtual") size POP3 reports. '/' and ':' in the host name are
// written as \057 and \072 as the Maildir spec asks.
// Line ends: files hold LF line ends, as Maildir files on a Unix system do (Dovecot,
// Python's mailbox); list() gives CRLF back, so content round-trips exactly when it had
// CRLF line ends only (a bare LF comes back as CRLF).
// list() reads new/ and cur/ (a reader may have moved files to cur/ with ":2,<flags>");
// the id is the name before ':'; oldest first by (secs, usecs, Q, P).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocols/mda/mail_store.hpp"

namespace maillab::mda {

class MaildirStore final : public MailStore {
 public:
  explicit MaildirStore(io::Disk& disk, std::string root = "mail/");

  DeliveryStatus deliver(const Delivery& delivery) override;
  std::vector<StoredMessage> list(const std::string& user) const override;
  bool remove(const std::string& user, const std::string& id) override;
  std::vector<std::string> users() const override;
  std::string_view kind() const override { return "maildir"; }

  // ROOT/<user>/<sub>/ (sub = "tmp", "new" or "cur").
  std::string folder(const std::string& user, std::string_view sub) const;
  static std::string file_name(int64_t sim_ns, uint64_t seq, uint64_t unique, std::string_view host,
                               std::size_t size, std::size_t vsize);
  // Delivery order of two file names: (secs, usecs, Q, P) as written, then the name.
  static bool older(const std::string& a, const std::string& b);

 private:
  bool name_taken(const std::string& user, const std::string& name) const;

  io::Disk& disk_;
  std::string root_;
  uint64_t seq_ = 0;
};

}  // namespace maillab::mda
