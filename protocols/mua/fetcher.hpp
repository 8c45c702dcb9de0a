// mua::Fetcher: a user agent retrieving mail by POP3 (the pop3::ClientSession engine over
// one connection to port 110): log in, list, RETR each message, DELE when asked, QUIT.
// What it retrieved is kept so `fetched` expectations and the user's view can show it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "protocols/io/runtime.hpp"
#include "protocols/pop3/client_session.hpp"

namespace maillab::mua {

struct FetchJob {
  std::string server_address;
  std::uint16_t port = 110;
  std::string user, password;
  bool delete_after = false;
};

struct FetchResult {
  bool ok = false;
  std::string detail;
  std::vector<pop3::ClientSession::Retrieved> messages;
  bool deletions_committed = false;
};

class Fetcher {
 public:
  using Done = std::function<void(const FetchResult&)>;
  Fetcher(io::Runtime& rt, FetchJob job, Done done);
  ~Fetcher();
  void start();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace maillab::mua
