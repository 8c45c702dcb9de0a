// Writes the seed corpus of tls_server_fuzz: ClientHellos made by the lab's own client
// (TLS 1.3, TLS 1.2 only, split in small pieces), one by an old TLS 1.1 client, and the
// handshake-first modes with SMTP plaintext or a stray record. The 8-byte header is
// fuzz_support.hpp's (flags, chunk sizes).
// Usage: fuzz_make_tls_seeds DIR  (the files are committed under fuzz/corpus/; rerun only
// to refresh them).
#include <cstdio>
#include <fstream>
#include <string>

#include "protocols/tls/certificate_authority.hpp"
#include "protocols/tls/context.hpp"
#include "protocols/tls/session_pair.hpp"

using namespace maillab::tls;

namespace {

constexpr UnixTime kStart = 1772442000;

void write(const std::string& path, const std::string& header, const std::string& payload) {
  std::ofstream out(path, std::ios::binary);
  out << header << payload;
  if (!out) std::fprintf(stderr, "cannot write %s\n", path.c_str());
}

std::string header(unsigned char flags, std::string sizes = "") {
  sizes.resize(7, '\0');
  return std::string(1, static_cast<char>(flags)) + sizes;
}

std::string lab_client_hello(bool tls12) {
  auto lib = LibraryContext::deterministic(2);
  CertificateAuthority ca(LibraryContext::deterministic(2, "ca"), kStart);
  ClientContext client(lib, ca.certificate_pem());
  if (tls12) SSL_CTX_set_max_proto_version(client.native(), TLS1_2_VERSION);
  Session c(client, ClientParams{"mx.b.example", {"mx.b.example"}, ""}, kStart);
  return c.take_output();
}

std::string old_client_hello() {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_set_security_level(ctx.get(), 0);
  SSL_CTX_set_cipher_list(ctx.get(), "DEFAULT:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_1_VERSION);
  SSL_CTX_set_max_proto_version(ctx.get(), TLS1_1_VERSION);
  SslPtr ssl(SSL_new(ctx.get()));
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl.get(), in, out);
  SSL_set_connect_state(ssl.get());
  SSL_do_handshake(ssl.get());
  std::string hello(BIO_ctrl_pending(out), '\0');
  BIO_read(out, hello.data(), static_cast<int>(hello.size()));
  return hello;
}

// An application data record from another session: right framing, wrong keys.
std::string stray_record() {
  auto lib = LibraryContext::deterministic(3);
  CertificateAuthority ca(LibraryContext::deterministic(3, "ca"), kStart);
  auto cred = ca.issue({"mx.b.example"});
  ServerContext server(lib, *cred);
  ClientContext client(lib, ca.certificate_pem());
  Session s(server, kStart);
  Session c(client, ClientParams{"mx.b.example", {}, ""}, kStart);
  pump(c, s);
  c.send("QUIT\r\n");
  return c.take_output();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = std::string(argv[1]) + "/";
  const std::string smtp = "EHLO pc.a.example\r\nMAIL FROM:<alice@a.example>\r\nRCPT TO:<bob@b.example>\r\n"
                           "DATA\r\nSubject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n";
  write(dir + "client_hello_tls13", header(0), lab_client_hello(false));
  write(dir + "client_hello_tls12", header(0), lab_client_hello(true));
  write(dir + "client_hello_split", header(0, "\x05\x01\x03\x40"), lab_client_hello(false));
  write(dir + "client_hello_tls11", header(0), old_client_hello());
  write(dir + "plaintext_smtp", header(0), smtp);
  write(dir + "after_handshake_smtp", header(0x03, "\x07\x01\x00"), smtp);
  write(dir + "after_handshake_smtp_tls12", header(0x07), smtp);
  write(dir + "after_handshake_eof", header(0x0b), "QUIT\r\n");
  write(dir + "after_handshake_stray_record", header(0x01), stray_record());
  return 0;
}
