// mta::MtaHost: what the MTA's parts (the queue manager, smtp(8)'s SmtpAttempt, local(8)'s
// LocalDelivery) need of the MTA they run in, and nothing more: the runtime, the
// configuration, myhostname, the resolver, and cleanup for the reports bounce(8) writes.
// mta::Mta implements it; a test implements it with a runtime of its own to run one part
// alone.
//
// Invariants: the references returned live as long as the host; resolver() is null when
// no resolver is configured (and may be made on first use).
#pragma once

#include <string>

#include "protocols/io/runtime.hpp"
#include "protocols/mta/mta_config.hpp"
#include "protocols/mta/submission.hpp"
#include "protocols/services/resolver.hpp"

namespace maillab::mta {

class MtaHost {
 public:
  virtual io::Runtime& runtime() = 0;
  virtual const MtaConfig& config() const = 0;
  // myhostname: the configured one, else the host's name (Postfix's default).
  virtual const std::string& hostname() const = 0;
  virtual services::Resolver* resolver() = 0;
  // A DSN to queue (sender <>, one recipient: the original sender), as cleanup(8) takes
  // any message: its reply is not needed (a report that cannot be queued is lost, as in
  // Postfix when bounce(8) fails; the trace shows queue.write_failed).
  virtual void enqueue_report(Submission&& report) = 0;

 protected:
  ~MtaHost() = default;
};

}  // namespace maillab::mta
