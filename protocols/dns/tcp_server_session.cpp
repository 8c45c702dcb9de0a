#include "protocols/dns/tcp_server_session.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace maillab::dns {

namespace {

std::size_t prefixed_length(std::string_view p) {
  return (static_cast<std::size_t>(static_cast<unsigned char>(p[0])) << 8) |
         static_cast<unsigned char>(p[1]);
}

}  // namespace

TcpServerSession::TcpServerSession(const Authority& authority, std::chrono::milliseconds idle,
                                   DropFn on_drop)
    : authority_(authority), idle_(idle), on_drop_(std::move(on_drop)) {}

void TcpServerSession::receive(std::string_view data) { receive_some(data, std::string::npos); }

std::size_t TcpServerSession::receive_some(std::string_view data, std::size_t output_limit) {
  const std::size_t size = data.size();
  while (!closed_ && !data.empty() && out_.size() < output_limit) {
    if (!partial_.empty() || data.size() < 2 || data.size() - 2 < prefixed_length(data)) {
      // Completing a message that came in pieces: take what it still needs.
      if (partial_.size() < 2) {
        const std::size_t take = std::min<std::size_t>(2 - partial_.size(), data.size());
        partial_.append(data.substr(0, take));
        data.remove_prefix(take);
        if (partial_.size() < 2) break;
      }
      const std::size_t need = 2 + prefixed_length(partial_) - partial_.size();
      const std::size_t take = std::min(need, data.size());
      partial_.append(data.substr(0, take));
      data.remove_prefix(take);
      if (take < need) break;
      const std::string message = std::exchange(partial_, {});
      answer(std::string_view(message).substr(2));
      continue;
    }
    const std::size_t len = prefixed_length(data);  // the common case: answered in place
    answer(data.substr(2, len));
    data.remove_prefix(2 + len);
  }
  return closed_ ? size : size - data.size();
}

void TcpServerSession::answer(std::string_view query) {
  const std::vector<std::string> responses = authority_.handle_tcp(query);
  if (responses.empty()) {
    if (on_drop_) on_drop_(query.size());
    return;
  }
  for (const std::string& response : responses) {  // several for a zone transfer
    out_ += static_cast<char>(response.size() >> 8);
    out_ += static_cast<char>(response.size() & 0xff);
    out_ += response;
  }
}

}  // namespace maillab::dns
