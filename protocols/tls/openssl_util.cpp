#include "protocols/tls/openssl_util.hpp"

#include <stdexcept>

#include <openssl/err.h>

namespace maillab::tls {

std::string drain_openssl_errors() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(e);
    if (!out.empty()) out += "; ";
    out += reason != nullptr ? reason : "unknown error";
  }
  return out;
}

void check_setup(bool ok, const char* what) {
  if (ok) return;
  std::string msg = std::string("tls: ") + what;
  if (std::string detail = drain_openssl_errors(); !detail.empty()) msg += ": " + detail;
  throw std::runtime_error(msg);
}

}  // namespace maillab::tls
