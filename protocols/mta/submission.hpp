// mta::Submission and mta::DeliveryRecord: what goes into the MTA (a message handed to it,
// before cleanup adds Received and queues it) and what comes out at local delivery (one
// message put into a mailbox). Plain data, shared by the MTA's parts and its callers.
//
// Submission: the envelope as the SMTP server (or a local submitter, or bounce(8)) gives
// it, RFC 3461 DSN parameters per recipient beside rcpts; "" is the null sender <>.
#pragma once

#include <string>
#include <vector>

#include "protocols/io/runtime.hpp"

namespace maillab::mta {

// One message put into a mailbox on this host (for expectations and the inspector).
struct DeliveryRecord {
  io::Time time;
  std::string user;
  std::string recipient;
  std::string queue_id;
  io::Bytes content;  // as stored (with Return-Path / Delivered-To); null for a "count" store
  std::string message_id;  // the message's Message-ID header
  std::string folder;      // "" the inbox; "Junk" for DMARC quarantine
};

// What a message handed to the MTA looks like before it is queued.
struct Submission {
  std::string sender;                 // "" = <>
  std::vector<std::string> rcpts;
  // RFC 3461 per recipient, beside rcpts (empty: none given): NOTIFY bits and ORCPT
  // ("type;address").
  struct RcptDsn {
    unsigned notify = 0;
    std::string orcpt;
  };
  std::vector<RcptDsn> rcpt_dsn;
  std::string content;                // CRLF, without our Received header
  std::string envid;
  bool ret_headers = false;
  std::string client;                 // "helo (unknown [addr])" or "local"
  std::string protocol = "ESMTP";     // for Received: SMTP, ESMTP(S)(A), local
  std::string tls;                    // for Received: "using TLSv1.3 with cipher ..."; "" = clear
  std::string helo, client_address;
  std::string client_name;            // forward-confirmed reverse DNS name; "" = unknown
  bool submitted = false;             // came through the MSA: add Message-ID/Date if missing
  std::string folder;                 // where local delivery files it ("" = the inbox)
  bool smtputf8 = false;              // MAIL ... SMTPUTF8 (RFC 6531): passed on to the next hop
};

}  // namespace maillab::mta

