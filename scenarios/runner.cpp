#include "scenarios/runner.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <ostream>

#include "protocols/message/peer_text.hpp"
#include "scenarios/expectations.hpp"
#include "base/xml.hpp"

namespace maillab::scenario {

namespace ev = io::trace::ev;
namespace key = io::trace::key;

std::string format_clock(std::int64_t t) {
  char buf[64];
  long long ms = t / kMillisecond;
  std::snprintf(buf, sizeof buf, "%lld+%02lld:%02lld:%02lld.%03lld", ms / 86400000,
                ms / 3600000 % 24, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
  return buf;
}

namespace {

std::string host_of_address(const Scenario& s, const std::string& address) {
  for (const auto& h : s.hosts) {
    if (h.address.text == address) return h.name;
  }
  return address;
}

}  // namespace

std::string timeline_line(const sim::TraceEvent& e, const Scenario& s) {
  std::string what;
  const std::string& name = e.event;
  // HTTPS exchanges carry the server's port (443): shown next to the server.
  const std::string port = name == ev::kHttpOut || name == ev::kHttpIn ? e.get(key::kPort) : "";
  if (name == ev::kSmtpOut || name == ev::kPop3Out || name == ev::kImapOut || name == ev::kHttpOut) {
    what = "-> " + host_of_address(s, e.get(key::kPeer)) + (port.empty() ? "" : ":" + port) + "  " +
           (e.get(key::kCommand).empty() ? "(greeting)" : e.get(key::kCommand)) +
           "  <= " + e.get(key::kReply);
  } else if (name == ev::kSmtpIn || name == ev::kPop3In || name == ev::kImapIn || name == ev::kHttpIn) {
    what = "<- " + host_of_address(s, e.get(key::kPeer)) + (port.empty() ? "" : " on :" + port) + "  " +
           (e.get(key::kCommand).empty() ? "(connect)" : e.get(key::kCommand)) + "  => " + e.get(key::kReply);
  } else if (name == ev::kDnsQuery) {
    what = "? " + e.get(key::kName) + " " + e.get(key::kType) +
           (e.get(key::kCached) == "yes" ? "  (from the cache)" : "");
  } else if (name == ev::kDnsTcp) {
    what =
        "? " + e.get(key::kName) + " " + e.get(key::kType) + " again over TCP (the UDP answer was truncated)";
  } else if (name == ev::kDnsAnswer) {
    what = "! " + e.get(key::kName) + " " + e.get(key::kType) + " " + e.get(key::kOutcome) +
           (e.get(key::kRecords).empty() ? "" : ": " + e.get(key::kRecords));
  } else if (name == ev::kSmtpConnect) {
    what = "connect " + e.get(key::kMx) + "[" + e.get(key::kPeer) + "]:" + e.get(key::kPort);
  } else if (name == ev::kSmtpConnectFailed) {
    what = "connect " + host_of_address(s, e.get(key::kPeer)) + " failed: " + e.get(key::kReason);
  } else {
    what = name;
    for (const auto& [k, v] : e.fields) {
      bool quote = v.find_first_of(" \"") != std::string::npos || v.empty();
      std::string shown;
      for (char c : v) {
        if (c == '"' || c == '\\') shown += '\\';
        shown += c;
      }
      what += " " + k + "=" + (quote ? "\"" + shown + "\"" : shown);
    }
  }
  char head[96];
  std::snprintf(head, sizeof head, "%s  %-16s %-4s ", format_clock(e.t_ns).c_str(),
                e.host.c_str(), e.agent.c_str());
  // Subjects, HELO names, replies: a stranger's text, shown but never obeyed.
  return message::terminal_safe(head + what);
}

bool write_output_file(const std::string& path, std::string_view data, std::string* error) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *error = "cannot write " + path + ": " + std::strerror(n < 0 ? errno : EIO);
      ::close(fd);
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::close(fd) != 0) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool write_junit_error(const std::string& path, const std::string& suite,
                       const std::string& error, std::ostream& err) {
  const std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"" +
                          base::xml_escape(suite) + "\" tests=\"1\" failures=\"1\">\n  <testcase classname=\"" +
                          base::xml_escape(suite) +
                          "\" name=\"the scenario loads\"><failure type=\"invalid scenario\" message=\"" +
                          base::xml_escape(error) + "\">" + base::xml_escape(error) +
                          "</failure></testcase>\n</testsuite>\n";
  std::string why;
  if (!write_output_file(path, xml, &why)) {
    err << "maillab: --junit: " << why << "\n";
    return false;
  }
  return true;
}

std::function<void(std::string_view line)> key_log_file(const std::string& path, std::string* error) {
  auto file = std::make_shared<std::ofstream>(path, std::ios::app | std::ios::binary);
  if (!*file) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    return {};
  }
  return [file](std::string_view line) {
    file->write(line.data(), static_cast<std::streamsize>(line.size()));
    file->put('\n');
    file->flush();
  };
}

int run(const Scenario& s, const RunOptions& opt, std::ostream& out, std::ostream& err) {
  WorldOptions wopt;
  if (!opt.keylog_file.empty()) {
    std::string why;
    wopt.key_log = key_log_file(opt.keylog_file, &why);
    if (!wopt.key_log) {
      err << "maillab: --keylog: " << why << "\n";
      return 2;
    }
  }
  auto built = World::build(s, opt.seed.value_or(s.seed), std::move(wopt));
  if (auto* e = std::get_if<LoadError>(&built)) {
    err << e->str() << "\n";
    if (!opt.junit_file.empty()) write_junit_error(opt.junit_file, s.id, e->str(), err);
    return 2;
  }
  auto& world = *std::get<std::unique_ptr<World>>(built);
  if (opt.on_built) opt.on_built(world);
  const std::int64_t end = opt.until_ns.value_or(s.duration_ns);
  world.run_until(end);

  if (!opt.quiet) {
    out << "scenario " << s.id << message::terminal_safe(s.title.empty() ? "" : ": " + s.title) << " (seed "
        << opt.seed.value_or(s.seed) << ", until " << format_duration(end) << ")\n";
    for (const auto& e : world.trace().events()) {
      std::string line = timeline_line(e, s);
      if (!line.empty()) out << line << "\n";
    }
    out << "\n";
  }
  auto results = check_expectations(world);
  int passed = 0, failed = 0;
  for (const auto& r : results) {
    (r.passed ? passed : failed)++;
    out << (r.passed ? "PASS " : "FAIL ") << message::terminal_safe(r.what) << "  ("
        << message::terminal_safe(r.found) << ")";
    if (!r.passed && r.expectation) out << "  [" << s.file << ":" << r.expectation->mark.line << "]";
    out << "\n";
  }
  out << passed << " passed, " << failed << " failed\n";

  bool io_ok = true;
  std::string error;
  if (!opt.trace_file.empty() && !write_output_file(opt.trace_file, world.trace().to_jsonl(), &error)) {
    err << "maillab: --trace: " << error << "\n";
    io_ok = false;
  }
  if (!opt.mailboxes_dir.empty() && !export_mailboxes(world, opt.mailboxes_dir, &error)) {
    err << "maillab: --mailboxes: " << error << "\n";
    io_ok = false;
  }
  if (!opt.queue_dir.empty() && !export_queues(world, opt.queue_dir, &error)) {
    err << "maillab: --queue: " << error << "\n";
    io_ok = false;
  }
  if (!opt.junit_file.empty()) {
    // Well-formed XML whatever the results hold (base::xml_escape: bytes that are not UTF-8
    // and controls, from a scenario or a peer, become U+FFFD).
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"" +
                      base::xml_escape(s.id) + "\" tests=\"" + std::to_string(results.size()) +
                      "\" failures=\"" + std::to_string(failed) + "\">\n";
    for (const auto& r : results) {
      xml += "  <testcase classname=\"" + base::xml_escape(s.id) + "\" name=\"" + base::xml_escape(r.what) + "\">";
      if (!r.passed) xml += "<failure message=\"" + base::xml_escape(r.found) + "\"/>";
      xml += "</testcase>\n";
    }
    xml += "</testsuite>\n";
    if (!write_output_file(opt.junit_file, xml, &error)) {
      err << "maillab: --junit: " << error << "\n";
      io_ok = false;
    }
  }
  if (opt.on_finished && !opt.on_finished(world, err)) io_ok = false;
  if (!io_ok) return 2;
  return failed == 0 ? 0 : 1;
}

}  // namespace maillab::scenario
