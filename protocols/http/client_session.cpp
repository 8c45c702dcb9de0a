#include "protocols/http/client_session.hpp"

#include <ostream>  // before Beast: boost/utility/string_view.hpp needs it (Boost 1.74)
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "protocols/http/wire.hpp"

namespace maillab::http {

namespace beast = boost::beast;
namespace bh = boost::beast::http;

struct ClientSession::Parser {
  std::optional<bh::response_parser<bh::string_body>> p;
};

namespace {

bool visible_ascii(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c <= 0x20 || c >= 0x7F) return false;
  }
  return true;
}

}  // namespace

ClientSession::ClientSession(ClientConfig config) : config_(std::move(config)), parser_(std::make_unique<Parser>()) {}

ClientSession::~ClientSession() = default;

void ClientSession::send(const Request& request) {
  ClientResult r;
  r.method = request.method;
  r.target = request.target;
  if (!is_token(request.method) || !visible_ascii(request.target)) {
    r.outcome = ClientResult::Outcome::Refused;
    r.detail = "not a valid method and request target";
    done_.push_back(std::move(r));
    return;
  }
  if (closed_) {
    r.outcome = ClientResult::Outcome::ConnectionClosed;
    r.detail = "the connection is closed";
    done_.push_back(std::move(r));
    return;
  }
  Fields fields;
  if (!request.headers.has("Host")) fields.add_checked("Host", config_.host);
  for (const auto& f : request.headers) {
    if (!wire::is_framing_field(f.name)) fields.add_checked(f.name, f.value);
  }
  if (!config_.user_agent.empty() && !request.headers.has("User-Agent")) fields.add_checked("User-Agent", config_.user_agent);
  const bool body_method = request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  if (!request.body.empty() || body_method) fields.add("Content-Length", std::to_string(request.body.size()));
  wire::append_request_head(output_, request.method, request.target, fields);
  output_ += request.body;
  in_flight_.push_back(std::move(r));
}

std::string ClientSession::take_output() {
  std::string out = std::move(output_);
  output_.clear();
  return out;
}

std::chrono::milliseconds ClientSession::timeout() const {
  return closed_ || in_flight_.empty() ? std::chrono::milliseconds(0) : config_.response_timeout;
}

void ClientSession::on_timeout() {
  if (closed_) return;
  close_all(ClientResult::Outcome::TimedOut, "no response in time");
}

std::optional<ClientResult> ClientSession::next_result() {
  if (done_.empty()) return std::nullopt;
  ClientResult r = std::move(done_.front());
  done_.pop_front();
  return r;
}

void ClientSession::start_response() {
  auto& p = parser_->p.emplace();
  p.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(config_.max_header_bytes, UINT32_MAX)));
  p.body_limit(static_cast<std::uint64_t>(config_.max_body_bytes));
  p.eager(false);  // the header on its own first: its fields are taken before any trailer
  fields_ = Fields();
  // RFC 9112 6.3: the response to HEAD has no content, whatever its fields say.
  if (in_flight_.front().method == "HEAD") p.skip(true);
}

void ClientSession::receive(std::string_view data) {
  if (closed_) return;
  input_.append(data);
  std::size_t pos = 0;
  while (!closed_ && pos < input_.size()) {
    if (in_flight_.empty()) {
      close_all(ClientResult::Outcome::BadResponse, "bytes from the server with no request in flight");
      break;
    }
    if (!parser_->p) start_response();
    if (parser_->p->is_header_done() && parser_->p->chunked() && input_.size() - pos < wire::kMinChunkedPut) break;
    beast::error_code ec;
    const std::size_t n = parser_->p->put(boost::asio::const_buffer(input_.data() + pos, input_.size() - pos), ec);
    pos += n;
    if (ec == bh::error::need_more) {
      if (input_.size() - pos > config_.max_header_bytes) {
        finish(ClientResult::Outcome::TooLarge, "a line of the response is too long");
      }
      break;
    }
    if (ec == bh::error::header_limit || ec == bh::error::body_limit) {
      finish(ClientResult::Outcome::TooLarge, ec.message());
    } else if (ec) {
      finish(ClientResult::Outcome::BadResponse, ec.message());
    } else if (parser_->p->is_done() || (parser_->p->is_header_done() && !parser_->p->eager())) {
      if (!parser_->p->eager()) {
        for (const auto& f : parser_->p->get()) {
          fields_.add(std::string(f.name_string().data(), f.name_string().size()),
                      std::string(f.value().data(), f.value().size()));
        }
        parser_->p->eager(true);
      }
      if (parser_->p->is_done()) complete();
    } else if (n == 0) {
      break;
    }
  }
  if (closed_) {
    input_.clear();
  } else {
    input_.erase(0, pos);
  }
}

void ClientSession::complete() {
  auto m = parser_->p->release();
  parser_->p.reset();
  const unsigned status = m.result_int();
  if (m.version() / 10 != 1) {
    finish(ClientResult::Outcome::BadResponse, "not an HTTP/1.x response");
    return;
  }
  if (status >= 100 && status < 200) {
    if (status == 101) finish(ClientResult::Outcome::BadResponse, "the server switched protocols");
    return;  // interim: the final response follows (RFC 9110 15.2)
  }
  ClientResult r = std::move(in_flight_.front());
  in_flight_.pop_front();
  r.status = static_cast<int>(status);
  r.version = static_cast<int>(m.version());
  r.headers = std::move(fields_);  // trailer fields are not merged (RFC 9110 6.5.1)
  r.body = std::move(m.body());
  const bool keep = m.keep_alive();
  done_.push_back(std::move(r));
  if (!keep) close_all(ClientResult::Outcome::ConnectionClosed, "the server closed the connection");
}

void ClientSession::finish(ClientResult::Outcome outcome, std::string detail) {
  parser_->p.reset();
  ClientResult r = std::move(in_flight_.front());
  in_flight_.pop_front();
  r.outcome = outcome;
  r.detail = std::move(detail);
  done_.push_back(std::move(r));
  close_all(ClientResult::Outcome::ConnectionClosed, "the connection ended after an earlier error");
}

void ClientSession::close_all(ClientResult::Outcome outcome, std::string_view detail) {
  parser_->p.reset();
  for (auto& r : in_flight_) {
    r.outcome = outcome;
    r.detail = std::string(detail);
    done_.push_back(std::move(r));
  }
  in_flight_.clear();
  input_.clear();
  closed_ = true;
}

void ClientSession::receive_eof() {
  if (closed_) return;
  if (parser_->p && parser_->p->got_some()) {
    beast::error_code ec;
    parser_->p->put_eof(ec);  // a body delimited by the close (RFC 9112 6.3 item 8)
    if (!ec && parser_->p->is_done()) {
      complete();
    } else {
      finish(ClientResult::Outcome::ConnectionClosed, "the connection ended inside a response");
      return;
    }
  }
  close_all(ClientResult::Outcome::ConnectionClosed, "the server closed the connection");
}

}  // namespace maillab::http
