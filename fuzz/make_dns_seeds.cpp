// Writes the seed corpora of dns_decode_fuzz and dns_authority_fuzz: queries and
// responses made with the lab's own encoder (dns::encode), so the seeds are real packets.
// Usage: fuzz_make_dns_seeds DECODE_DIR AUTHORITY_DIR  (the files are committed under
// fuzz/corpus/; rerun only to refresh them).
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "protocols/dns/message.hpp"

using namespace maillab::dns;

namespace {

void write(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  if (!out) std::fprintf(stderr, "cannot write %s\n", path.c_str());
}

std::string must(const Message& m) {
  std::string wire = encode(m);
  if (wire.empty()) std::fprintf(stderr, "a seed message does not encode\n");
  return wire;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DECODE_DIR AUTHORITY_DIR\n", argv[0]);
    return 2;
  }
  const std::string decode_dir = argv[1], authority_dir = argv[2];

  // Queries, as a stub resolver sends them; they seed both targets.
  const std::vector<std::pair<std::string, Message>> queries = {
      {"query_mx_b", make_query(0x1234, "b.example", Type::MX)},
      {"query_a_mx1", make_query(0x0001, "mx1.b.example", Type::A)},
      {"query_aaaa_mx2", make_query(0x0002, "mx2.b.example", Type::AAAA)},
      {"query_txt_b", make_query(0x0003, "b.example", Type::TXT)},
      {"query_soa_c", make_query(0x0004, "c.example", Type::SOA)},
      {"query_cname_www", make_query(0x0005, "www.c.example", Type::A)},
      {"query_loop", make_query(0x0006, "loop1.c.example", Type::A)},
      {"query_chain", make_query(0x0007, "c1.c.example", Type::A)},
      {"query_wildcard", make_query(0x0008, "x.wild.c.example", Type::MX)},
      {"query_referral", make_query(0x0009, "host.sub.c.example", Type::A)},
      {"query_ent", make_query(0x000a, "ent.c.example", Type::A)},
      {"query_nxdomain", make_query(0x000b, "nothere.b.example", Type::A)},
      {"query_refused", make_query(0x000c, "example.org", Type::MX)},
      {"query_any", make_query(0x000d, "b.example", Type::ANY)},
      {"query_null_mx", make_query(0x000e, "null.c.example", Type::MX)},
  };
  for (const auto& [name, q] : queries) {
    const std::string wire = must(q);
    write(decode_dir + "/" + name, wire);
    write(authority_dir + "/" + name + "_udp", std::string(1, '\0') + wire);
    write(authority_dir + "/" + name + "_tcp", std::string(1, '\1') + wire);
  }
  Message notimp = make_query(0x0100, "b.example", Type::MX);
  notimp.opcode = 2;  // STATUS
  write(authority_dir + "/opcode_status", std::string(1, '\0') + must(notimp));
  Message two = make_query(0x0101, "b.example", Type::MX);
  two.questions.push_back(Question{"c.example", Type::A, kClassIn});
  write(authority_dir + "/two_questions", std::string(1, '\0') + must(two));

  // Responses with every record type the codec interprets, compressed names included.
  Message r = make_reply(make_query(0x4242, "b.example", Type::MX));
  r.aa = true;
  r.answers = {ResourceRecord::mx("b.example", 3600, 10, "mx1.b.example"),
               ResourceRecord::mx("b.example", 3600, 20, "mx2.b.example")};
  r.authority = {ResourceRecord::target(Type::NS, "b.example", 3600, "ns.example")};
  r.additional = {ResourceRecord::a("mx1.b.example", 3600, 0xC0000215),
                  ResourceRecord::aaaa("mx2.b.example", 3600, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x22})};
  write(decode_dir + "/response_mx", must(r));

  Message n = make_reply(make_query(0x4343, "nothere.b.example", Type::A), Rcode::NxDomain);
  n.aa = true;
  n.authority = {ResourceRecord::soa("b.example", 300,
                                     SoaData{"ns.example", "hostmaster.b.example", 1, 3600, 600, 604800, 300})};
  write(decode_dir + "/response_nxdomain", must(n));

  Message c = make_reply(make_query(0x4444, "www.c.example", Type::A));
  c.answers = {ResourceRecord::target(Type::CNAME, "www.c.example", 300, "web.c.example"),
               ResourceRecord::target(Type::CNAME, "web.c.example", 300, "mx1.b.example"),
               ResourceRecord::a("mx1.b.example", 3600, 0xC0000215)};
  write(decode_dir + "/response_cname", must(c));

  Message t = make_reply(make_query(0x4545, "b.example", Type::TXT));
  t.answers = {ResourceRecord::txt("b.example", 300, {"v=spf1 mx -all", "", std::string(255, 'x')})};
  ResourceRecord raw;
  raw.name = "_smtp._tcp.b.example";
  raw.type = static_cast<Type>(33);  // SRV, carried as RFC 3597 generic data
  raw.ttl = 60;
  raw.data = RawData{std::string("\0\x0a\0\x05\0\x19\3mx1\1b\7example\0", 22)};
  t.additional = {raw};
  write(decode_dir + "/response_txt_raw", must(t));

  Message null_mx = make_reply(make_query(0x4646, "null.c.example", Type::MX));
  null_mx.answers = {ResourceRecord::mx("null.c.example", 300, 0, "")};
  null_mx.tc = true;
  write(decode_dir + "/response_null_mx_tc", must(null_mx));

  Message servfail = make_reply(make_query(0x4747, "b.example", Type::MX), Rcode::ServFail);
  write(decode_dir + "/response_servfail", must(servfail));
  return 0;
}
