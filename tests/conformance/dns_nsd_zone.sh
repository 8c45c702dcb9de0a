# shellcheck shell=bash
# The zone the DNS conformance test and make_tables.sh give NSD: big.test with its own MX
# first and 30 relays with long names, each with an address. The MX answer is about 1.3 KB
# with the addresses and about 1 KB without: over 512 octets either way, so over UDP it
# comes back truncated (TC).
nsd_zone_big() {
  local i
  printf '%s\n' '$ORIGIN big.test.' '$TTL 3600' \
    '@   IN SOA ns.big.test. hostmaster.big.test. 1 3600 600 604800 300' \
    '@   IN NS  ns.big.test.' 'ns  IN A   127.0.0.1' '@   IN MX  10 mx.big.test.' 'mx  IN A   192.0.2.20'
  for i in $(seq 0 29); do
    echo "@   IN MX  $((20 + i)) relay-$i.mail-exchangers.big.test."
    echo "relay-$i.mail-exchangers IN A 192.0.2.$((100 + i))"
  done
}
