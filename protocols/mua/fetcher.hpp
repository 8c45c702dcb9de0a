// mua::Fetcher: a user agent retrieving mail by POP3 (the pop3::ClientSession engine over
// one connection to port 110): log in, list, RETR each message, DELE when asked, QUIT.
// With TLS (a MUA set to starttls or implicit): STLS on 110 or TLS from the first byte on
// 995, the server's certificate verified for its name, no credential ever in clear.
// What it retrieved is kept so `fetched` expectations and the user's view can show it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "protocols/io/runtime.hpp"
#include "protocols/pop3/client_session.hpp"
#include "protocols/tls/context.hpp"

namespace maillab::mua {

// How a MUA uses TLS to reach a retrieval server (1.1 `fetch.tls`).
struct MuaTls {
  bool required = false;                 // starttls or implicit: nothing secret in clear
  tls::ClientContext* client = nullptr;  // outlives the job (required without one: fails)
  bool implicit = false;                 // 995 / 993 (RFC 8314); else STLS / STARTTLS
  std::string server_name;               // the name the certificate must carry (and SNI)
};

struct FetchJob {
  std::string server_address;
  std::uint16_t port = 110;
  std::string user, password;
  bool delete_after = false;
  // TLS (docs/tls.md): when required, the MUA verifies the certificate for
  // `server_name` and never sends a password in clear.
  MuaTls tls;
};

struct FetchResult {
  bool ok = false;
  std::string detail;
  std::vector<pop3::ClientSession::Retrieved> messages;
  bool deletions_committed = false;
  bool tls = false;  // the retrieval ran inside TLS (STLS/STARTTLS or implicit)
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
