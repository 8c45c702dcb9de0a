// The Queues panel: per MTA, its incoming / active / deferred / hold queues as on its
// virtual disk (so a crashed host still shows the mail it will resume), each message with
// its attempts and, when deferred, the time of its next retry.
#pragma once

#include "viz/gui/model.hpp"
#include "viz/gui/ui.hpp"

namespace maillab::viz {

struct QueuesPanel {
  explicit QueuesPanel(Ui& u) : ui(u) {}
  void draw(const Model& m);

  Ui& ui;
};

}  // namespace maillab::viz
