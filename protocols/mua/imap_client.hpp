// mua::ImapClient: a user agent speaking IMAP (the imap::ClientSession engine over one
// connection to port 143): log in, APPEND what it saves (Sent, as Thunderbird does),
// SELECT INBOX and fetch every message not yet \Seen (flag \Deleted and expunge them when
// asked), IDLE until stop() fetching each new message as the server reports it, LOGOUT.
// What it fetched is kept in the POP3 fetcher's shape (FetchResult) so the `fetched`
// expectation, the exports and the user's view read both alike.
//
// Invariants: `done` runs exactly once, after the connection is gone (or could not be
// made), on a fresh timer; `progress` runs each time a message more was fetched.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "protocols/io/runtime.hpp"
#include "protocols/mua/fetcher.hpp"

namespace maillab::mua {

struct ImapJob {
  std::string server_address;
  std::uint16_t port = 143;
  std::string user, password;
  bool fetch = true;             // SELECT INBOX and fetch the unseen messages
  bool delete_after = false;     // then \Deleted and EXPUNGE
  std::string delete_to;         // with delete_after: MOVE them there instead (e.g. "Trash")
  bool idle = false;             // then IDLE until stop()
  std::vector<std::string> append;  // CRLF messages to APPEND to Sent first
  MuaTls tls;                    // STARTTLS or 993, verified, nothing in clear (fetcher.hpp)
};

class ImapClient {
 public:
  using Done = std::function<void(const FetchResult&)>;
  ImapClient(io::Runtime& rt, ImapJob job, Done done, Done progress = {});
  ~ImapClient();
  void start();
  // The user closes the mail program: leave IDLE and log out.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace maillab::mua
