// io::trace: the trace vocabulary, the contract between the layers (DESIGN.md "The trace
// is the contract between layers"). Every event a service records, and every field key,
// is a constant here; producers (protocols/*, scenarios/world, bridge) write them through
// io::Runtime::trace() and consumers (scenarios: expectations, chaos, the runner's
// timeline; viz: chart, journeys, the visualiser's model; the HTTP API) read them back
// from sim::TraceEvent by the same constants. docs/trace.md documents each one (the
// --trace file format); tests/scenarios/trace_vocab_test.cpp checks that every event the
// built-in scenarios record is listed here with the fields it has, and that
// docs/trace.md names every event and key.
//
// Invariants:
// - Key, Event and Agent cannot be made from a string literal by accident: Runtime::trace
//   takes only these types, so a producer cannot write an event or key missing here.
// - Field order within an event is the order of its row below (optional fields, marked
//   '?', may be absent: the runtime leaves one out when its value is empty, is_optional());
//   the trace of a run depends on nothing else (determinism).
// - Links between events are fields, never text to parse: a message is (host, id) with
//   its Message-ID in msgid on every queue, relay, delivery and DSN event; relay.sent and
//   submit.accepted name the next hop as (peer address, next_id); dsn.* name the report
//   they queue (dsn_msgid); cut/heal/loss name both ends (a, b).
//
// Adding an event is one line in MAILLAB_TRACE_EVENTS (and its paragraph in
// docs/trace.md); a new field key is one line in MAILLAB_TRACE_KEYS.
#pragma once

#include <string_view>

namespace maillab::io::trace {

// A name in the vocabulary: convertible to std::string_view (so sim::TraceEvent::get and
// comparisons take it), never made implicitly from a string.
template <class Tag>
class Name {
 public:
  explicit constexpr Name(std::string_view text) : text_(text) {}
  constexpr std::string_view text() const { return text_; }
  constexpr operator std::string_view() const { return text_; }
  // e.event == ev::kDeliver, with e.event a std::string.
  friend constexpr bool operator==(std::string_view s, Name n) { return s == n.text_; }
  friend constexpr bool operator==(Name a, Name b) { return a.text_ == b.text_; }

 private:
  std::string_view text_;
};

using Key = Name<struct KeyTag>;
using Event = Name<struct EventTag>;
using Agent = Name<struct AgentTag>;

// Who records an event (cli.md --trace).
namespace agent {
inline constexpr Agent kMua{"MUA"};  // a user agent: composes, submits, fetches
inline constexpr Agent kMsa{"MSA"};  // the MTA's submission port (587)
inline constexpr Agent kMta{"MTA"};  // the MTA: port 25, queue, SMTP client
inline constexpr Agent kMda{"MDA"};  // local delivery into mailboxes
inline constexpr Agent kMra{"MRA"};  // the POP3 and IMAP servers
inline constexpr Agent kDns{"DNS"};  // resolver and name server
inline constexpr Agent kNet{"NET"};  // the world: faults, the bridge's real sockets
}  // namespace agent

// Field keys: constant, text.
#define MAILLAB_TRACE_KEYS(X)    \
  X(kA, "a")                     \
  X(kAlgorithm, "algorithm")     \
  X(kAttempt, "attempt")         \
  X(kB, "b")                     \
  X(kBetween, "between")         \
  X(kBytes, "bytes")             \
  X(kCached, "cached")           \
  X(kCertificate, "certificate") \
  X(kCipher, "cipher")           \
  X(kCode, "code")               \
  X(kCommand, "command")         \
  X(kDetail, "detail")           \
  X(kDiagnostic, "diagnostic")   \
  X(kDisposition, "disposition") \
  X(kDomain, "domain")           \
  X(kDsnMsgid, "dsn_msgid")      \
  X(kFile, "file")               \
  X(kFolder, "folder")           \
  X(kFrom, "from")               \
  X(kFromPort, "from_port")      \
  X(kHelo, "helo")               \
  X(kId, "id")                   \
  X(kIdentity, "identity")       \
  X(kMailbox, "mailbox")         \
  X(kMessageId, "message_id")    \
  X(kMessages, "messages")       \
  X(kMovedTo, "moved_to")        \
  X(kMsgid, "msgid")             \
  X(kMx, "mx")                   \
  X(kName, "name")               \
  X(kNextId, "next_id")          \
  X(kNextNs, "next_ns")          \
  X(kOutcome, "outcome")         \
  X(kPeer, "peer")               \
  X(kPolicy, "policy")           \
  X(kPort, "port")               \
  X(kRate, "rate")               \
  X(kRcpts, "rcpts")             \
  X(kReason, "reason")           \
  X(kRecords, "records")         \
  X(kRelay, "relay")             \
  X(kResumed, "resumed")         \
  X(kReply, "reply")             \
  X(kResult, "result")           \
  X(kSelector, "selector")       \
  X(kSender, "sender")           \
  X(kServer, "server")           \
  X(kService, "service")         \
  X(kSni, "sni")                 \
  X(kSize, "size")               \
  X(kStatus, "status")           \
  X(kSubject, "subject")         \
  X(kTo, "to")                   \
  X(kTtl, "ttl")                 \
  X(kType, "type")               \
  X(kUid, "uid")                 \
  X(kUser, "user")               \
  X(kVersion, "version")

// Events: constant, name, agents that record it, fields in the order they are written
// ('?': not always present). Grouped as docs/trace.md is.
#define MAILLAB_TRACE_EVENTS(X)                                                          \
  /* user agents */                                                                      \
  X(kCompose, "compose", "MUA", "from subject message_id")                               \
  X(kSubmitAccepted, "submit.accepted", "MUA", "message_id reply peer next_id")          \
  X(kSubmitFailed, "submit.failed", "MUA", "reason? message_id? reply?")                 \
  X(kFetchStart, "fetch.start", "MUA", "user server")                                    \
  X(kFetchDone, "fetch.done", "MUA", "user messages detail")                             \
  X(kFetchFailed, "fetch.failed", "MUA", "user messages detail")                         \
  /* SMTP, POP3 and IMAP exchanges */                                                    \
  X(kSmtpIn, "smtp.in", "MTA MSA", "peer command code reply")                            \
  X(kTlsEstablished, "tls.established", "MTA MSA MRA MUA", "peer version cipher resumed sni certificate") \
  X(kSmtpOut, "smtp.out", "MTA MUA", "id? peer command code reply")                      \
  X(kSmtpConnect, "smtp.connect", "MTA", "id peer mx port")                              \
  X(kSmtpConnectFailed, "smtp.connect_failed", "MTA", "id peer reason")                  \
  X(kAuthOk, "auth.ok", "MTA MSA", "peer user")                                          \
  X(kAuthFailed, "auth.failed", "MTA MSA", "peer user")                                  \
  X(kAuthBlocked, "auth.blocked", "MTA MSA", "peer")                                     \
  X(kPop3In, "pop3.in", "MRA", "peer command reply")                                     \
  X(kPop3Out, "pop3.out", "MUA", "peer command reply")                                   \
  X(kPop3Login, "pop3.login", "MRA", "peer user")                                        \
  X(kPop3AuthFailed, "pop3.auth_failed", "MRA", "peer user")                             \
  X(kPop3Deleted, "pop3.deleted", "MRA", "user uid")                                     \
  X(kImapIn, "imap.in", "MRA", "peer command reply")                                     \
  X(kImapOut, "imap.out", "MUA", "peer command reply")                                   \
  X(kImapLogin, "imap.login", "MRA", "peer user")                                        \
  X(kImapAuthFailed, "imap.auth_failed", "MRA", "peer user")                             \
  X(kHttpIn, "http.in", "MUA", "peer command reply port?")                               \
  X(kHttpOut, "http.out", "MUA", "peer command reply port?")                             \
  /* the queue */                                                                        \
  X(kQueueEnqueued, "queue.enqueued", "MTA", "id from to subject msgid size")            \
  X(kQueueWriteFailed, "queue.write_failed", "MTA", "id? msgid? sender?")                \
  X(kQueueAttempt, "queue.attempt", "MTA", "id subject msgid attempt")                   \
  X(kQueueDeferred, "queue.deferred", "MTA", "id subject next_ns reason msgid")          \
  X(kQueueExpired, "queue.expired", "MTA", "id subject msgid")                           \
  X(kQueueRemoved, "queue.removed", "MTA", "id subject msgid")                           \
  X(kQueueReloaded, "queue.reloaded", "MTA", "messages")                                 \
  X(kQueueFlush, "queue.flush", "MTA", "messages")                                       \
  X(kQueueCorrupt, "queue.corrupt", "MTA", "file? moved_to? id?")                        \
  X(kQueueOrphanRemoved, "queue.orphan_removed", "MTA", "file")                          \
  /* routing and relaying */                                                             \
  X(kRouteMx, "route.mx", "MTA", "id domain mx")                                         \
  X(kRouteImplicitMx, "route.implicit_mx", "MTA", "id domain")                           \
  X(kRouteNexthop, "route.nexthop", "MTA", "id domain mx")                               \
  X(kRelaySent, "relay.sent", "MTA", "id to relay status diagnostic msgid peer next_id") \
  X(kRelayDeferred, "relay.deferred", "MTA", "id to relay status diagnostic msgid")      \
  X(kRelayBounced, "relay.bounced", "MTA", "id to relay status diagnostic msgid")        \
  X(kRelayUnconfirmed, "relay.unconfirmed", "MTA", "id to msgid")                        \
  /* local delivery */                                                                   \
  X(kDeliver, "deliver", "MDA", "id user to mailbox subject msgid folder?")              \
  X(kDeliverFailed, "deliver.failed", "MDA", "id to status diagnostic msgid")            \
  X(kDeliverDeferred, "deliver.deferred", "MDA", "id user reason to msgid")              \
  X(kDiscarded, "discarded", "MDA", "id to msgid")                                       \
  /* delivery status notifications */                                                    \
  X(kDsnBounce, "dsn.bounce", "MTA", "id to subject msgid rcpts dsn_msgid")              \
  X(kDsnDelayed, "dsn.delayed", "MTA", "id to subject msgid rcpts dsn_msgid")            \
  X(kDsnSuccess, "dsn.success", "MTA", "id to subject msgid rcpts dsn_msgid")            \
  X(kDsnSuppressed, "dsn.suppressed", "MTA", "id reason msgid rcpts")                    \
  /* sender authentication (SPF, DKIM, DMARC) */                                         \
  X(kSpfChecked, "spf.checked", "MTA", "peer identity sender helo result reason")        \
  X(kDkimChecked, "dkim.checked", "MTA", "peer msgid result domain selector algorithm reason") \
  X(kDmarcChecked, "dmarc.checked", "MTA", "peer msgid domain result policy disposition reason") \
  X(kDkimSigned, "dkim.signed", "MTA", "id msgid domain selector algorithm")             \
  /* DNS */                                                                              \
  X(kDnsQuery, "dns.query", "DNS", "name type server cached?")                           \
  X(kDnsTcp, "dns.tcp", "DNS", "name type server")                                       \
  X(kDnsAnswer, "dns.answer", "DNS", "name type outcome records")                        \
  X(kDnsDrop, "dns.drop", "DNS", "from bytes")                                           \
  X(kDnsUpdate, "dns.update", "DNS", "name type ttl records")                            \
  /* faults (scenario events, the visualiser's buttons, chaos) */                        \
  X(kHostDown, "host.down", "NET", "")                                                   \
  X(kHostUp, "host.up", "NET", "")                                                       \
  X(kPortRefuse, "port.refuse", "NET", "service")                                        \
  X(kPortAccept, "port.accept", "NET", "service")                                        \
  X(kDiskFull, "disk.full", "NET", "")                                                   \
  X(kDiskOk, "disk.ok", "NET", "")                                                       \
  X(kCut, "cut", "NET", "between a b")                                                   \
  X(kHeal, "heal", "NET", "between a b")                                                 \
  X(kLoss, "loss", "NET", "between rate a b")                                            \
  X(kStarttlsStrip, "starttls.strip", "NET", "between a b")                              \
  X(kStarttlsUnstrip, "starttls.unstrip", "NET", "between a b")                          \
  X(kStarttlsStripped, "starttls.stripped", "NET", "to detail")                          \
  /* the bridge (maillab serve): real sockets */                                         \
  X(kBridgeAccept, "bridge.accept", "NET", "peer service")                               \
  X(kBridgeRefused, "bridge.refused", "NET", "peer service")                             \
  X(kBridgeUnanswered, "bridge.unanswered", "NET", "peer service")                       \
  X(kBridgeConnect, "bridge.connect", "NET", "peer")                                     \
  X(kBridgeConnectFailed, "bridge.connect_failed", "NET", "peer reason")                 \
  X(kBridgeUdpDropped, "bridge.udp_dropped", "NET", "to from_port")

namespace key {
#define MAILLAB_TRACE_KEY_CONSTANT(constant, text) inline constexpr Key constant{text};
MAILLAB_TRACE_KEYS(MAILLAB_TRACE_KEY_CONSTANT)
#undef MAILLAB_TRACE_KEY_CONSTANT
}  // namespace key

namespace ev {
#define MAILLAB_TRACE_EVENT_CONSTANT(constant, name, agents, fields) inline constexpr Event constant{name};
MAILLAB_TRACE_EVENTS(MAILLAB_TRACE_EVENT_CONSTANT)
#undef MAILLAB_TRACE_EVENT_CONSTANT
}  // namespace ev

// The catalogue, for tests and documentation checks (and the HTTP API's self-description).
struct EventSpec {
  Event event;
  std::string_view agents;  // space-separated
  std::string_view fields;  // space-separated keys in order; "key?" is optional
};

inline constexpr Key kKeys[] = {
#define MAILLAB_TRACE_KEY_ROW(constant, text) key::constant,
    MAILLAB_TRACE_KEYS(MAILLAB_TRACE_KEY_ROW)
#undef MAILLAB_TRACE_KEY_ROW
};

inline constexpr EventSpec kEvents[] = {
#define MAILLAB_TRACE_EVENT_ROW(constant, name, agents, fields) {ev::constant, agents, fields},
    MAILLAB_TRACE_EVENTS(MAILLAB_TRACE_EVENT_ROW)
#undef MAILLAB_TRACE_EVENT_ROW
};

// The catalogue row of an event name, or null when the name is not in the vocabulary.
constexpr const EventSpec* find_event(std::string_view name) {
  for (const auto& e : kEvents)
    if (e.event == name) return &e;
  return nullptr;
}

// True when `event`'s row marks `key` optional ("key?"). io::Runtime::trace leaves such a
// field out of the record when its value is empty, so a producer writes one call whatever
// it has (docs/trace.md "optional").
constexpr bool is_optional(Event event, Key key) {
  const EventSpec* spec = find_event(event);
  if (spec == nullptr) return false;
  std::string_view rest = spec->fields;
  while (!rest.empty()) {
    std::size_t end = rest.find(' ');
    std::string_view word = rest.substr(0, end);
    if (word.size() == key.text().size() + 1 && word.back() == '?' && word.substr(0, key.text().size()) == key.text())
      return true;
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  }
  return false;
}

static_assert(is_optional(ev::kDeliver, key::kFolder) && !is_optional(ev::kDeliver, key::kId));

}  // namespace maillab::io::trace
