#include "viz/time_axis.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace maillab::viz {

TimeAxis::TimeAxis(const SequenceChart& chart, AxisParams p, const RowExtras& extras) : p_(p) {
  std::map<Time, int> rows;
  auto need = [&](Time t, int slot) {
    int& r = rows[t];
    r = std::max(r, slot + 1);
  };
  need(0, 0);
  need(chart.end, 0);
  for (const auto& a : chart.arrows) {
    need(a.t_from, a.slot_from);
    need(a.t_to, a.slot_to);
  }
  for (const auto& m : chart.marks) need(m.t, m.slot);
  for (const auto& b : chart.bars) {
    need(b.from, 0);
    need(b.to, 0);
  }
  for (const auto& l : chart.lanes)
    for (const auto& d : l.down) {
      need(d.from, 0);
      need(d.to, 0);
    }
  const double k = p_.scale;
  auto extra = [&](Time t, int slot) {
    auto it = extras.find({t, slot});
    return it == extras.end() ? 0.0 : it->second;
  };
  double y = 0;
  for (const auto& [t, r] : rows) {
    if (!stops_.empty()) {
      const Stop& prev = stops_.back();
      Time dt = t - prev.t;
      double from = bottom(prev);
      if (dt > p_.gap_threshold) {
        y = from + p_.gap_px * k;
        gaps_.push_back(Gap{prev.t, t, from, y});
      } else {
        double step = p_.base_px + p_.log_px * std::log2(1.0 + static_cast<double>(dt) / p_.unit);
        y = from + std::min(step, p_.max_px) * k;
      }
    }
    Stop s{t, y + extra(t, 0), r, std::vector<double>(static_cast<std::size_t>(r), 0.0)};
    for (int slot = 1; slot < r; ++slot)
      s.offset[slot] = s.offset[slot - 1] + p_.slot_px * k + extra(t, slot);
    stops_.push_back(std::move(s));
  }
}

double TimeAxis::y(Time t, int slot) const {
  if (stops_.empty()) return 0;
  auto it = std::lower_bound(stops_.begin(), stops_.end(), t,
                             [](const Stop& s, Time v) { return s.t < v; });
  if (it != stops_.end() && it->t == t) {
    if (slot < static_cast<int>(it->offset.size())) return it->y + it->offset[std::max(0, slot)];
    return bottom(*it) + (slot - it->rows + 1) * p_.slot_px * p_.scale;
  }
  if (it == stops_.begin()) return stops_.front().y;
  if (it == stops_.end()) return height();
  const Stop& a = *(it - 1);
  const Stop& b = *it;
  double f = static_cast<double>(t - a.t) / static_cast<double>(b.t - a.t);
  return bottom(a) + f * (b.y - bottom(a));
}

Time TimeAxis::time_at(double y) const {
  if (stops_.empty()) return 0;
  for (std::size_t i = 0; i < stops_.size(); ++i) {
    const Stop& s = stops_[i];
    if (y <= bottom(s)) {
      if (y >= s.y || i == 0) return s.t;
      const Stop& a = stops_[i - 1];
      double f = (y - bottom(a)) / std::max(1e-9, s.y - bottom(a));
      return a.t + static_cast<Time>(f * static_cast<double>(s.t - a.t));
    }
  }
  return stops_.back().t;
}

double TimeAxis::height() const { return stops_.empty() ? 0 : bottom(stops_.back()); }

}  // namespace maillab::viz
