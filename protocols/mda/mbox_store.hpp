// MboxStore: one mbox file per user, ROOT/<user>.mbox, in the mboxrd format Postfix
// local(8) writes (https://www.loc.gov/preservation/digital/formats/fdd/fdd000385.shtml).
//
// Each message is: a From_ line "From <sender> <asctime date>\n" (the null sender is
// MAILER-DAEMON), the message with LF line ends where every line matching ^>*From  gets
// one more '>', then an empty line. Delivery is one io::Disk::append, so it is atomic.
// Reading splits at lines starting "From " (after quoting no message line does), drops
// the empty line that ends each message, undoes the quoting and gives CRLF content back
// (exact for content whose line ends were all CRLF). Text before the first From_ line is
// ignored. remove() rewrites the file without the message (one atomic write); the file
// is removed when it becomes empty.
// Ids: FNV-1a-64 of the stored entry (From_ line included) in hex, with ".<n>" added for
// the n-th identical entry: stable while the message is in the file, unlike an index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/mda/mail_store.hpp"

namespace maillab::mda {

class MboxStore final : public MailStore {
 public:
  explicit MboxStore(io::Disk& disk, std::string root = "mail/");

  DeliveryStatus deliver(const Delivery& delivery) override;
  std::vector<StoredMessage> list(const std::string& user) const override;
  bool remove(const std::string& user, const std::string& id) override;
  std::vector<std::string> users() const override;
  std::string_view kind() const override { return "mbox"; }

  std::string path(const std::string& user) const;  // ROOT/<user>.mbox
  // "From alice@a.example Mon Mar  2 09:00:00 2026\n"
  static std::string from_line(std::string_view sender, int64_t sim_ns);
  // mboxrd quoting of LF text: ^>*From  -> >^>*From , and back.
  static std::string quote(std::string_view lf_text);
  static std::string unquote(std::string_view lf_text);

  struct Entry {
    std::size_t begin = 0, end = 0;  // byte range in the file, From_ line included
    StoredMessage message;
  };
  static std::vector<Entry> split(std::string_view mbox);

 private:
  io::Disk& disk_;
  std::string root_;
};

}  // namespace maillab::mda
