// CountingStore: a mailbox store that accounts for what it is given and keeps nothing
// (mailbox kind "count"), for load runs (`maillab bench mail`) where a million delivered
// messages must not stay in memory. The delivery itself is done in full: the same checks
// as the real stores (valid user name, Delivered-To loop check) and the same delivered
// bytes (Return-Path and Delivered-To prepended to the parsed message, delivered_content),
// whose size is what is counted. Only the final write to the disk is left out.
//
// Invariants: per user, count and bytes grow by one message and its delivered size per
// Ok delivery; list() is always empty (nothing to read back); never DiskFull unless the
// disk is full (a full disk still refuses, so fault behaviour stays the same).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "protocols/mda/mail_store.hpp"

namespace maillab::mda {

class CountingStore final : public MailStore {
 public:
  struct Tally {
    std::uint64_t messages = 0;
    std::uint64_t bytes = 0;
  };

  explicit CountingStore(io::Disk& disk) : disk_(disk) {}

  DeliveryStatus deliver(const Delivery& delivery) override;
  std::vector<StoredMessage> list(const std::string&) const override { return {}; }
  bool remove(const std::string&, const std::string&) override { return false; }
  std::vector<std::string> users() const override;
  std::string_view kind() const override { return "count"; }

  const Tally& total() const { return total_; }
  Tally of(const std::string& user) const;

 private:
  io::Disk& disk_;
  std::map<std::string, Tally, std::less<>> users_;
  Tally total_;
};

}  // namespace maillab::mda
