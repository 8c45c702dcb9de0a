#include "bridge/asio_connection.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace maillab::bridge {

namespace asio = boost::asio;
using boost::system::error_code;

std::string AsioConnection::address_text(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  }
  return a.to_string();
}

AsioConnection::AsioConnection(asio::ip::tcp::socket socket, std::uint16_t local_port,
                               std::chrono::milliseconds linger)
    : socket_(std::move(socket)),
      linger_timer_(socket_.get_executor()),
      linger_(linger),
      local_port_(local_port) {
  error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  if (!ec) {
    peer_address_ = address_text(ep.address());
    peer_port_ = ep.port();
  }
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

AsioConnection::AsioConnection(asio::ip::tcp::socket socket, std::uint16_t local_port,
                               std::string peer_address, std::uint16_t peer_port,
                               std::chrono::milliseconds linger)
    : socket_(std::move(socket)),
      linger_timer_(socket_.get_executor()),
      linger_(linger),
      peer_address_(std::move(peer_address)),
      peer_port_(peer_port),
      local_port_(local_port) {
  error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

AsioConnection::~AsioConnection() {
  error_code ec;
  socket_.close(ec);
}

void AsioConnection::start() {
  if (started_) return;
  started_ = true;
  do_read();
}

void AsioConnection::do_read() {
  if (closed_ || read_pending_) return;
  read_pending_ = true;
  socket_.async_read_some(asio::buffer(buf_),
                          bind_memory(read_memory_, [self = shared_from_this()](
                                                        const error_code& ec, std::size_t n) {
                            self->on_read(ec, n);
                          }));
}

void AsioConnection::on_read(const error_code& ec, std::size_t n) {
  read_pending_ = false;
  if (closed_) return;
  if (ec) {
    if (ec == asio::error::operation_aborted) return;
    if (limbo_ || shut_down_ || aborted_) {
      close_socket();
      return;
    }
    if (ec != asio::error::eof) {
      out_.clear();
      held_.clear();
      deliver_close(io::CloseKind::Reset);
      close_socket();
      return;
    }
    // The peer sends no more; what we still have to say is written, then we close.
    peer_eof_ = true;
    if (handler_ && !reported_ && (paused_ || !unread_.empty())) {
      owed_close_ = io::CloseKind::Orderly;  // after the data it follows (flush_unread)
      return;
    }
    deliver_close(io::CloseKind::Orderly);
    local_closed_ = true;
    maybe_finish_close();
    return;
  }
  const bool discarding = limbo_ || local_closed_ || reported_;
  if (!discarding) {
    std::string_view data(buf_.data(), n);
    if (handler_ && !owed_close_ && !paused_ && unread_.empty()) {
      auto scope = engine_call();
      handler_->on_data(data);  // may close, abort, pause or drop us (the lambda keeps us alive)
    } else {
      unread_.append(data);
    }
  }
  // Paused, or bytes wait for a handler: no more reads, so TCP holds the peer back.
  if (limbo_ || local_closed_ || reported_ || (!paused_ && unread_.size() < buf_.size())) do_read();
}

void AsioConnection::set_handler(io::ConnectionHandler* h) {
  handler_ = h;
  if (h && (!unread_.empty() || owed_close_)) post_flush();
}

void AsioConnection::post_flush() {
  if (flush_posted_) return;
  flush_posted_ = true;
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->flush_unread(); });
}

void AsioConnection::pause_reading(bool paused) {
  paused_ = paused;
  if (paused || closed_) return;
  if (!unread_.empty() || owed_close_) {
    post_flush();
  } else if (started_ && !read_pending_) {
    do_read();
  }
}

void AsioConnection::flush_unread() {
  flush_posted_ = false;
  if (reported_ || !handler_) return;
  // One read's worth at a time, as on_read hands them over; a pause stops it.
  while (handler_ && !reported_ && !paused_ && !unread_.empty()) {
    const std::size_t n = std::min(unread_.size(), buf_.size());
    std::string data = unread_.substr(0, n);
    unread_.erase(0, n);
    auto scope = engine_call();
    handler_->on_data(data);
  }
  if (!handler_ || reported_ || paused_ || !unread_.empty()) return;
  if (owed_close_) {
    auto why = *owed_close_;
    owed_close_.reset();
    reported_ = true;
    auto* h = handler_;
    handler_ = nullptr;
    h->on_close(why);
    if (peer_eof_ && !local_closed_) {
      local_closed_ = true;
      maybe_finish_close();
    }
    return;
  }
  if (started_ && !read_pending_ && !closed_) do_read();
}

void AsioConnection::notify_drained(std::size_t level) {
  drain_wanted_ = true;
  drain_level_ = level;
  if (unsent() > level || drain_posted_) return;
  drain_posted_ = true;
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->drain_posted_ = false;
    self->check_drained();
  });
}

void AsioConnection::check_drained() {
  if (!drain_wanted_ || unsent() > drain_level_ || !handler_ || reported_ || closed_) return;
  drain_wanted_ = false;
  auto scope = engine_call();
  handler_->on_drained();
}

void AsioConnection::deliver_close(io::CloseKind why) {
  if (reported_) return;
  if (owed_close_) {
    // An orderly close waiting behind unread data: an error overrides it, now.
    if (why == io::CloseKind::Orderly || !handler_) return;
    owed_close_.reset();
    unread_.clear();
  }
  if (!handler_) {
    owed_close_ = why;
    return;
  }
  reported_ = true;
  auto* h = handler_;
  handler_ = nullptr;
  h->on_close(why);
}

void AsioConnection::send(std::string_view bytes) {
  if (closed_ || aborted_ || local_closed_ || limbo_ || write_failed_) return;
  if (commit_) {
    std::uint64_t need = std::max(own_need_, commit_->need_now());
    if (need > commit_->durable() || !held_.empty()) {
      held_.append(bytes);
      held_need_ = std::max(held_need_, need);
      if (!in_hold_) {
        in_hold_ = true;
        commit_->wait(shared_from_this());
      }
      return;
    }
  }
  out_.append(bytes);
  if (!write_in_flight_) do_write();
}

void AsioConnection::release_held(bool write) {
  in_hold_ = false;
  held_need_ = 0;
  if (!write || closed_ || held_.empty()) {
    held_.clear();
    return;
  }
  out_.append(held_);
  held_.clear();
  if (!write_in_flight_) do_write();
}

void AsioConnection::do_write() {
  if (closed_ || out_.empty()) {
    maybe_finish_close();
    return;
  }
  writing_.swap(out_);
  out_.clear();
  write_in_flight_ = true;
  asio::async_write(socket_, asio::buffer(writing_),
                    bind_memory(write_memory_, [self = shared_from_this()](const error_code& ec,
                                                                          std::size_t) {
                      self->write_in_flight_ = false;
                      self->writing_.clear();
                      if (self->closed_ || ec == asio::error::operation_aborted) return;
                      if (ec) {
                        self->write_failed_ = true;
                        self->out_.clear();
                        self->held_.clear();
                        self->deliver_close(io::CloseKind::Reset);
                        self->close_socket();
                        return;
                      }
                      self->do_write();
                      self->check_drained();
                    }));
}

void AsioConnection::close() {
  if (closed_ || aborted_ || local_closed_) {
    handler_ = nullptr;
    return;
  }
  local_closed_ = true;
  handler_ = nullptr;
  reported_ = true;
  owed_close_.reset();
  unread_.clear();
  maybe_finish_close();
}

void AsioConnection::maybe_finish_close() {
  if (!local_closed_ || closed_ || write_in_flight_ || !out_.empty() || !held_.empty()) return;
  error_code ec;
  if (peer_eof_) {
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    close_socket();
    return;
  }
  if (shut_down_) return;
  shut_down_ = true;
  // FIN now; keep reading (and discarding) until the peer closes too, so unread bytes of
  // ours never turn the close into a reset that would destroy our last reply in flight.
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  linger_timer_.expires_after(linger_);
  linger_timer_.async_wait([self = shared_from_this()](const error_code& e) {
    if (!e) self->close_socket();
  });
  if (started_) do_read();
}

void AsioConnection::abort() {
  handler_ = nullptr;
  reported_ = true;
  owed_close_.reset();
  if (closed_) return;
  if (dead_host_ && dead_host_()) {
    // The service is being torn down by its host's crash: a dead machine sends no RST.
    to_limbo();
    return;
  }
  reset();
}

void AsioConnection::reset() {
  handler_ = nullptr;
  reported_ = true;
  owed_close_.reset();
  if (closed_) return;
  aborted_ = true;
  error_code ec;
  socket_.set_option(asio::socket_base::linger(true, 0), ec);
  close_socket();
}

void AsioConnection::fail(io::CloseKind why) {
  if (closed_) return;
  if (local_closed_) {  // already closing on our side: just stop
    close_socket();
    return;
  }
  deliver_close(why);
  reset();
}

void AsioConnection::to_limbo() {
  if (closed_ || local_closed_) {
    handler_ = nullptr;
    return;
  }
  handler_ = nullptr;
  reported_ = true;
  owed_close_.reset();
  limbo_ = true;
  out_.clear();
  held_.clear();
  unread_.clear();
  if (!started_) start();
}

bool AsioConnection::busy() const {
  if (closed_ || limbo_) return false;
  return handler_ != nullptr || owed_close_.has_value() || write_in_flight_ || !out_.empty() ||
         !held_.empty();
}

void AsioConnection::close_socket() {
  if (closed_) return;
  closed_ = true;
  linger_timer_.cancel();
  error_code ec;
  socket_.close(ec);
}

}  // namespace maillab::bridge
