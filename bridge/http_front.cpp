#include "bridge/http_front.hpp"


#include "base/ascii.hpp"
#include "bridge/asio_connection.hpp"
#include "bridge/server.hpp"
#include "protocols/http/server_session.hpp"
#include "protocols/services/session_driver.hpp"

namespace maillab::bridge {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kTick = std::chrono::milliseconds(100);
constexpr int kKeepAliveTicks = 150;          // 15 s
constexpr std::size_t kEventsPerTick = 2000;  // per client, so one tick stays short

}  // namespace

struct HttpFront::Client final : http::ServerHandler {
  using Driver = services::SessionDriver<http::ServerSession>;

  explicit Client(HttpFront& f) : front(f) {}

  http::Answer on_request(const http::Request& request, http::RequestId id) override {
    if (!front.host_allowed(request.header("Host")))
      return http::Response::json_error(421, "this API answers to Host 127.0.0.1, localhost or [::1] only "
                                             "(a page elsewhere must not reach it through DNS rebinding)");
    if (request.path != "/api/v1/stream") return front.api_.on_request(request, id);
    if (request.method != "GET" && request.method != "HEAD") {
      http::Response r = http::Response::json_error(405, "method not allowed");
      r.set("Allow", "GET, HEAD");
      return r;
    }
    std::string_view since = request.query_param("since").value_or(request.header("Last-Event-ID"));
    std::size_t from = front.server_.world().trace().events().size();
    if (!since.empty()) {
      if (since.size() > 18 || since.find_first_not_of("0123456789") != std::string_view::npos)
        return http::Response::json_error(400, "since must be a whole number (an event's place, from 0)");
      from = std::stoull(std::string(since)) + (request.query_param("since") ? 0 : 1);
    }
    next_event = from;
    stream_id = id;
    http::Response r(200);
    r.stream = true;
    r.set("Content-Type", "text/event-stream");
    return r;
  }

  http::Response error_response(int status, std::string_view detail) override {
    return http::Response::json_error(status, detail);
  }

  // Sends the events this stream has not seen yet (or a keep-alive comment).
  void push(bool keep_alive) {
    if (!driver || stream_id == 0 || driver->engine().pending() != stream_id) return;
    if (conn->unsent() > kMaxStreamUnsent) {
      driver->abort();  // it reads nothing: drop it rather than buffer for it
      return;
    }
    const auto& events = front.server_.world().trace().events();
    std::string out;
    for (std::size_t n = 0; next_event < events.size() && n < kEventsPerTick; ++next_event, ++n)
      out += "id: " + std::to_string(next_event) + "\ndata: " + sim::TraceRecorder::to_json(events[next_event]) + "\n\n";
    if (out.empty() && keep_alive) out = ":\n\n";
    if (out.empty()) return;
    driver->engine().stream_write(stream_id, out);
    driver->pump();
  }

  void end_stream() {
    if (!driver || stream_id == 0) return;
    if (driver->engine().stream_end(stream_id)) driver->pump();
  }

  HttpFront& front;
  std::shared_ptr<AsioConnection> conn;
  std::shared_ptr<Driver> driver;
  http::RequestId stream_id = 0;
  std::size_t next_event = 0;
};

HttpFront::HttpFront(Server& server, RealEndpoint at)
    : server_(server), at_(std::move(at)), rt_(server.io(), "http"), api_(server.world()),
      acceptor_(server.io()), ticker_(server.io()), retry_(server.io()) {}

HttpFront::~HttpFront() { close(); }

bool HttpFront::open(std::string* error) {
  error_code ec;
  tcp::endpoint ep(asio::ip::make_address(at_.address, ec), at_.port);
  if (!ec) acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + at_.str() + " for --http: " + ec.message();
    acceptor_.close(ec);
    return false;
  }
  accept();
  tick();
  return true;
}

RealEndpoint HttpFront::local() const {
  error_code ec;
  auto ep = acceptor_.local_endpoint(ec);
  return RealEndpoint{at_.address, ec ? at_.port : ep.port()};
}

void HttpFront::close() {
  closed_ = true;
  error_code ec;
  acceptor_.close(ec);
  ticker_.cancel();
  retry_.cancel();
  auto all = std::move(clients_);
  clients_.clear();
  for (auto& [p, c] : all) {
    if (c->driver) c->driver->abort();
  }
}

void HttpFront::accept() {
  if (closed_) return;
  acceptor_.async_accept([this](const error_code& ec, tcp::socket socket) {
    if (closed_ || ec == asio::error::operation_aborted) return;
    if (ec) {
      server_.log("accept on " + at_.str() + " (--http): " + ec.message());
      retry_.expires_after(std::chrono::milliseconds(50));
      retry_.async_wait([this](const error_code& e) {
        if (!e) accept();
      });
      return;
    }
    on_accept(std::move(socket));
    accept();
  });
}

void HttpFront::on_accept(tcp::socket socket) {
  error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec || server_.stopping() || clients_.size() >= kMaxHttpClients) {
    socket.close(ec);
    return;
  }
  const std::uint16_t port = local().port;
  auto conn = std::make_shared<AsioConnection>(std::move(socket), port, AsioConnection::address_text(peer.address()),
                                               peer.port());
  auto client = std::make_shared<Client>(*this);
  client->conn = conn;
  client->driver = std::make_shared<Client::Driver>(rt_, conn, http::ServerConfig{}, *client);
  Client* key = client.get();
  clients_.emplace(key, client);
  client->driver->start([this, key](io::CloseKind) {
    auto it = clients_.find(key);
    if (it == clients_.end()) return;
    it->second->driver.reset();  // the driver keeps itself alive until it returns
    clients_.erase(it);
  });
  conn->start();
}

bool HttpFront::host_allowed(std::string_view host) const {
  if (server_.options().allow_nonlocal) return true;
  // The name without its port: "localhost:8025" -> "localhost", "[::1]:8025" -> "[::1]".
  const std::size_t colon = host.rfind(':');
  if (colon != std::string_view::npos && host.find(']', colon) == std::string_view::npos) host = host.substr(0, colon);
  const std::string name = base::ascii_lower(host);
  if (name == "localhost" || name == "[::1]") return true;
  return is_loopback(name);
}

void HttpFront::tick() {
  if (closed_) return;
  if (server_.stopping()) {
    error_code ec;
    acceptor_.close(ec);
    for (auto& [p, c] : clients_) c->end_stream();
    return;
  }
  const bool keep_alive = ++ticks_ % kKeepAliveTicks == 0;
  std::vector<std::shared_ptr<Client>> all;
  for (auto& [p, c] : clients_) all.push_back(c);
  for (auto& c : all) c->push(keep_alive);
  ticker_.expires_after(kTick);
  ticker_.async_wait([this](const error_code& ec) {
    if (!ec) tick();
  });
}

}  // namespace maillab::bridge
