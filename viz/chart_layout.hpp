// viz::ChartLayout: the sequence chart placed on a plane - lane positions, the time axis and
// a box for every label - computed once for the SVG export and the Timeline panel alike, so
// both draw the same picture (they differ only in their LayoutParams: lane spacing, font).
//
// The label-placement pass (the rule of Mermaid's and PlantUML's sequence diagrams: labels
// never collide):
// - every arrow text and every mark text gets a box; mark dots are obstacles too;
// - labels are placed from the top of the chart down; an arrow's text runs along its arrow
//   (turned to its slope, so it stays close to it from end to end), may slide along it and
//   sit above or below it; a mark's text sits right or left of its dot, shortened to the
//   next lane when the long form is in the way;
// - when no place is free, the chart row the label hangs on is given more height and the
//   pass starts over (rows grow; time still flows down);
// - a text longer than its room is elided with "…"; the full text stays in the chart
//   (hover, <title>);
// - commands pipelined at the same instant (MAIL, RCPT, DATA) keep their order top to bottom.
// Invariants (tests/viz/chart_layout_test.cpp, every built-in scenario at several times):
// no two label boxes intersect, no label covers a dot, pipelined labels are in slot order,
// every label is inside the chart. Deterministic: same chart and params, same layout.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "viz/sequence_chart.hpp"
#include "viz/time_axis.hpp"

namespace maillab::viz {

struct Box {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool intersects(const Box& o, double pad = 0) const {
    return x0 < o.x1 + pad && o.x0 < x1 + pad && y0 < o.y1 + pad && o.y0 < y1 + pad;
  }
  bool contains(double x, double y) const { return x >= x0 && x <= x1 && y >= y0 && y <= y1; }
};

// How a text follows a sloping arrow: turned (the SVG: rotate) or sheared (ImGui: each
// glyph upright, its baseline stepping along the slope; turned glyphs do not survive the
// software renderer's sampling).
enum class Turn { Rotate, Shear };

// A box turned or sheared by `angle` (radians, clockwise on screen) about its centre: an
// arrow's text runs along its arrow. A parallelogram (corners in order); intersection by
// separating axes.
struct Quad {
  double x[4] = {}, y[4] = {};
  Quad() = default;
  Quad(const Box& b, double angle, Turn turn = Turn::Rotate);
  Box bounds() const;
  bool intersects(const Quad& o, double pad = 0) const;  // closer than pad
  bool contains(double px, double py) const;
};

struct LayoutParams {
  double left = 120;          // x where the first lane's column starts (time labels left of it)
  double lane_spacing = 250;  // lane to lane
  double right_room = 240;    // beyond the last lane's column, for the marks of the last lane
  double label_height = 13;   // a label box's height (the font's line)
  double gap = 2;             // between a label and its own arrow
  double pad = 2;             // least distance between two boxes (the labels' halos)
  double dot_radius = 4.5;
  Turn turn = Turn::Rotate;
  AxisParams axis;
  // Width in px of a text as drawn (the font's metrics).
  std::function<double(std::string_view)> measure;
};

struct PlacedLabel {
  enum class Of { Arrow, Mark };
  Of of = Of::Arrow;
  std::size_t index = 0;  // in chart.arrows / chart.marks
  std::string text;       // as drawn: the label, or its elided form
  Box box;                // before turning: the text's box
  double angle = 0;       // turned about the box's centre (an arrow's slope), radians
  Turn turn = Turn::Rotate;
  bool placed = false;    // false: no room even after growing (drawn nowhere; hover has it)
  Quad quad() const { return Quad(box, angle, turn); }
};

class ChartLayout {
 public:
  ChartLayout() = default;
  ChartLayout(const SequenceChart& chart, LayoutParams p);

  const LayoutParams& params() const { return p_; }
  const TimeAxis& axis() const { return axis_; }
  double lane_x(int lane) const { return p_.left + p_.lane_spacing / 2 + lane * p_.lane_spacing; }
  double y(Time t, int slot = 0) const { return axis_.y(t, slot); }
  double width() const;
  double height() const;  // of the axis, or of the lowest label when it is lower

  // The drawn segment of an arrow (a self-arrow is a loop right of its lane).
  struct Segment {
    double x1, y1, x2, y2;
  };
  Segment arrow_segment(const Arrow& a) const;
  Box dot_box(const Mark& m) const;
  // Where an encrypted arrow's lock is drawn: on the line, near its start, kept clear of
  // labels as the dots are. Only for arrows with encrypted and two different lanes.
  Box lock_box(const Arrow& a) const;
  double mark_x(const Mark& m) const { return m.lane >= 0 ? lane_x(m.lane) : p_.left + 6; }

  const std::vector<PlacedLabel>& labels() const { return labels_; }
  // The label of chart.arrows[i] / chart.marks[i] (nullptr for an arrow without text).
  const PlacedLabel* arrow_label(std::size_t i) const;
  const PlacedLabel* mark_label(std::size_t i) const;
  int growth_rounds() const { return rounds_; }
  std::size_t unplaced() const;

 private:
  using Row = std::pair<Time, int>;
  struct Item;
  struct Candidate {
    Box box;
    double angle;
    std::string text;
  };

  std::vector<Item> items() const;
  std::vector<Candidate> arrow_candidates(const Item& it) const;
  std::vector<Candidate> mark_candidates(const Item& it) const;
  // One placement over the current axis; returns the rows that need more height.
  std::vector<Row> place_all();
  Row row_after(const Row& r) const;
  std::string elide(const std::string& text, double full_width, double width) const;

  const SequenceChart* chart_ = nullptr;  // during the construction only
  LayoutParams p_;
  std::size_t lanes_ = 0;
  TimeAxis axis_;
  RowExtras extras_;
  std::vector<PlacedLabel> labels_;
  std::vector<int> arrow_label_, mark_label_;  // index into labels_, -1 none
  std::vector<double> full_width_;             // of each label's full text, by labels_ index
  int rounds_ = 0;
};

}  // namespace maillab::viz
