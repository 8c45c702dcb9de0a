// viz::TimeAxis: the sequence chart's nonlinear time axis (OMNeT++'s "nonlinear" timeline
// mode), readable from milliseconds to days in one picture.
//
// The axis has a stop at every time something is drawn. Between two stops the distance
// grows with the logarithm of the time between them (a 20 ms hop is short, a 200 ms one
// longer), capped; a span longer than `gap_threshold` with nothing in it is an idle gap
// drawn at a fixed height and marked with its length ("... 4h 59m ..."). At one stop, items
// take successive slots `slot_px` apart (pipelined commands sent at the same instant).
// A row (one slot of one stop) can be given extra height before it (RowExtras): the label
// placement (chart_layout.hpp) grows the rows where labels would otherwise collide.
// Invariant: y(t) is non-decreasing in t, and y(t, k+1) > y(t, k).
#pragma once

#include <map>
#include <utility>
#include <vector>

#include "viz/sequence_chart.hpp"

namespace maillab::viz {

struct AxisParams {
  double slot_px = 16;      // between two items at the same time on one lane
  double base_px = 8;       // least distance between two distinct times
  double log_px = 14;       // + log_px * log2(1 + dt / unit)
  double max_px = 60;       // cap of a non-idle step
  Time unit = 10'000'000;   // 10 ms
  Time gap_threshold = 500'000'000;  // longer idle spans are compressed gaps
  double gap_px = 44;
  double scale = 1;         // zoom: multiplies every length above
};

// Extra pixels (not scaled by zoom) before a row (time, slot).
using RowExtras = std::map<std::pair<Time, int>, double>;

class TimeAxis {
 public:
  struct Stop {
    Time t;
    double y;  // of slot 0
    int rows;  // slots used at this time
    std::vector<double> offset;  // y of each slot relative to `y` (offset[0] == 0)
  };
  struct Gap {
    Time from, to;
    double y0, y1;
  };

  TimeAxis() = default;
  TimeAxis(const SequenceChart& chart, AxisParams p = {}, const RowExtras& extras = {});

  double y(Time t, int slot = 0) const;
  Time time_at(double y) const;  // the inverse, for hovering (approximate inside gaps)
  double height() const;         // y of the last stop's last slot
  const std::vector<Stop>& stops() const { return stops_; }
  const std::vector<Gap>& gaps() const { return gaps_; }
  const AxisParams& params() const { return p_; }

 private:
  double bottom(const Stop& s) const { return s.y + s.offset.back(); }
  AxisParams p_;
  std::vector<Stop> stops_;
  std::vector<Gap> gaps_;
};

}  // namespace maillab::viz
