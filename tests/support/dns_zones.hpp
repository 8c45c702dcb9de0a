// Zones shared by the DNS tests and the DNS fuzz targets (written once here; issue 17
// item 6). Test data, not a reference implementation: the oracles the tests compare the
// engines with stay beside their tests.
// - kZoneB: b.example as the scenarios serve it (RFC 1035 5.1 master-file text): SOA and
//   NS at ns.example, two MX of preference 10 and 20 with their A records. Tests that
//   check answers against it rely on exactly these six records; a test needing more
//   appends lines (the $ORIGIN stays in effect).
// - kZoneC: c.example, the hard cases of name resolution (RFC 1034 3.6.2, 4.3.2, 4.3.3;
//   RFC 2308): CNAME chains within and out of the zone, a dangling CNAME, a CNAME loop, an
//   empty non-terminal, a wildcard, a delegation with glue, a chain of ten CNAMEs.
// fuzz/make_seeds.py reads kZoneB out of this file for the zone parser's seed corpus.
#pragma once

namespace maillab::test {

inline constexpr const char* kZoneB = R"($ORIGIN b.example.
$TTL 3600
@    IN SOA ns.example. hostmaster.b.example. 1 3600 600 604800 300
@    IN NS  ns.example.
@    IN MX  10 mx1.b.example.
@    IN MX  20 mx2.b.example.
mx1  IN A   192.0.2.21
mx2  IN A   192.0.2.22
)";

inline constexpr const char* kZoneC = R"($ORIGIN c.example.
$TTL 300
@         SOA ns hostmaster 7 3600 600 604800 60
@         NS ns
ns        A 192.0.2.53
www       CNAME web
web       CNAME mx1.b.example.
ext       CNAME mail.other.net.
dangling  CNAME nothere
loop1     CNAME loop2
loop2     CNAME loop1
deep.ent  A 192.0.2.99
*.wild    MX 5 mx1.b.example.
sub       NS ns.sub
ns.sub    A 192.0.2.54
c1 CNAME c2
c2 CNAME c3
c3 CNAME c4
c4 CNAME c5
c5 CNAME c6
c6 CNAME c7
c7 CNAME c8
c8 CNAME c9
c9 CNAME c10
c10 A 192.0.2.10
)";

}  // namespace maillab::test
