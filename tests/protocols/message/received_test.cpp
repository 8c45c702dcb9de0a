#include "protocols/message/received.hpp"

#include <catch2/catch.hpp>

#include "protocols/message/message.hpp"

using namespace maillab::message;

TEST_CASE("received_value follows Postfix's layout", "[received]") {
  ReceivedInfo r;
  r.from_helo = "mail.a.example";
  r.from_host = "mail.a.example";
  r.from_address = "192.0.2.1";
  r.by_host = "mx.b.example";
  r.with = "ESMTP";
  r.id = "ABC123";
  r.for_rcpt = "bob@b.example";
  r.sim_ns = 0;
  CHECK(received_value(r) ==
        "from mail.a.example (mail.a.example [192.0.2.1])\r\n"
        "\tby mx.b.example (maillab) with ESMTP id ABC123\r\n"
        "\tfor <bob@b.example>; Mon, 02 Mar 2026 09:00:00 +0000");

  ReceivedInfo local;
  local.by_host = "a.example";
  local.with = "local";
  local.id = "Q1";
  CHECK(received_value(local) == "by a.example (maillab) with local id Q1; Mon, 02 Mar 2026 09:00:00 +0000");

  ReceivedInfo v6 = r;
  v6.from_host.clear();
  v6.from_address = "2001:db8::1";
  v6.for_rcpt.clear();
  CHECK(received_value(v6) ==
        "from mail.a.example (unknown [IPv6:2001:db8::1])\r\n"
        "\tby mx.b.example (maillab) with ESMTP id ABC123; Mon, 02 Mar 2026 09:00:00 +0000");
}

TEST_CASE("received_hosts lists the by host of each hop, newest first", "[received]") {
  Message m = Message::parse("Subject: x\r\n\r\nbody\r\n");
  ReceivedInfo hop;
  hop.from_helo = "by";  // a HELO name that reads like the keyword
  hop.from_address = "192.0.2.1";
  hop.with = "ESMTP";
  for (const char* host : {"msa.a.example", "mx.b.example", "mda.b.example"}) {
    hop.by_host = host;
    m.prepend_header("Received", received_value(hop));
  }
  m.add_header("Received", "(comment by fake) from x by  \r\n   odd.example; date");
  m.add_header("Received", "from somewhere; no keyword");
  CHECK(received_hosts(m) ==
        std::vector<std::string>{"mda.b.example", "mx.b.example", "msa.a.example", "odd.example", ""});
}
