// check::CheckSpec and run_table: a protocol's checks are data, a table of {name, RFC
// section, level, function} run in order against one context (the probe's state). When
// a check sets ctx.stop (e.g. the server cannot be reached), every later check is
// skipped with that reason instead of running. A context may watch each check:
// ctx.before_check(report) is called before it runs (the report so far: a context may
// correct an earlier row, e.g. the one after which the server closed the connection) and
// ctx.after_check(result) after; when that returns true the check runs once more (its
// first run was cut short by something the context knows of, e.g. a closed connection).
#pragma once

#include <span>
#include <string>

#include "bridge/check/report.hpp"

namespace maillab::check {

template <class Ctx>
struct CheckSpec {
  const char* name;
  const char* section;
  Level level;
  Result (*run)(Ctx&);
};

template <class Ctx>
Report run_table(std::span<const CheckSpec<Ctx>> table, Ctx& ctx) {
  Report report;
  for (const auto& c : table) {
    if constexpr (requires { ctx.before_check(report); }) ctx.before_check(report);
    Result r = ctx.stop.empty() ? c.run(ctx) : Result::skip(ctx.stop);
    if constexpr (requires { ctx.after_check(r); }) {
      if (ctx.after_check(r)) {  // the context asks for a second run (once)
        r = c.run(ctx);
        ctx.after_check(r);
      }
    }
    report.add(c.name, c.section, c.level, std::move(r));
  }
  return report;
}

}  // namespace maillab::check
