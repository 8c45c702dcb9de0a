// scenario::run: `maillab run` (cli.md): build the world, run it to the scenario's
// duration (or --until), print the timeline, check every expectation, write the exports
// asked for, and return the exit code (0 all passed, 1 a check failed, 2 bad input).
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "scenarios/model.hpp"
#include "scenarios/world.hpp"

namespace maillab::scenario {

struct RunOptions {
  std::optional<std::uint64_t> seed;
  std::optional<std::int64_t> until_ns;
  bool quiet = false;
  std::string trace_file, mailboxes_dir, queue_dir, junit_file;
  std::string keylog_file;  // the TLS secrets as NSS key log lines (docs/tls.md)
  // Hooks for the layers above (viz exports): called once the world is built (before the
  // first event runs) and once the run is over; on_finished returns false (after writing
  // its message to err) when an export failed, which makes the run exit 2.
  std::function<void(World&)> on_built;
  std::function<bool(const World&, std::ostream& err)> on_finished;
};

int run(const Scenario& s, const RunOptions& opt, std::ostream& out, std::ostream& err);

// `--keylog FILE`: a function appending each NSS key log line to FILE (created, or
// appended to, as Wireshark's SSLKEYLOGFILE is), flushed per line so a capture can be
// decrypted while the lab runs; empty with "cannot write FILE: why" in *error.
std::function<void(std::string_view line)> key_log_file(const std::string& path, std::string* error);

// --junit FILE for a scenario that does not load or build: one failed test case whose
// failure carries the error line (FILE:LINE:COLUMN: error: ...), so that CI shows why.
// False, after a message on err, when the file cannot be written.
bool write_junit_error(const std::string& path, const std::string& suite,
                       const std::string& error, std::ostream& err);

// One readable timeline line per trace event ("" for events the timeline leaves out).
std::string timeline_line(const sim::TraceEvent& e, const Scenario& s);
std::string format_clock(std::int64_t t_ns);  // "0+00:05:00.000" (days+hh:mm:ss.mmm)

// Writes `data` to `path` (created or truncated); false with "cannot write PATH: why"
// (ENOSPC, EACCES, ...) in *error: every export reports a write error (exit 2).
bool write_output_file(const std::string& path, std::string_view data, std::string* error);

// Exports (cli.md): real files from the virtual disks.
// --mailboxes: every server mailbox (DIR/HOST/USER/ Maildir or DIR/HOST/USER.mbox) and
// what each MUA fetched (DIR/CLIENT/USER@SERVER/ Maildir).
// With `keep_existing`, a file already there is left as it is (serve at start: a restored
// mailbox is not rewritten, so a crash meanwhile cannot truncate it).
bool export_mailboxes(const World& w, const std::string& dir, std::string* error,
                      bool keep_existing = false);
bool export_fetched(const World& w, const std::string& dir, std::string* error);
bool export_queues(const World& w, const std::string& dir, std::string* error);

}  // namespace maillab::scenario
