// Internal to protocols/http: message heads written with Boost.Beast's serializer, and
// chunk framing (RFC 9112 7.1). The callers decide the framing fields; every field given
// here was checked already (Fields::set_checked / a parser).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "protocols/http/fields.hpp"

namespace maillab::http::wire {

// "HTTP/1.1 <status> <reason>\r\n" + fields + "\r\n".
void append_response_head(std::string& out, int status, const Fields& fields);
// "<method> <target> HTTP/1.1\r\n" + fields + "\r\n".
void append_request_head(std::string& out, std::string_view method, std::string_view target, const Fields& fields);
// One chunk ("<hex size>\r\n<data>\r\n"); nothing for empty data (that would end the body).
void append_chunk(std::string& out, std::string_view data);
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

// Boost 1.74's parser asserts that a chunked body offered again after "0\r\n" (the last
// chunk, its trailers still to come) holds at least 5 bytes (basic_parser.ipp, "n >= 5"),
// though 4 can come first when the body is empty. The engines therefore offer a chunked body in
// steps of at least this much: a request still ends exactly where it did (its last step,
// the last chunk and the empty line, is 5 bytes or more), and nothing waits for long.
inline constexpr std::size_t kMinChunkedPut = 5;

// Content-Length, Transfer-Encoding, Connection, Keep-Alive, Upgrade, TE, Trailer,
// Proxy-Connection: the engines set these, an application's are ignored.
bool is_framing_field(std::string_view name);

}  // namespace maillab::http::wire
