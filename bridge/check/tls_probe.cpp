// check::TlsSetup: the client contexts of `maillab check`, and opening a TLS connection.
#include "bridge/check/tls_probe.hpp"

#include <arpa/inet.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <openssl/ssl.h>

namespace maillab::check {

std::shared_ptr<TlsSetup> make_tls_setup(const std::string& cafile, std::string* error) {
  std::string pem;
  if (!cafile.empty()) {
    std::ifstream in(cafile, std::ios::binary);
    if (!in) {
      *error = "--cafile: cannot read '" + cafile + "'";
      return nullptr;
    }
    std::ostringstream text;
    text << in.rdbuf();
    pem = text.str();
    if (pem.empty()) {
      *error = "--cafile: '" + cafile + "' is empty";
      return nullptr;
    }
  }
  auto setup = std::make_shared<TlsSetup>();
  try {
    setup->library = tls::LibraryContext::system();
    setup->client = std::make_unique<tls::ClientContext>(setup->library, pem);
    // RFC 8996 forbids TLS 1.0 and 1.1: this context offers only those (at security
    // level 0, so that only the server can refuse), to see whether the server does.
    setup->legacy = std::make_unique<tls::ClientContext>(setup->library, "");
    SSL_CTX* legacy = setup->legacy->native();
    SSL_CTX_set_security_level(legacy, 0);
    tls::check_setup(SSL_CTX_set_min_proto_version(legacy, TLS1_VERSION) == 1 &&
                         SSL_CTX_set_max_proto_version(legacy, TLS1_1_VERSION) == 1 &&
                         SSL_CTX_set_cipher_list(legacy, "DEFAULT:@SECLEVEL=0") == 1,
                     "the TLS 1.0/1.1 probe context");
  } catch (const std::runtime_error& e) {
    *error = "--cafile: '" + cafile + "': " + e.what();
    return nullptr;
  }
  setup->has_cafile = !cafile.empty();
  return setup;
}

bool is_address(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1 ||
         host.find(':') != std::string::npos;
}

tls::ClientParams client_params(const Url& url) {
  tls::ClientParams p;
  if (!is_address(url.host)) {
    p.server_name = url.host;
    p.verify_names = {url.host};
  }
  return p;
}

bool start_tls(TcpStream& stream, const Url& url, std::chrono::milliseconds timeout, std::string* error) {
  if (!url.tls_setup) {
    *error = "TLS is not set up for this URL";
    return false;
  }
  if (stream.start_tls(*url.tls_setup->client, client_params(url), timeout)) return true;
  *error = stream.error();
  return false;
}

bool open_stream(TcpStream& stream, const Url& url, std::chrono::milliseconds timeout, std::string* error) {
  if (!stream.connect(url.host, url.port, timeout)) {
    *error = stream.error();
    return false;
  }
  if (url.tls != Url::Tls::Implicit) return true;
  if (start_tls(stream, url, timeout, error)) return true;
  stream.close();
  return false;
}

}  // namespace maillab::check
