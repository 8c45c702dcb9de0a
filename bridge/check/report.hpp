// check::Report: the results of one `maillab check` run, and how they are shown (cli.md):
// a table (check, RFC section, level, result, what the server said) as plain text or as
// a GitHub markdown table, then `N passed, M failed (K MUST), W warnings, S skipped`.
//
// Levels are the RFC's requirement words (RFC 2119). A FAIL of a MUST check makes the
// run fail (exit 1); a FAIL of a SHOULD/MAY check is counted as failed but does not.
// `warn` is for behaviour the RFC allows but discourages or that a client will find
// surprising (Postfix's 502 for an unknown command, where 4.2.4 prefers 500).
// Invariant: `said` is one line (CR/LF and control bytes replaced, shortened).
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::check {

enum class Level { Must, Should, May };
enum class Outcome { Pass, Fail, Warn, Skip };

std::string_view to_string(Level level);      // "MUST", "SHOULD", "MAY"
std::string_view to_string(Outcome outcome);  // "pass", "FAIL", "warn", "skip"

// What one check found.
struct Result {
  Outcome outcome = Outcome::Skip;
  std::string said;  // the server's reply (first line), or why the check skipped/failed

  static Result pass(std::string said) { return {Outcome::Pass, std::move(said)}; }
  static Result fail(std::string said) { return {Outcome::Fail, std::move(said)}; }
  static Result warn(std::string said) { return {Outcome::Warn, std::move(said)}; }
  static Result skip(std::string why) { return {Outcome::Skip, std::move(why)}; }
};

struct Row {
  std::string name, section;
  Level level = Level::Must;
  Result result;
};

// One line, printable ASCII, at most `limit` characters ("..." marks a cut).
std::string shorten(std::string_view text, std::size_t limit = 72);

class Report {
 public:
  void add(std::string name, std::string section, Level level, Result result);
  // A row's result once more (what a later check learnt about it: the server closed the
  // connection after it).
  void replace(std::size_t index, Result result);
  const std::vector<Row>& rows() const { return rows_; }

  std::size_t count(Outcome outcome) const;
  std::size_t must_failures() const;
  // 1 when a MUST failed, else 0.
  int exit_code() const { return must_failures() ? 1 : 0; }
  // "N passed, M failed (K MUST), W warnings, S skipped"
  std::string summary() const;

  void print_text(std::ostream& out) const;
  void print_markdown(std::ostream& out) const;

 private:
  std::vector<Row> rows_;
};

}  // namespace maillab::check
