// Shared helpers of the viz tests: load a built-in scenario or a fixture of tests/viz/data,
// run it in process, run the maillab binary, run an external tool and read its output.
#pragma once

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "scenarios/library.hpp"
#include "scenarios/world.hpp"

namespace viz_test {

inline const std::string kData = std::string(MAILLAB_SOURCE_DIR) + "/tests/viz/data/";
inline const std::string kMaillab = MAILLAB_BINARY;

inline maillab::scenario::Scenario load(const std::string& name_or_path) {
  auto r = maillab::scenario::load_scenario(name_or_path);
  if (auto* e = std::get_if<maillab::scenario::LoadError>(&r)) FAIL(e->str());
  return std::get<maillab::scenario::Scenario>(r);
}

inline std::unique_ptr<maillab::scenario::World> run_world(const maillab::scenario::Scenario& s,
                                                           std::int64_t until = -1) {
  auto built = maillab::scenario::World::build(s, s.seed);
  REQUIRE(std::holds_alternative<std::unique_ptr<maillab::scenario::World>>(built));
  auto w = std::move(std::get<std::unique_ptr<maillab::scenario::World>>(built));
  w->run_until(until < 0 ? s.duration_ns : until);
  return w;
}

// A fresh directory for one test's files.
inline std::filesystem::path temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("maillab-viz-test-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// Runs a shell command; returns its exit status and (in *out) its standard output.
inline int shell(const std::string& command, std::string* out = nullptr) {
  std::string cmd = command + (out ? "" : " >/dev/null");
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    if (out) out->append(buf, n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline bool have_tool(const std::string& name) {
  return shell("command -v " + name + " >/dev/null 2>&1") == 0;
}

}  // namespace viz_test
