// A stub resolver lookup, sans-I/O: one object per question (RFC 1034 5.3.1, RFC 1035
// 7). It hands out datagrams, takes responses and timeouts, and ends in one Outcome.
// Retries follow resolv.conf: `attempts` sends of the same datagram (same id, as glibc's
// res_send, so a late answer to the first send still counts), `timeout` each. A CNAME
// whose target is not answered in the same response is chased with a new query (id + 1),
// up to `max_cname_depth` CNAMEs in all, a name seen twice being a CnameLoop.
// Spoofing defence (RFC 5452 9.1): a response counts only if it is a well-formed reply
// with our id and our question (name compared case-insensitively, type, class); a reply
// without a question is accepted only as FORMERR or NOTIMP. Anything else is ignored.
// Outcomes keep what mail needs apart (RFC 5321 5.1): NxDomain is permanent; ServFail,
// Refused and Timeout are temporary.
// A truncated response (TC, RFC 1035 4.2.1) makes the lookup ask the same query again
// over TCP (RFC 7766 5: a stub resolver MUST): take_stream_query() hands it out once, the
// driver opens a connection to the server (length-prefixed messages, RFC 1035 4.2.2) and
// passes the response to receive(wire, Transport::Tcp). UDP responses to that query are
// ignored from then on. The TCP attempt has one timeout and no retry; a failed
// connection is on_stream_failed(). Both end the lookup as temporary failures.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/dns/message.hpp"

namespace maillab::dns {

struct ResolverConfig {
  std::chrono::milliseconds timeout{5000};  // resolv.conf "options timeout:5"
  int attempts = 2;                         // resolv.conf "options attempts:2"
  int max_cname_depth = 8;
  // EDNS(0) (RFC 6891): the UDP payload size announced in an OPT record, so that large
  // answers (many MX records, long TXT records) fit without TCP; 0 asks plain DNS. A server
  // that answers FORMERR, NOTIMP or BADVERS to it is asked again without (RFC 6891 6.2.2).
  std::uint16_t edns_payload = 1232;
};

enum class Outcome { Answer, NoData, NxDomain, ServFail, Refused, Timeout, FormErr, CnameLoop };
enum class Transport { Udp, Tcp };
std::string_view to_string(Outcome outcome);

struct LookupResult {
  Outcome outcome = Outcome::ServFail;     // meaningful once Lookup::done()
  std::string canonical_name;              // the asked name after CNAMEs
  std::vector<ResourceRecord> answers;     // records of the asked type at canonical_name
  std::vector<ResourceRecord> additional;  // the last response's additional section
  std::string detail;                      // why, in words, for traces and DSNs
};

class Lookup {
 public:
  Lookup(std::string name, Type type, std::uint16_t first_id, ResolverConfig cfg = {});

  // The datagram to send now: the first query, a retry, or a query for a CNAME target.
  // nullopt when there is nothing (more) to send.
  std::optional<std::string> take_datagram();
  // The query to send over TCP (without the length prefix), once, after a truncated
  // response; nullopt otherwise.
  std::optional<std::string> take_stream_query();
  void receive(std::string_view wire, Transport transport = Transport::Udp);
  // The TCP connection for the stream query could not be made or closed before the
  // response (`why` goes into the detail).
  void on_stream_failed(std::string_view why);
  // The timer armed after the last take_datagram() fired.
  void on_timeout();
  // How long to wait for a response to the query in flight; zero once done().
  std::chrono::milliseconds timeout() const;
  bool done() const { return done_; }
  const LookupResult& result() const { return result_; }

  // Responses ignored so far (wrong id or question, malformed, not a response).
  int ignored() const { return ignored_; }
  // Queries sent (take_datagram() returning a datagram), retries included.
  int sent() const { return sent_; }
  // Whether the query in flight is being asked over TCP.
  bool over_tcp() const { return over_tcp_; }

 private:
  void start_query(std::string name);
  void finish(Outcome outcome, std::string detail);
  bool matches(const Message& response) const;
  void on_response(const Message& response, Transport transport);
  void on_no_error(const Message& response);
  bool follow_chain(const Message& response, std::string& name);

  Type type_;
  ResolverConfig cfg_;
  std::uint16_t next_id_;
  std::uint16_t id_ = 0;       // of the query in flight
  std::string name_;           // asked in the query in flight
  std::string datagram_;       // the query in flight, for retries
  bool pending_ = false;       // datagram_ waits for take_datagram()
  bool sent_current_ = false;  // datagram_ has been taken at least once
  bool over_tcp_ = false;      // the query in flight went to TCP after a TC response
  bool stream_pending_ = false;  // datagram_ waits for take_stream_query()
  bool edns_ = false;            // datagram_ carries an OPT record
  int attempts_left_ = 0;
  int cname_depth_ = 0;
  std::set<std::string> seen_;  // names of the CNAME chain so far
  bool done_ = false;
  int ignored_ = 0;
  int sent_ = 0;
  LookupResult result_;
};

}  // namespace maillab::dns
