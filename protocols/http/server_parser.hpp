// Internal to protocols/http: the Beast request parser a ServerSession holds (kept out of
// server_session.hpp so that users of the engine do not compile Beast).
#pragma once

#include <ostream>  // before Beast: boost/utility/string_view.hpp needs it (Boost 1.74)
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <optional>

#include "protocols/http/server_session.hpp"

namespace maillab::http {

struct ServerSession::Parser {
  // One per request: a Beast parser is not reusable.
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> p;
};

// The output a late answer (respond, stream_end) may produce from input that waited, before
// the driver sends it and offers more (receive_some with empty data).
inline constexpr std::size_t kResumeSlice = 64 * 1024;

}  // namespace maillab::http
