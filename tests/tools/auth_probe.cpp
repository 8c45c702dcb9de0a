// auth_probe: a test-only command line around protocols/auth for the interop tests
// (tests/conformance/dkim_interop_test.sh, spf_pyspf_test.sh). Not part of maillab's CLI.
//
//   auth_probe keygen rsa|ed25519 SEED PEMFILE   writes the private key (PKCS#8 PEM) to PEMFILE;
//                                                prints the DNS record, then (ed25519) the raw key
//   auth_probe sign PEMFILE DOMAIN SELECTOR TIME [HEADER/BODY canon] < message > signed message
//   auth_probe verify ZONEFILE TIME [sha1] < message   one line per signature: RESULT d=D s=S a=A
//                                                reason ("sha1": check rsa-sha1 too, RFC 8301 aside)
//   auth_probe spf SUITEFILE                     every case of an rfc7208-suite.txt file:
//                                                "SECTION | NAME | RESULT | EXPLANATION"
// ZONEFILE: one TXT record a line, "NAME TEXT" (the text split into 255-octet strings).
// Exit status: 0 unless the arguments or files are wrong (results are printed, not judged).
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include "../protocols/auth/spf_suite.hpp"
#include "protocols/auth/dkim_signer.hpp"
#include "protocols/auth/dkim_verifier.hpp"
#include "protocols/auth/fake_dns.hpp"
#include "protocols/auth/spf_check.hpp"

using namespace maillab::auth;

namespace {

std::string read_all(std::istream& in) {
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int usage() {
  std::cerr << "usage: auth_probe keygen rsa|ed25519 SEED PEMFILE | sign PEMFILE DOMAIN SELECTOR TIME [H/B] |"
               " verify ZONEFILE TIME | spf SUITEFILE\n";
  return 2;
}

int keygen(const std::string& alg, const std::string& seed, const std::string& path) {
  auto key = DkimPrivateKey::generate(alg == "ed25519" ? DkimAlgorithm::Ed25519Sha256 : DkimAlgorithm::RsaSha256, seed);
  std::ofstream(path) << key.private_pem();
  std::cout << key.dns_record() << "\n";
  if (key.algorithm() == DkimAlgorithm::Ed25519Sha256) std::cout << key.ed25519_seed_base64() << "\n";
  return 0;
}

int sign(char** argv, int argc) {
  std::ifstream pem_file(argv[2]);
  auto key = DkimPrivateKey::from_pem(read_all(pem_file));
  if (!key) {
    std::cerr << "auth_probe: no private key in " << argv[2] << "\n";
    return 1;
  }
  DkimSignOptions o;
  o.domain = argv[3];
  o.selector = argv[4];
  o.now = std::stoll(argv[5]);
  if (argc > 6) {
    std::string c = argv[6];
    auto slash = c.find('/');
    o.header_canon = c.substr(0, slash) == "simple" ? DkimCanon::Simple : DkimCanon::Relaxed;
    o.body_canon = c.substr(slash + 1) == "simple" ? DkimCanon::Simple : DkimCanon::Relaxed;
  }
  auto message = read_all(std::cin);
  std::cout << dkim_sign(message, *key, o) << message;
  return 0;
}

int verify(const std::string& zone_path, std::int64_t now, bool sha1) {
  FakeDns dns;
  std::ifstream zone(zone_path);
  std::string line;
  while (std::getline(zone, line)) {
    auto sp = line.find(' ');
    if (sp != std::string::npos) dns.add_txt(line.substr(0, sp), line.substr(sp + 1));
  }
  DkimVerifier v(dns, read_all(std::cin), now);
  v.accept_rsa_sha1(sha1);
  v.start([](const DkimVerification& r) {
    if (r.signatures.empty()) std::cout << "none\n";
    for (const auto& s : r.signatures) {
      std::cout << to_string(s.result) << " d=" << s.domain << " s=" << s.selector << " a=" << s.algorithm
                << (s.reason.empty() ? "" : " reason: " + s.reason) << "\n";
    }
  });
  return 0;
}

int spf(const std::string& path) {
  for (const auto& section : spf_suite::load(path)) {
    for (const auto& c : section.cases) {
      FakeDns dns;
      spf_suite::fill(dns, section);
      SpfRequest req;
      req.client_ip = c.host;
      req.mail_from = c.mailfrom;
      req.helo = c.helo;
      SpfCheck check(dns, req);
      check.start([&](const SpfOutcome& o) {
        std::cout << section.title << " | " << c.name << " | " << to_string(o.result) << " | " << o.explanation << "\n";
      });
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  std::string cmd = argv[1];
  if (cmd == "keygen" && argc == 5) return keygen(argv[2], argv[3], argv[4]);
  if (cmd == "sign" && argc >= 6) return sign(argv, argc);
  if (cmd == "verify" && (argc == 4 || argc == 5)) {
    return verify(argv[2], std::stoll(argv[3]), argc == 5 && std::string(argv[4]) == "sha1");
  }
  if (cmd == "spf" && argc == 3) return spf(argv[2]);
  return usage();
}
