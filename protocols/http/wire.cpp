#include "protocols/http/wire.hpp"

#include <ostream>  // before Beast: boost/utility/string_view.hpp needs it (Boost 1.74)
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>

#include "protocols/http/response.hpp"

namespace maillab::http::wire {

namespace beast = boost::beast;
namespace bh = boost::beast::http;

namespace {

// Runs Beast's serializer over a message with an empty body and keeps its head only (for a
// chunked message Beast would add the last chunk: the engines write the body themselves).
template <bool isRequest>
void serialize(std::string& out, bh::message<isRequest, bh::empty_body>& m) {
  bh::serializer<isRequest, bh::empty_body> sr{m};
  sr.split(true);
  beast::error_code ec;
  while (!sr.is_header_done() && !ec) {
    sr.next(ec, [&](beast::error_code&, const auto& buffers) {
      std::size_t n = 0;
      for (const auto b : beast::buffers_range_ref(buffers)) {
        out.append(static_cast<const char*>(b.data()), b.size());
        n += b.size();
      }
      sr.consume(n);
    });
  }
}

template <bool isRequest>
void copy_fields(bh::message<isRequest, bh::empty_body>& m, const Fields& fields) {
  for (const auto& f : fields) m.insert(f.name, f.value);
}

}  // namespace

void append_response_head(std::string& out, int status, const Fields& fields) {
  bh::response<bh::empty_body> m;
  m.version(11);
  m.result(static_cast<unsigned>(status));
  const std::string_view reason = reason_phrase(status);
  m.reason({reason.data(), reason.size()});
  copy_fields(m, fields);
  serialize(out, m);
}

void append_request_head(std::string& out, std::string_view method, std::string_view target, const Fields& fields) {
  bh::request<bh::empty_body> m;
  m.version(11);
  m.method_string({method.data(), method.size()});
  m.target({target.data(), target.size()});
  copy_fields(m, fields);
  serialize(out, m);
}

void append_chunk(std::string& out, std::string_view data) {
  if (data.empty()) return;
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[2 * sizeof(std::size_t)];
  std::size_t n = data.size();
  std::size_t len = 0;
  do {
    buf[len++] = kHex[n & 15];
    n >>= 4;
  } while (n != 0);
  while (len > 0) out += buf[--len];
  out += "\r\n";
  out.append(data);
  out += "\r\n";
}

bool is_framing_field(std::string_view name) {
  for (std::string_view f : {"Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE",
                             "Trailer", "Proxy-Connection"}) {
    if (iequals(name, f)) return true;
  }
  return false;
}

}  // namespace maillab::http::wire
