// Helpers of the `maillab check` tests: finding a row of a report, the report as text,
// "no MUST failed", URLs and options, and small scripted servers on loopback ports
// (FakeTcp runs one connection at a time, each read bounded, so a stuck probe cannot hang
// a test).
#pragma once

#include <functional>
#include <sstream>
#include <string>

#include "../bridge/lab_fixture.hpp"
#include "bridge/check/check.hpp"

namespace maillab::check::test {

using namespace maillab::bridge::test;

inline const check::Row& row(const check::Report& r, std::string_view name) {
  for (const auto& row : r.rows())
    if (row.name == name) return row;
  FAIL("no check named " << name);
  return r.rows().front();
}

inline std::string table(const check::Report& r) {
  std::ostringstream o;
  r.print_text(o);
  return o.str();
}

inline void require_no_must_failure(const check::Report& r) {
  INFO(table(r));
  for (const auto& row : r.rows()) {
    INFO(row.name << ": " << row.result.said);
    if (row.level == check::Level::Must) CHECK(row.result.outcome != check::Outcome::Fail);
  }
  CHECK(r.exit_code() == 0);
}

inline check::Url url(const std::string& text) {
  std::string error;
  auto u = check::parse_url(text, &error);
  INFO(error);
  REQUIRE(u);
  return *u;
}

inline check::Options options(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  check::Options o;
  o.timeout = timeout;
  return o;
}

// A fake server on a free loopback TCP port: each accepted connection runs `session`
// (one after the other) on a background thread.
class FakeTcp {
 public:
  explicit FakeTcp(std::function<void(int)> session) : session_(std::move(session)) {
    fd_ = listen_loopback(port_);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) continue;
        session_(c);
        ::close(c);
      }
    });
  }
  ~FakeTcp() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::uint16_t port() const { return port_; }

 private:
  std::function<void(int)> session_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Line I/O for the fake servers; every read bounded (a stuck probe cannot hang a test).
struct Lines {
  int fd;
  std::string buf;
  void say(const std::string& s) { (void)::send(fd, s.data(), s.size(), MSG_NOSIGNAL); }
  // The next line without CRLF; nullopt on EOF or after 5 s of silence.
  std::optional<std::string> line() {
    for (;;) {
      auto eol = buf.find("\r\n");
      if (eol != std::string::npos) {
        std::string l = buf.substr(0, eol);
        buf.erase(0, eol + 2);
        return l;
      }
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return std::nullopt;
      char tmp[4096];
      ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
      if (n <= 0) return std::nullopt;
      buf.append(tmp, static_cast<std::size_t>(n));
    }
  }
};

inline std::string upper_verb(const std::string& l) {
  std::string v = l.substr(0, l.find(' '));
  for (auto& ch : v) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return v;
}

}  // namespace maillab::check::test
