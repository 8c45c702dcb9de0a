// http::ChunkLine: reads one chunk line of a chunked body (RFC 9112 7.1, 7.1.1) byte by
// byte, ahead of Beast's parser, so that the engine knows the framing of a chunked body
// itself: a line that cannot be valid is refused at its first impossible byte, whatever
// the number of bytes that follow (Boost 1.74's parser waits for 5 bytes after a chunk,
// wire::kMinChunkedPut, so a short broken line alone would otherwise wait for a timeout).
//
//   [CRLF]  chunk-size [ chunk-ext ] CRLF            (the CRLF that ends the previous chunk's data first)
//   chunk-size = 1*HEXDIG                             (at most 2^64 - 1, as Beast)
//   chunk-ext  = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//   chunk-ext-val = token / quoted-string             (RFC 9110 5.6.2, 5.6.4)
//
// Invariants: the grammar is the RFC's, no wider than Beast's (what passes here Beast
// parses the same); feed() scans each byte once, however the line arrives; the result
// depends only on the bytes, never on their split.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace maillab::http {

class ChunkLine {
 public:
  enum class Status { More, Bad, Done };

  // A new line; `crlf_first`: the previous chunk's data ends before it.
  void reset(bool crlf_first);
  // `rest` is every byte from the line's start (the same prefix each call, longer): only
  // the bytes not seen yet are scanned. Done: the line is length() bytes of `rest`.
  Status feed(std::string_view rest);

  std::uint64_t size() const { return size_; }     // the chunk size (Done)
  std::size_t length() const { return seen_; }     // bytes of the line so far (with its CRLFs)

 private:
  enum class State {
    Crlf0, Crlf1, Size0, Size, PreSemi, SemiBws, Name, NameBws, EqBws, Token, Quoted,
    QuotedPair, AfterQuote, Lf, Done, Bad,
  };
  State step(char c);

  State state_ = State::Size0;
  std::uint64_t size_ = 0;
  std::size_t seen_ = 0;
};

}  // namespace maillab::http
