// check::CheckSpec and run_table: a protocol's checks are data, a table of {name, RFC
// section, level, function} run in order against one context (the probe's state). When
// a check sets ctx.stop (e.g. the server cannot be reached), every later check is
// skipped with that reason instead of running.
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
    Result r = ctx.stop.empty() ? c.run(ctx) : Result::skip(ctx.stop);
    report.add(c.name, c.section, c.level, std::move(r));
  }
  return report;
}

}  // namespace maillab::check
