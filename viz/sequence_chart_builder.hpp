// Internal to the sequence chart (sequence_chart.cpp: lanes, exchanges, slots;
// sequence_chart_marks.cpp: marks, queue bars, down intervals).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "viz/sequence_chart.hpp"

namespace maillab::viz::detail {

Outcome smtp_outcome(const std::string& code);
Outcome pop3_outcome(const std::string& reply);
Outcome imap_outcome(const std::string& reply);
Outcome dns_outcome(const std::string& outcome);

class Builder {
 public:
  Builder(const scenario::Scenario& s, const std::vector<sim::TraceEvent>& trace, Time end);
  SequenceChart build();

 private:
  static constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  static constexpr std::uint64_t kNoKey = std::numeric_limits<std::uint64_t>::max();

  // One end of an arrow or a mark, waiting for its slot. `key` orders items at the same
  // lane and time: 8 * (trace index) + position within the exchange.
  struct EndRef {
    int lane;
    Time t;
    std::uint64_t key;
    enum Kind { ArrowFrom, ArrowTo, Mark } kind;
    std::size_t index;
  };

  void make_lanes();
  void exchanges();
  void find_tls();  // tls_of_
  void exchange(std::size_t in, std::size_t out, std::size_t connect);
  void orphan_reply(std::size_t out);
  void dns_exchange(std::size_t query, std::size_t answer);
  void connect_failed(std::size_t failed, std::size_t connect);
  void marks();
  void bars_and_down();
  void assign_slots();

  int lane_of_address(const std::string& address) const;
  int lane_of_host(const std::string& host) const;
  std::string line(std::size_t i) const;  // the trace event as the text timeline shows it
  Time latency_estimate(int a, int b) const;
  void add_end(int lane, Time t, std::uint64_t key, EndRef::Kind kind, std::size_t index);
  std::size_t add_arrow(Arrow a, std::uint64_t key_from, std::uint64_t key_to);
  std::size_t add_mark(Mark m, std::uint64_t key);

  const scenario::Scenario& s_;
  const std::vector<sim::TraceEvent>& trace_;
  Time end_;
  std::size_t n_ = 0;  // trace events up to end_
  SequenceChart chart_;
  std::map<std::string, int> lane_by_address_;
  std::map<std::pair<int, int>, Time> latency_;  // one way, by lane pair (low, high)
  std::vector<EndRef> ends_;
  std::vector<std::pair<std::size_t, std::size_t>> shared_slot_;  // command, reply arrows
  // Arrows still on their way at the chart's end: no slot at the far end; one sent at the
  // very end stays level (its end takes its start's slot).
  std::vector<std::size_t> level_end_;
  // Per trace event: for an smtp.in inside TLS, its connection's tls.established; else kNone.
  std::vector<std::size_t> tls_of_;
};

}  // namespace maillab::viz::detail
