// bench/smtp_tls_load.cpp: the load generator of bench/run.sh's STARTTLS sink row, on the
// lab's own client engines: smtp::ClientSession (RFC 5321, PIPELINING 2920, STARTTLS 3207)
// over tls::Session, driven by Boost.Asio sockets on one thread. S sessions, each: greeting,
// EHLO, STARTTLS, the TLS handshake, EHLO again once, then messages one after the other on
// the same TLS connection (MAIL, RCPT, DATA, the content, RSET), as Postfix's smtp-source
// does in clear, until M messages in all were answered; then QUIT.
//
//   smtp_tls_load ADDR PORT [--sessions 20] [--messages 50000] [--size 1000]
//                 [--from a@src.test] [--to u@sink.test]
//
// Every message must get 250 to RCPT and after the dot, over TLS (the server must offer
// STARTTLS), else exit 1 with the first refusal on stderr. The last line:
// `messages=.. sessions=.. seconds=.. messages_per_s=.. cpu_s=.. cpu_share=..` (seconds: from
// the first connect to the last reply; cpu_share: this process's CPU over that time, near
// 1.0 means the generator, not the server, is the limit). The certificate is not checked
// (smtp_tls_security_level = encrypt: any certificate, never in clear).
#include <sys/resource.h>

#include <utility>

#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocols/smtp/client_session.hpp"
#include "protocols/tls/context.hpp"
#include "protocols/tls/library_context.hpp"
#include "protocols/tls/session.hpp"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace maillab;

struct Options {
  std::string addr = "127.0.0.1";
  unsigned short port = 0;
  int sessions = 20;
  long messages = 50000;
  std::size_t size = 1000;
  std::string from = "a@src.test";
  std::string to = "u@sink.test";
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "smtp_tls_load: %s\n", what.c_str());
  std::exit(1);
}

smtp::Path path_of(const std::string& address) {
  auto r = smtp::parse_forward_path("<" + address + ">");
  if (!r.ok()) die("not an address: " + address);
  return r.path;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

class Load;

// One connection: the socket, the SMTP client engine and, after the 220 to STARTTLS, the
// TLS session between them.
class Connection {
 public:
  Connection(Load& load, asio::io_context& io, smtp::ClientConfig config) : load_(load), socket_(io), smtp_(std::move(config)) {}
  void start(const tcp::endpoint& at);

 private:
  void read();
  void on_bytes(std::string_view bytes);
  void pump();
  void flush();
  void fail(const std::string& why);

  Load& load_;
  tcp::socket socket_;
  smtp::ClientSession smtp_;
  std::optional<tls::Session> tls_;
  bool told_ = false;
  bool done_ = false;
  std::vector<char> in_ = std::vector<char>(65536);
  std::string out_;      // waiting for the write in flight to end
  std::string writing_;  // the write in flight
};

class Load {
 public:
  explicit Load(Options o)
      : o_(std::move(o)), client_ctx_(tls::LibraryContext::system(), std::string_view("")) {
    std::string content = "From: <" + o_.from + ">\r\nTo: <" + o_.to + ">\r\nSubject: smtp_tls_load\r\n\r\n";
    while (content.size() + 2 < o_.size) content += std::string(std::min<std::size_t>(78, o_.size - content.size() - 2), 'x') + "\r\n";
    content_ = std::make_shared<const std::string>(std::move(content));
    from_ = path_of(o_.from);
    to_ = path_of(o_.to);
  }

  void run() {
    asio::io_context io;
    const tcp::endpoint at(asio::ip::make_address(o_.addr), o_.port);
    smtp::ClientConfig config;
    config.helo_name = "load.src.test";
    config.peer_name = o_.addr;
    config.tls = smtp::TlsLevel::Encrypt;
    config.rset_between_transactions = true;
    start_ = std::chrono::steady_clock::now();
    cpu0_ = cpu_seconds();
    for (int i = 0; i < o_.sessions; ++i) {
      conns_.push_back(std::make_unique<Connection>(*this, io, config));
      conns_.back()->start(at);
    }
    io.run();
    const double secs = std::chrono::duration<double>(end_ - start_).count();
    const double cpu = cpu_seconds() - cpu0_;
    if (answered_ != o_.messages) die("only " + std::to_string(answered_) + " of " + std::to_string(o_.messages) + " messages answered");
    std::printf("messages=%ld sessions=%d seconds=%.3f messages_per_s=%.0f cpu_s=%.2f cpu_share=%.2f\n", answered_,
                o_.sessions, secs, static_cast<double>(answered_) / secs, cpu, cpu / secs);
  }

  // The next message for a session, or nothing when all are out.
  std::optional<smtp::OutgoingMessage> next() {
    if (handed_ >= o_.messages) return std::nullopt;
    ++handed_;
    smtp::OutgoingMessage m;
    m.from = from_;
    m.rcpts.push_back({to_, {}});
    m.content = content_;
    return m;
  }
  void answered(const smtp::TransactionOutcome& t) {
    const bool ok = t.data_acknowledged && !t.rcpts.empty() && t.rcpts[0].reply.code == 250;
    if (!ok) {
      const smtp::Reply& r = t.rcpts.empty() ? t.mail_reply : t.rcpts[0].reply;
      die("a message was refused: " + std::to_string(r.code) + " " + r.text());
    }
    if (++answered_ == o_.messages) end_ = std::chrono::steady_clock::now();
  }
  tls::ClientContext& tls_context() { return client_ctx_; }

 private:
  Options o_;
  tls::ClientContext client_ctx_;
  std::shared_ptr<const std::string> content_;
  smtp::Path from_, to_;
  std::vector<std::unique_ptr<Connection>> conns_;
  long handed_ = 0;
  long answered_ = 0;
  std::chrono::steady_clock::time_point start_, end_;
  double cpu0_ = 0;
};

void Connection::start(const tcp::endpoint& at) {
  if (auto m = load_.next()) smtp_.add(std::move(*m));
  socket_.async_connect(at, [this](const boost::system::error_code& ec) {
    if (ec) return fail("connect: " + ec.message());
    socket_.set_option(tcp::no_delay(true));
    read();
  });
}

void Connection::read() {
  socket_.async_read_some(asio::buffer(in_), [this](const boost::system::error_code& ec, std::size_t n) {
    if (ec) {
      if (!done_) fail("read: " + ec.message());
      return;
    }
    on_bytes(std::string_view(in_.data(), n));
    if (!done_) read();
  });
}

void Connection::on_bytes(std::string_view bytes) {
  if (!tls_) {
    smtp_.receive(bytes);
  } else {
    if (tls_->receive(bytes) != tls::Status::Ok) return fail("TLS: " + tls_->error().detail);
    if (tls_->handshake_done() && !told_) {
      told_ = true;
      smtp_.on_tls_started(tls_->info());
    }
    if (!tls_->plaintext().empty()) {
      smtp_.receive(tls_->plaintext());
      tls_->clear_plaintext();
    }
  }
  pump();
}

void Connection::pump() {
  for (auto& t : smtp_.take_outcomes()) load_.answered(t);
  if (smtp_.idle()) {
    if (auto m = load_.next()) {
      smtp_.add(std::move(*m));
    } else {
      smtp_.finish();
    }
  }
  if (smtp_.wants_tls() && !tls_) {
    tls_.emplace(load_.tls_context(), tls::ClientParams{}, static_cast<tls::UnixTime>(std::time(nullptr)));
  }
  if (!smtp_.output().empty()) {
    if (tls_) {
      if (tls_->send(smtp_.output()) != tls::Status::Ok) return fail("TLS: " + tls_->error().detail);
    } else {
      out_ += smtp_.output();
    }
    smtp_.clear_output();
  }
  if (tls_ && !tls_->output().empty()) {
    out_ += tls_->output();
    tls_->clear_output();
  }
  if (smtp_.closed() && out_.empty() && writing_.empty()) {
    done_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
    return;
  }
  flush();
}

void Connection::flush() {
  if (!writing_.empty() || out_.empty()) return;
  writing_.swap(out_);
  asio::async_write(socket_, asio::buffer(writing_), [this](const boost::system::error_code& ec, std::size_t) {
    if (ec) return fail("write: " + ec.message());
    writing_.clear();
    if (smtp_.closed() && out_.empty()) {
      done_ = true;
      boost::system::error_code ignored;
      socket_.close(ignored);
      return;
    }
    flush();
  });
}

void Connection::fail(const std::string& why) {
  if (smtp_.closed() && done_) return;
  die(why);
}

Options parse(int argc, char** argv) {
  Options o;
  std::vector<std::string> pos;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--sessions") o.sessions = std::atoi(value().c_str());
    else if (a == "--messages") o.messages = std::atol(value().c_str());
    else if (a == "--size") o.size = static_cast<std::size_t>(std::atol(value().c_str()));
    else if (a == "--from") o.from = value();
    else if (a == "--to") o.to = value();
    else if (a.rfind("--", 0) == 0) die("unknown option " + a);
    else pos.push_back(a);
  }
  if (pos.size() != 2) die("usage: smtp_tls_load ADDR PORT [--sessions N] [--messages M] [--size BYTES] [--from A] [--to A]");
  o.addr = pos[0];
  o.port = static_cast<unsigned short>(std::atoi(pos[1].c_str()));
  if (o.sessions < 1 || o.messages < 1) die("--sessions and --messages must be positive");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Load load(parse(argc, argv));
  load.run();
  return 0;
}
