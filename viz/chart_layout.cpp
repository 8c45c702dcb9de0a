// The label-placement pass of the sequence chart (chart_layout.hpp): candidates per label,
// a greedy placement from the top down, and rows grown where a label found no room.
#include "viz/chart_layout.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "viz/text.hpp"

namespace maillab::viz {

namespace {

constexpr int kMaxRounds = 80;      // growth rounds before giving up on a label
constexpr double kBucket = 64;      // px per bucket of the placed-box index
constexpr double kArrowMargin = 6;  // an arrow text keeps this far from the lanes it joins
constexpr double kMarkOffset = 8;   // from a mark's dot to its text
constexpr double kLoopWidth = 36;   // a self-arrow's loop, right of its lane
constexpr double kMaxTurn = 0.36;   // steeper than this (about 20 degrees), label level first

// Where an arrow text may sit along its arrow, best first.
constexpr double kFractions[] = {0.5, 0.38, 0.62, 0.26, 0.74, 0.14, 0.86};

// Placed shapes by vertical bucket, for "does this candidate touch anything placed".
class ShapeIndex {
 public:
  void add(const Quad& q, int owner) {
    const Box b = q.bounds();
    shapes_.push_back({q, b, owner});
    for (int k = bucket(b.y0); k <= bucket(b.y1); ++k) buckets_[k].push_back(shapes_.size() - 1);
  }
  // The owner of a shape `q` touches (closer than pad), or -2 when none does.
  int hit(const Quad& q, double pad) const {
    const Box b = q.bounds();
    for (int k = bucket(b.y0 - pad); k <= bucket(b.y1 + pad); ++k) {
      auto it = buckets_.find(k);
      if (it == buckets_.end()) continue;
      for (std::size_t i : it->second) {
        const Shape& s = shapes_[i];
        if (s.bounds.intersects(b, pad) && s.quad.intersects(q, pad)) return s.owner;
      }
    }
    return -2;
  }

 private:
  struct Shape {
    Quad quad;
    Box bounds;
    int owner;
  };
  static int bucket(double y) { return static_cast<int>(std::floor(y / kBucket)); }
  std::vector<Shape> shapes_;
  std::map<int, std::vector<std::size_t>> buckets_;
};

// The projection of a quad on the axis (ax, ay).
std::pair<double, double> project(const Quad& q, double ax, double ay) {
  double lo = q.x[0] * ax + q.y[0] * ay, hi = lo;
  for (int i = 1; i < 4; ++i) {
    const double v = q.x[i] * ax + q.y[i] * ay;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return {lo, hi};
}

}  // namespace

Quad::Quad(const Box& b, double angle, Turn turn) {
  const double cx = (b.x0 + b.x1) / 2, cy = (b.y0 + b.y1) / 2;
  const double c = std::cos(angle), s = std::sin(angle), t = std::tan(angle);
  const double px[4] = {b.x0, b.x1, b.x1, b.x0}, py[4] = {b.y0, b.y0, b.y1, b.y1};
  for (int i = 0; i < 4; ++i) {
    const double dx = px[i] - cx, dy = py[i] - cy;
    if (angle == 0) {
      x[i] = px[i];
      y[i] = py[i];
    } else if (turn == Turn::Shear) {
      x[i] = px[i];
      y[i] = py[i] + dx * t;
    } else {
      x[i] = cx + dx * c - dy * s;
      y[i] = cy + dx * s + dy * c;
    }
  }
}

Box Quad::bounds() const {
  Box b{x[0], y[0], x[0], y[0]};
  for (int i = 1; i < 4; ++i) {
    b.x0 = std::min(b.x0, x[i]);
    b.x1 = std::max(b.x1, x[i]);
    b.y0 = std::min(b.y0, y[i]);
    b.y1 = std::max(b.y1, y[i]);
  }
  return b;
}

bool Quad::intersects(const Quad& o, double pad) const {
  for (const Quad* q : {this, &o}) {
    for (int e = 0; e < 2; ++e) {  // two edge directions per rectangle
      double ax = q->x[e + 1] - q->x[e], ay = q->y[e + 1] - q->y[e];
      const double len = std::hypot(ax, ay);
      if (len < 1e-12) continue;
      ax /= len;
      ay /= len;
      const auto [a0, a1] = project(*this, -ay, ax);
      const auto [b0, b1] = project(o, -ay, ax);
      if (a1 + pad <= b0 || b1 + pad <= a0) return false;
    }
  }
  return true;
}

bool Quad::contains(double px, double py) const {
  bool pos = false, neg = false;
  for (int i = 0; i < 4; ++i) {
    const int j = (i + 1) % 4;
    const double cross = (x[j] - x[i]) * (py - y[i]) - (y[j] - y[i]) * (px - x[i]);
    pos = pos || cross > 0;
    neg = neg || cross < 0;
  }
  return !(pos && neg);
}

struct ChartLayout::Item {
  PlacedLabel::Of of;
  std::size_t index;  // in chart.arrows / chart.marks
  int label;          // in labels_
  Row lo, hi;         // the rows the label hangs between (a mark: its own row twice)
  double ideal_y;
  // Pipelined siblings: arrows leaving one lane for another at one instant.
  std::tuple<int, int, Time> siblings{-1, -1, 0};
};

ChartLayout::ChartLayout(const SequenceChart& chart, LayoutParams p)
    : chart_(&chart), p_(std::move(p)), lanes_(chart.lanes.size()) {
  if (!p_.measure) p_.measure = [](std::string_view s) { return utf8_length(s) * 6.6; };
  // Pipelined commands and their replies cross near the server: each slot there holds the
  // text above one arrow and the text below the next.
  p_.axis.slot_px = std::max(p_.axis.slot_px, (2 * p_.label_height + 3 * p_.pad) / p_.axis.scale);
  arrow_label_.assign(chart.arrows.size(), -1);
  mark_label_.assign(chart.marks.size(), -1);
  for (std::size_t i = 0; i < chart.arrows.size(); ++i) {
    if (chart.arrows[i].label.empty()) continue;
    arrow_label_[i] = static_cast<int>(labels_.size());
    labels_.push_back(PlacedLabel{PlacedLabel::Of::Arrow, i, "", {}, false});
    full_width_.push_back(p_.measure(chart.arrows[i].label));
  }
  for (std::size_t i = 0; i < chart.marks.size(); ++i) {
    if (chart.marks[i].label.empty()) continue;
    mark_label_[i] = static_cast<int>(labels_.size());
    labels_.push_back(PlacedLabel{PlacedLabel::Of::Mark, i, "", {}, false});
    full_width_.push_back(p_.measure(chart.marks[i].label));
  }
  for (rounds_ = 0;; ++rounds_) {
    axis_ = TimeAxis(chart, p_.axis, extras_);
    std::vector<Row> grow = place_all();
    if (grow.empty() || rounds_ == kMaxRounds) break;
    std::sort(grow.begin(), grow.end());
    grow.erase(std::unique(grow.begin(), grow.end()), grow.end());
    for (const Row& r : grow) extras_[r] += p_.label_height + 2 * p_.pad;
  }
  chart_ = nullptr;
}

double ChartLayout::width() const {
  return p_.left + static_cast<double>(std::max<std::size_t>(1, lanes_)) * p_.lane_spacing + p_.right_room;
}

double ChartLayout::height() const {
  double h = axis_.height();
  for (const auto& l : labels_)
    if (l.placed) h = std::max(h, l.quad().bounds().y1);
  return h;
}

ChartLayout::Segment ChartLayout::arrow_segment(const Arrow& a) const {
  Segment s{lane_x(a.from), y(a.t_from, a.slot_from), 0, y(a.t_to, a.slot_to)};
  s.x2 = a.from == a.to ? s.x1 : s.x1 + (lane_x(a.to) - s.x1) * a.reach;
  return s;
}

Box ChartLayout::dot_box(const Mark& m) const {
  const double x = mark_x(m), yy = y(m.t, m.slot), r = p_.dot_radius;
  return Box{x - r, yy - r, x + r, yy + r};
}

Box ChartLayout::lock_box(const Arrow& a) const {
  const Segment s = arrow_segment(a);
  const double dx = s.x2 - s.x1, dy = s.y2 - s.y1, len = std::max(1.0, std::hypot(dx, dy));
  const double along = std::min(18.0, len / 3), cx = s.x1 + dx * along / len, cy = s.y1 + dy * along / len;
  return Box{cx - 5, cy - 6, cx + 5, cy + 6};
}

const PlacedLabel* ChartLayout::arrow_label(std::size_t i) const {
  return i < arrow_label_.size() && arrow_label_[i] >= 0 ? &labels_[arrow_label_[i]] : nullptr;
}

const PlacedLabel* ChartLayout::mark_label(std::size_t i) const {
  return i < mark_label_.size() && mark_label_[i] >= 0 ? &labels_[mark_label_[i]] : nullptr;
}

std::size_t ChartLayout::unplaced() const {
  return static_cast<std::size_t>(
      std::count_if(labels_.begin(), labels_.end(), [](const PlacedLabel& l) { return !l.placed; }));
}

std::string ChartLayout::elide(const std::string& text, double full_width, double width) const {
  if (full_width <= width) return text;
  // The longest prefix (plus the ellipsis) that fits: a binary search over code points.
  std::size_t lo = 1, hi = utf8_length(text);
  while (lo < hi) {
    std::size_t mid = (lo + hi + 1) / 2;
    if (p_.measure(truncate_utf8(text, mid)) <= width) lo = mid;
    else hi = mid - 1;
  }
  return truncate_utf8(text, lo);
}

std::vector<ChartLayout::Item> ChartLayout::items() const {
  std::vector<Item> out;
  for (std::size_t k = 0; k < labels_.size(); ++k) {
    const PlacedLabel& l = labels_[k];
    Item it{l.of, l.index, static_cast<int>(k), {}, {}, 0};
    if (l.of == PlacedLabel::Of::Arrow) {
      const Arrow& a = chart_->arrows[l.index];
      const Segment s = arrow_segment(a);
      it.lo = {a.t_from, a.slot_from};
      it.hi = {a.t_to, a.slot_to};
      if (it.hi < it.lo) std::swap(it.lo, it.hi);
      it.ideal_y = (s.y1 + s.y2) / 2;
      if (a.from != a.to) it.siblings = {a.from, a.to, a.t_from};
    } else {
      const Mark& m = chart_->marks[l.index];
      it.lo = it.hi = {m.t, m.slot};
      it.ideal_y = y(m.t, m.slot);
    }
    out.push_back(std::move(it));
  }
  std::stable_sort(out.begin(), out.end(), [](const Item& a, const Item& b) {
    return std::tie(a.ideal_y, a.of, a.index) < std::tie(b.ideal_y, b.of, b.index);
  });
  return out;
}

std::vector<ChartLayout::Candidate> ChartLayout::arrow_candidates(const Item& it) const {
  const Arrow& a = chart_->arrows[it.index];
  const double fw = full_width_[it.label], h = p_.label_height;
  const Segment s = arrow_segment(a);
  std::vector<Candidate> out;
  if (a.from == a.to) {  // right of the loop, anywhere along it
    std::string text = elide(a.label, fw, p_.lane_spacing - kLoopWidth - 24);
    const double w = text == a.label ? fw : p_.measure(text), x0 = s.x1 + kLoopWidth + 6;
    for (double f : kFractions) {
      const double yc = s.y1 + f * (s.y2 - s.y1);
      out.push_back({Box{x0, yc - h / 2, x0 + w, yc + h / 2}, 0, text});
    }
    return out;
  }
  const double dx = s.x2 - s.x1, dy = s.y2 - s.y1, len = std::hypot(dx, dy);
  const double full_len = std::hypot(lane_x(a.to) - s.x1, dy);
  const double room = std::max(40.0, (a.reach < 1 ? full_len : len) - 2 * kArrowMargin);
  std::string text = elide(a.label, fw, room);
  const double w = text == a.label ? fw : p_.measure(text);
  // Along the arrow, read left to right: turned to its slope, above (n points up) or below.
  const double ux = dx / std::max(len, 1e-9), uy = dy / std::max(len, 1e-9);
  const double angle = dx >= 0 ? std::atan2(dy, dx) : std::atan2(-dy, -dx);
  double nx = -uy, ny = ux;  // the normal pointing up; a sheared text moves straight up
  if (ny > 0) nx = -nx, ny = -ny;
  if (p_.turn == Turn::Shear) nx = 0, ny = -1;
  const double off = h / 2 + p_.gap;
  auto along = [&](const std::string& t, double tw) {
    if (len < tw + 2 * kArrowMargin) return;
    for (double f : kFractions) {
      const double at = std::clamp(f * len, kArrowMargin + tw / 2, len - kArrowMargin - tw / 2);
      const double px = s.x1 + ux * at, py = s.y1 + uy * at;
      for (double side : {1.0, -1.0}) {
        const double cx = px + side * nx * off, cy = py + side * ny * off;
        out.push_back({Box{cx - tw / 2, cy - h / 2, cx + tw / 2, cy + h / 2}, angle, t});
      }
    }
  };
  // Level, hugging the arrow at one corner: in the two quadrants around a point of the
  // arrow that the arrow does not cross (up-right and down-left of a line going down to the
  // right), within the lanes it joins. For a steep arrow this reads better than turned text.
  const double lo = std::min(s.x1, lane_x(a.to)) + kArrowMargin, hi = std::max(s.x1, lane_x(a.to)) - kArrowMargin;
  auto level = [&](const std::string& t, double tw) {
    if (len < 1e-9 || tw > hi - lo) return;
    const bool down_right = (dx >= 0) == (dy >= 0);
    for (double f : kFractions) {
      const double px = s.x1 + f * dx, py = s.y1 + f * dy;
      // Up: right of the point for a line going down to the right, else left of it.
      const double up_x0 = down_right ? px + p_.gap : px - p_.gap - tw;
      const double down_x0 = down_right ? px - p_.gap - tw : px + p_.gap;
      if (up_x0 >= lo && up_x0 + tw <= hi) out.push_back({Box{up_x0, py - p_.gap - h, up_x0 + tw, py - p_.gap}, 0, t});
      if (down_x0 >= lo && down_x0 + tw <= hi)
        out.push_back({Box{down_x0, py + p_.gap, down_x0 + tw, py + p_.gap + h}, 0, t});
    }
  };
  // Shorter forms (the whole text on hover): to slide away from a crowded end along the
  // arrow, or to lie level between the lanes.
  auto shortened = [&](double width) {
    std::string t = elide(a.label, fw, width);
    return std::make_pair(t, t == a.label ? fw : p_.measure(t));
  };
  const auto level_text = shortened(hi - lo), level_short = shortened(0.7 * (hi - lo));
  // Texts follow the arrow while it is gentle; a steep one is labelled level (a turned
  // text would take more height the steeper it is).
  const bool steep = std::abs(dy) > kMaxTurn * std::abs(dx);
  if (steep) {
    level(level_text.first, level_text.second);
    level(level_short.first, level_short.second);
  }
  along(text, w);
  if (!steep) level(level_text.first, level_text.second);
  for (double part : {0.7, 0.5}) {
    if (w <= part * room) break;
    const auto shorter = shortened(part * room);
    along(shorter.first, shorter.second);
  }
  if (!steep) level(level_short.first, level_short.second);
  if (!out.empty() && a.reach >= 1) return out;
  // Level, within the lanes the arrow joins (an arrow too short for its text: a packet that
  // has just left); one still on its way may also hang below its tip, in the future.
  const double x0 = w <= hi - lo ? std::clamp(s.x2 - w / 2, lo, hi - w) : (lo + hi - w) / 2;
  const double bottom = std::max(s.y1, s.y2);
  out.push_back({Box{x0, std::min(s.y1, s.y2) - p_.gap - h, x0 + w, std::min(s.y1, s.y2) - p_.gap}, 0, text});
  out.push_back({Box{x0, bottom + p_.gap, x0 + w, bottom + p_.gap + h}, 0, text});
  if (a.reach < 1)  // below "now", in the future it is heading for
    for (int k = 0; k < 12; ++k) {
      const double top = axis_.height() + p_.gap + k * (h + 2 * p_.pad);
      out.push_back({Box{x0, top, x0 + w, top + h}, 0, text});
    }
  return out;
}

std::vector<ChartLayout::Candidate> ChartLayout::mark_candidates(const Item& it) const {
  const Mark& m = chart_->marks[it.index];
  const double fw = full_width_[it.label], h = p_.label_height;
  const double x = mark_x(m), yy = y(m.t, m.slot);
  // Clear of the dot and its padding whatever the UI scale (they grow with it).
  const double offset = std::max(kMarkOffset, p_.dot_radius + p_.pad + 2);
  const double right_room = width() - 2 - (x + offset);
  const double left_room = x - offset - (p_.left + 2);
  const double lane_room = p_.lane_spacing - offset - 2 * p_.dot_radius - 2 * p_.pad;
  std::vector<Candidate> out;
  auto add = [&](bool right, double room) {
    if (room < 30) return;
    std::string text = elide(m.label, fw, room);
    const double w = text == m.label ? fw : p_.measure(text);
    const double x0 = right ? x + offset : x - offset - w;
    out.push_back({Box{x0, yy - h / 2, x0 + w, yy + h / 2}, 0, std::move(text)});
  };
  add(true, right_room);
  add(false, left_room);
  add(true, std::min(right_room, lane_room));
  add(false, std::min(left_room, lane_room));
  return out;
}

ChartLayout::Row ChartLayout::row_after(const Row& r) const {
  const auto& stops = axis_.stops();
  auto it = std::lower_bound(stops.begin(), stops.end(), r.first,
                             [](const TimeAxis::Stop& s, Time t) { return s.t < t; });
  if (it == stops.end()) return r;
  if (it->t == r.first && r.second + 1 < it->rows) return {r.first, r.second + 1};
  if (it->t == r.first) ++it;
  return it == stops.end() ? r : Row{it->t, 0};
}

std::vector<ChartLayout::Row> ChartLayout::place_all() {
  std::vector<Row> grow;
  ShapeIndex index;
  std::vector<std::pair<Row, Row>> owners;  // the rows of each shape's owner
  for (const auto& m : chart_->marks) {
    if (m.lane < 0) continue;
    index.add(Quad(dot_box(m), 0), static_cast<int>(owners.size()));
    owners.push_back({{m.t, m.slot}, {m.t, m.slot}});
  }
  for (const auto& a : chart_->arrows) {
    if (!a.encrypted || a.from == a.to) continue;
    index.add(Quad(lock_box(a), 0), static_cast<int>(owners.size()));
    Row lo{a.t_from, a.slot_from}, hi{a.t_to, a.slot_to};
    if (hi < lo) std::swap(lo, hi);
    owners.push_back({lo, hi});
  }
  std::map<std::tuple<int, int, Time>, double> sibling_y;  // the last sibling's centre
  for (const Item& it : items()) {
    PlacedLabel& l = labels_[it.label];
    l.placed = false;
    l.text.clear();
    std::vector<Candidate> cands =
        it.of == PlacedLabel::Of::Arrow ? arrow_candidates(it) : mark_candidates(it);
    if (cands.empty()) continue;
    auto sib = sibling_y.find(it.siblings);
    const bool ordered = std::get<0>(it.siblings) >= 0 && sib != sibling_y.end();
    for (auto& c : cands) {
      if (ordered && (c.box.y0 + c.box.y1) / 2 <= sib->second) continue;
      if (index.hit(Quad(c.box, c.angle, p_.turn), p_.pad) != -2) continue;
      l.box = c.box;
      l.angle = c.angle;
      l.turn = p_.turn;
      l.text = std::move(c.text);
      l.placed = true;
      break;
    }
    if (!l.placed) {
      // More height where it separates this label from what is in its way.
      const int blocker = index.hit(Quad(cands.front().box, cands.front().angle, p_.turn), p_.pad);
      Row at = it.lo;
      if (blocker >= 0 && owners[blocker].second < it.hi) at = std::max(it.lo, row_after(owners[blocker].second));
      grow.push_back(at);
      l.box = cands.front().box;
      l.angle = cands.front().angle;
      continue;
    }
    index.add(l.quad(), static_cast<int>(owners.size()));
    owners.push_back({it.lo, it.hi});
    if (std::get<0>(it.siblings) >= 0) sibling_y[it.siblings] = (l.box.y0 + l.box.y1) / 2;
  }
  return grow;
}

}  // namespace maillab::viz
