#include "bridge/wall_runtime.hpp"

#include <boost/asio/post.hpp>

namespace maillab::bridge {

WallRuntime::WallRuntime(boost::asio::io_context& io, std::string name)
    : io_(io), name_(std::move(name)), address_("127.0.0.1") {}

WallRuntime::~WallRuntime() {
  for (auto& [h, t] : timers_) t->cancel();
}

io::Time WallRuntime::now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count();
}

io::TimerHandle WallRuntime::start_timer(io::Time delay, std::function<void()> fn) {
  const io::TimerHandle h = ++next_;
  auto timer = std::make_unique<boost::asio::steady_timer>(io_, std::chrono::nanoseconds(delay));
  timer->async_wait([this, alive = std::weak_ptr<int>(alive_), h, fn = std::move(fn)](
                        const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted || alive.expired()) return;
    auto it = timers_.find(h);
    if (it == timers_.end()) return;  // cancelled, perhaps after it had expired
    timers_.erase(it);
    fn();
  });
  timers_.emplace(h, std::move(timer));
  return h;
}

void WallRuntime::cancel_timer(io::TimerHandle h) {
  auto it = timers_.find(h);
  if (it == timers_.end()) return;
  it->second->cancel();  // its handler still runs (aborted) and finds no entry
  timers_.erase(it);
}

void WallRuntime::connect(const std::string&, std::uint16_t, io::Time,
                          std::function<void(io::ConnectStatus, io::ConnectionPtr)> done) {
  // Never from inside the call (io::Runtime's rule for callbacks).
  boost::asio::post(io_, [done = std::move(done)] { done(io::ConnectStatus::Unreachable, nullptr); });
}

}  // namespace maillab::bridge
