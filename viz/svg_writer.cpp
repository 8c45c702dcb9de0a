#include "viz/svg_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "scenarios/runner.hpp"
#include "viz/chart_style.hpp"
#include "viz/host_roles.hpp"
#include "viz/text.hpp"
#include "viz/time_axis.hpp"

namespace maillab::viz {

namespace {

constexpr double kLeft = 120;      // time labels
constexpr double kHeaderY = 84;    // lane header boxes
constexpr double kNameLine = 15;   // a line of a host name in a header
constexpr double kNameWidth = kLaneSpacing - 32;
// Bold 13 px DejaVu Sans, a little wider than its average letter.
double name_width(std::string_view s) { return static_cast<double>(utf8_length(s)) * 8.4; }
constexpr double kMarkRoom = 240;  // right of the last lane, for its marks
// Labels sit on a white halo (stroke painted under the fill) so lines never cross them.
constexpr const char* kLabelStyle =
    "font-family=\"DejaVu Sans Mono, monospace\" font-size=\"11\" stroke=\"#ffffff\" "
    "stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"";

std::string hex(Rgb c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c.r, c.g, c.b);
  return buf;
}

std::string num(double v) { return fixed(v, 1); }

class Writer {
 public:
  Writer(const SequenceChart& c, const SvgOptions& opt) : c_(c), opt_(opt), layout_(c, svg_layout_params()) {
    std::size_t most = 1;
    for (const auto& l : c_.lanes) {
      names_.push_back(wrap_name(l.host, kNameWidth, name_width));
      most = std::max(most, names_.back().size());
    }
    header_h_ = 50 + kNameLine * static_cast<double>(most - 1);
    top_ = kHeaderY + header_h_ + 16;
  }

  std::string run() {
    const double width = layout_.width();
    const double height = top_ + layout_.height() + 60;
    o_ << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
       << "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" << num(width)
       << "\" height=\"" << num(height) << "\" viewBox=\"0 0 " << num(width) << " "
       << num(height) << "\" font-family=\"DejaVu Sans, Verdana, sans-serif\" font-size=\"12\">\n";
    defs();
    o_ << "<rect x=\"0\" y=\"0\" width=\"" << num(width) << "\" height=\"" << num(height)
       << "\" fill=\"#ffffff\"/>\n";
    header(width);
    gaps(width);
    lanes();
    bars();
    time_labels();
    for (const auto& a : c_.arrows) arrow(a);
    for (const auto& m : c_.marks) mark(m);
    for (const auto& l : layout_.labels()) label(l);
    o_ << "<text x=\"16\" y=\"" << num(top_ + layout_.height() + 34)
       << "\" font-size=\"11\" fill=\"#444444\">end of the run: "
       << xml_escape_text(scenario::format_clock(c_.end)) << "</text>\n";
    o_ << "</svg>\n";
    return o_.str();
  }

 private:
  double lane_x(int lane) const { return layout_.lane_x(lane); }
  double y(Time t, int slot = 0) const { return top_ + layout_.y(t, slot); }

  void defs() {
    o_ << "<defs>\n";
    for (Outcome oc : {Outcome::Ok, Outcome::Intermediate, Outcome::Transient,
                       Outcome::Permanent, Outcome::Timeout, Outcome::Neutral}) {
      std::string col = hex(outcome_rgb(oc));
      o_ << "<marker id=\"head-" << outcome_name(oc)
         << "\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" "
            "orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\""
         << col << "\"/></marker>\n";
      o_ << "<marker id=\"cross-" << outcome_name(oc)
         << "\" viewBox=\"0 0 10 10\" refX=\"5\" refY=\"5\" markerWidth=\"10\" markerHeight=\"10\" "
            "orient=\"auto\"><path d=\"M1,1 L9,9 M9,1 L1,9\" stroke=\""
         << col << "\" stroke-width=\"2\"/></marker>\n";
    }
    o_ << "</defs>\n";
  }

  void header(double width) {
    o_ << "<text x=\"16\" y=\"26\" font-size=\"17\" font-weight=\"bold\" fill=\"#222222\">"
       << xml_escape_text(c_.title) << "</text>\n";
    std::string sub = "sequence chart";
    if (opt_.seed) sub += " \u00b7 seed " + std::to_string(*opt_.seed);
    sub += " \u00b7 until " + scenario::format_clock(c_.end) +
           " \u00b7 time flows down; idle gaps are compressed and marked \u22ef length \u22ef";
    o_ << "<text x=\"16\" y=\"46\" font-size=\"12\" fill=\"#555555\">" << xml_escape_text(sub)
       << "</text>\n";
    double x = 16;
    for (const auto& e : kLegend) {
      std::string col = hex(outcome_rgb(e.outcome));
      o_ << "<line x1=\"" << num(x) << "\" y1=\"64\" x2=\"" << num(x + 22)
         << "\" y2=\"64\" stroke=\"" << col << "\" stroke-width=\"2\" marker-end=\"url(#head-"
         << outcome_name(e.outcome) << ")\"/>\n";
      o_ << "<text x=\"" << num(x + 28) << "\" y=\"68\" font-size=\"11\" fill=\"" << col << "\">"
         << xml_escape_text(e.text) << "</text>\n";
      x += 40 + utf8_length(e.text) * 6.2;
    }
    auto swatch = [&](Rgb c, const char* text, double opacity) {
      o_ << "<rect x=\"" << num(x) << "\" y=\"58\" width=\"8\" height=\"12\" fill=\"" << hex(c)
         << "\" fill-opacity=\"" << fixed(opacity, 2) << "\"/>\n";
      o_ << "<text x=\"" << num(x + 13) << "\" y=\"68\" font-size=\"11\" fill=\"#444444\">"
         << text << "</text>\n";
      x += 24 + std::char_traits<char>::length(text) * 6.2;
    };
    swatch(kQueueActive, "in a queue", 1);
    swatch(kQueueDeferred, "deferred in a queue", 1);
    swatch(kDown, "host down", 0.25);
    (void)width;
    for (std::size_t i = 0; i < c_.lanes.size(); ++i) {
      const Lane& l = c_.lanes[i];
      double cx = lane_x(static_cast<int>(i));
      const double below = kNameLine * static_cast<double>(names_[i].size() - 1);
      o_ << "<g class=\"lane-header\" id=\"lane-" << xml_escape_text(l.host) << "\">"
         << "<title>" << xml_escape_text(l.host + " " + l.address + " (" + roles_label(l.roles) + ")")
         << "</title><rect x=\"" << num(cx - kLaneSpacing / 2 + 12) << "\" y=\"" << num(kHeaderY)
         << "\" width=\"" << num(kLaneSpacing - 24) << "\" height=\"" << num(header_h_)
         << "\" rx=\"6\" fill=\"#eef2f8\" stroke=\"#8899bb\"/>"
         << "<text class=\"host\" x=\"" << num(cx) << "\" y=\"" << num(kHeaderY + 18)
         << "\" text-anchor=\"middle\" font-weight=\"bold\" font-size=\"13\" fill=\"#1a2a4a\">";
      for (std::size_t k = 0; k < names_[i].size(); ++k)
        o_ << "<tspan x=\"" << num(cx) << "\" dy=\"" << (k == 0 ? "0" : num(kNameLine)) << "\">"
           << xml_escape_text(names_[i][k]) << "</tspan>";
      o_ << "</text>"
         << "<text x=\"" << num(cx) << "\" y=\"" << num(kHeaderY + 32 + below)
         << "\" text-anchor=\"middle\" font-size=\"11\" fill=\"#334466\">"
         << xml_escape_text(roles_label(l.roles)) << "</text>"
         << "<text x=\"" << num(cx) << "\" y=\"" << num(kHeaderY + 45 + below)
         << "\" text-anchor=\"middle\" font-size=\"10\" fill=\"#667788\">"
         << xml_escape_text(l.address) << "</text></g>\n";
    }
  }

  void gaps(double width) {
    for (const auto& g : layout_.axis().gaps()) {
      double y0 = top_ + g.y0 + 5, y1 = top_ + g.y1 - 5;
      std::string span = format_span(g.to - g.from);
      o_ << "<g class=\"gap\"><title>" << xml_escape_text("idle for " + span + ": " +
                                                          scenario::format_clock(g.from) + " .. " +
                                                          scenario::format_clock(g.to))
         << "</title><rect x=\"" << num(kLeft - 110) << "\" y=\"" << num(y0) << "\" width=\""
         << num(width - kLeft + 100) << "\" height=\"" << num(y1 - y0)
         << "\" fill=\"#f1f1f1\"/><text x=\"" << num(kLeft - 8) << "\" y=\""
         << num((y0 + y1) / 2 + 4) << "\" text-anchor=\"end\" font-size=\"11\" "
            "font-style=\"italic\" fill=\"#777777\">"
         << xml_escape_text("\u22ef " + span + " \u22ef") << "</text></g>\n";
    }
  }

  void lanes() {
    const double bottom = top_ + layout_.height() + 14;
    for (std::size_t i = 0; i < c_.lanes.size(); ++i) {
      const Lane& l = c_.lanes[i];
      double x = lane_x(static_cast<int>(i));
      o_ << "<line class=\"lane\" x1=\"" << num(x) << "\" y1=\"" << num(kHeaderY + header_h_)
         << "\" x2=\"" << num(x) << "\" y2=\"" << num(bottom)
         << "\" stroke=\"#9aa4b4\" stroke-width=\"1.5\"/>\n";
      for (const auto& d : l.down) {
        double y0 = y(d.from), y1 = std::max(y(d.to), y0 + 4);
        o_ << "<g class=\"down\"><title>" << xml_escape_text(l.host + " down from " +
                                                             scenario::format_clock(d.from) + " to " +
                                                             scenario::format_clock(d.to))
           << "</title><rect x=\"" << num(x - 9) << "\" y=\"" << num(y0) << "\" width=\"18\" height=\""
           << num(y1 - y0) << "\" fill=\"" << hex(kDown) << "\" fill-opacity=\"0.18\"/><line x1=\""
           << num(x) << "\" y1=\"" << num(y0) << "\" x2=\"" << num(x) << "\" y2=\"" << num(y1)
           << "\" stroke=\"" << hex(kDown) << "\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/></g>\n";
      }
    }
  }

  void bars() {
    for (const auto& b : c_.bars) {
      double x = lane_x(b.lane) - 7 - b.column * 9;
      double y0 = y(b.from), y1 = std::max(y(b.to), y0 + 2);
      std::string what = std::string(b.deferred ? "deferred in the queue: " : "in the queue: ") +
                         b.queue_id + " \u201c" + b.subject + "\u201d " +
                         scenario::format_clock(b.from) + " .. " + scenario::format_clock(b.to);
      o_ << "<rect class=\"queue\" x=\"" << num(x - 3) << "\" y=\"" << num(y0)
         << "\" width=\"6\" height=\"" << num(y1 - y0) << "\" fill=\""
         << hex(b.deferred ? kQueueDeferred : kQueueActive) << "\"><title>"
         << xml_escape_text(what) << "</title></rect>\n";
    }
  }

  void time_labels() {
    double last = -1e9;
    for (const auto& s : layout_.axis().stops()) {
      double yy = top_ + s.y;
      if (yy - last < 14) continue;
      last = yy;
      o_ << "<text x=\"" << num(kLeft - 8) << "\" y=\"" << num(yy + 4)
         << "\" text-anchor=\"end\" font-size=\"10\" fill=\"#555555\">"
         << xml_escape_text(scenario::format_clock(s.t)) << "</text><line x1=\"" << num(kLeft - 4)
         << "\" y1=\"" << num(yy) << "\" x2=\"" << num(kLeft) << "\" y2=\"" << num(yy)
         << "\" stroke=\"#999999\"/>\n";
    }
  }

  void arrow(const Arrow& a) {
    const std::string col = hex(outcome_rgb(a.outcome));
    const ChartLayout::Segment sg = layout_.arrow_segment(a);
    const double y1 = top_ + sg.y1, y2 = top_ + sg.y2;
    const bool failed = a.kind == ArrowKind::Lost || a.kind == ArrowKind::ConnectFailed;
    const bool dashed = failed || a.kind == ArrowKind::Connect;
    std::string end = failed ? "cross-" : "head-";
    o_ << "<g class=\"arrow " << outcome_name(a.outcome) << "\"><title>"
       << xml_escape_text(a.detail) << "</title>";
    std::string style = "stroke=\"" + col + "\" stroke-width=\"1.4\" fill=\"none\"" +
                        (dashed ? " stroke-dasharray=\"5 3\"" : "") + " marker-end=\"url(#" + end +
                        outcome_name(a.outcome) + ")\"";
    if (a.from == a.to) {  // a host talking to itself: a loop to the right
      o_ << "<path d=\"M" << num(sg.x1) << "," << num(y1) << " h36 V" << num(y2) << " H"
         << num(sg.x1 + 2) << "\" " << style << "/>";
    } else {
      o_ << "<line x1=\"" << num(sg.x1) << "\" y1=\"" << num(y1) << "\" x2=\"" << num(sg.x2)
         << "\" y2=\"" << num(y2) << "\" " << style << "/>";
      if (a.encrypted) lock(layout_.lock_box(a), col);
    }
    o_ << "</g>\n";
  }

  // A padlock: a shackle over a body, on a white disc so the arrow's line does not cross it.
  void lock(const Box& b, const std::string& col) {
    const double x0 = b.x0, y0 = top_ + b.y0, w = b.x1 - b.x0, h = b.y1 - b.y0;
    o_ << "<g class=\"lock\"><circle cx=\"" << num(x0 + w / 2) << "\" cy=\"" << num(y0 + h / 2) << "\" r=\""
       << num(h / 2 + 1) << "\" fill=\"#ffffff\"/><path d=\"M" << num(x0 + 2.5) << "," << num(y0 + h / 2)
       << " v-2.5 a2.5,2.5 0 0 1 5,0 v2.5\" stroke=\"" << col << "\" stroke-width=\"1.3\" fill=\"none\"/><rect x=\""
       << num(x0 + 1) << "\" y=\"" << num(y0 + h / 2) << "\" width=\"" << num(w - 2) << "\" height=\"" << num(h / 2 - 0.5)
       << "\" rx=\"1\" fill=\"" << col << "\"/></g>";
  }

  void mark(const Mark& m) {
    const Box d = layout_.dot_box(m);
    o_ << "<g class=\"mark " << outcome_name(m.outcome) << "\"><title>"
       << xml_escape_text(m.detail) << "</title><circle cx=\"" << num((d.x0 + d.x1) / 2) << "\" cy=\""
       << num(top_ + (d.y0 + d.y1) / 2) << "\" r=\"4\" fill=\"" << hex(outcome_rgb(m.outcome))
       << "\"/></g>\n";
  }

  // A label on a white halo (paint-order for renderers that know it, a rectangle for the
  // others), above every line; its own <title> repeats the full story.
  void label(const PlacedLabel& l) {
    if (!l.placed) return;
    const bool arrow = l.of == PlacedLabel::Of::Arrow;
    const Outcome oc = arrow ? c_.arrows[l.index].outcome : c_.marks[l.index].outcome;
    const std::string& detail = arrow ? c_.arrows[l.index].detail : c_.marks[l.index].detail;
    const double y0 = top_ + l.box.y0;
    std::string turn;
    if (l.angle != 0)
      turn = " transform=\"rotate(" + fixed(l.angle * 180 / 3.14159265358979323846, 2) + " " +
             num((l.box.x0 + l.box.x1) / 2) + " " + num(top_ + (l.box.y0 + l.box.y1) / 2) + ")\"";
    o_ << "<g class=\"label-of-" << (arrow ? "arrow" : "mark") << "\"><title>" << xml_escape_text(detail)
       << "</title><rect class=\"halo\" x=\"" << num(l.box.x0 - 1) << "\" y=\"" << num(y0)
       << "\" width=\"" << num(l.box.x1 - l.box.x0 + 2) << "\" height=\"" << num(l.box.y1 - l.box.y0)
       << "\"" << turn << " fill=\"#ffffff\" fill-opacity=\"0.92\"/><text class=\"label\" " << kLabelStyle
       << " x=\"" << num(l.box.x0) << "\" y=\"" << num(y0 + 10) << "\"" << turn << " fill=\""
       << hex(outcome_rgb(oc)) << "\">" << xml_escape_text(l.text) << "</text></g>\n";
  }

  const SequenceChart& c_;
  const SvgOptions& opt_;
  ChartLayout layout_;
  std::vector<std::vector<std::string>> names_;  // each lane's host name, wrapped
  double header_h_ = 50;
  double top_ = 150;  // y of time 0: below the headers
  std::ostringstream o_;
};

}  // namespace

LayoutParams svg_layout_params() {
  LayoutParams p;
  p.left = kLeft;
  p.lane_spacing = kLaneSpacing;
  p.right_room = kMarkRoom;
  p.label_height = 13;
  p.measure = [](std::string_view s) { return static_cast<double>(utf8_length(s)) * kCharWidth; };
  return p;
}

std::string to_svg(const SequenceChart& chart, const SvgOptions& opt) {
  return Writer(chart, opt).run();
}

}  // namespace maillab::viz
