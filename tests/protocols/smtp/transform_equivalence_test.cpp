// The transforms rewritten for speed (dot_stuff, has_8bit, Reply::wire, DataReader,
// ReplyParser, LineReader, Path::address, MailParams::wire) against their previous, plainer versions kept here as oracles: same bytes
// out for random inputs made of the bytes that matter (CR, LF, '.', 8-bit, NUL, blanks).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <random>

#include "protocols/smtp/data_reader.hpp"
#include "protocols/smtp/dot_stuff.hpp"
#include "protocols/smtp/esmtp_param.hpp"
#include "protocols/message/line_reader.hpp"
#include "protocols/smtp/mail_params.hpp"
#include "protocols/smtp/path.hpp"
#include "protocols/smtp/reply.hpp"
#include "protocols/smtp/reply_parser.hpp"
#include "smtp_test_support.hpp"

using namespace maillab::smtp;
using maillab::smtp::test::as_strings;

namespace {

// ---- the previous versions ----

std::string old_dot_stuff(std::string_view content) {
  std::string out;
  const std::size_t n = content.size();
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i;
    while (j < n && content[j] != '\r' && content[j] != '\n') ++j;
    if (j > i) {
      if (content[i] == '.') out += '.';
      out.append(content.data() + i, j - i);
    }
    out += "\r\n";
    if (j == n) break;
    if (content[j] == '\r' && j + 1 < n && content[j + 1] == '\n') ++j;
    i = j + 1;
  }
  out += ".\r\n";
  return out;
}

bool old_has_8bit(std::string_view content) {
  for (char c : content)
    if (static_cast<unsigned char>(c) > 127) return true;
  return false;
}

// Reply::make's split when the lines were a std::vector<std::string>.
std::vector<std::string> old_make_lines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::string old_wire(const Reply& r) {
  std::string out;
  const std::size_t n = r.lines.empty() ? 1 : r.lines.size();
  for (std::size_t i = 0; i < n; ++i) {
    out += static_cast<char>('0' + (r.code / 100) % 10);
    out += static_cast<char>('0' + (r.code / 10) % 10);
    out += static_cast<char>('0' + r.code % 10);
    const bool last = i + 1 == n;
    const std::string_view line = r.lines.empty() ? std::string_view{} : r.lines[i];
    if (!last) {
      out += '-';
    } else if (!r.enhanced.empty() || !r.lines.empty()) {
      out += ' ';
    }
    if (!r.enhanced.empty()) {
      out += r.enhanced;
      if (!line.empty()) out += ' ';
    }
    for (char c : line) out += (c == '\r' || c == '\n') ? ' ' : c;
    out += "\r\n";
  }
  return out;
}

// DataReader before the whole-line fast path.
class OldDataReader {
 public:
  OldDataReader(std::size_t max_text_line, std::uint64_t size_limit)
      : max_text_line_(max_text_line), size_limit_(size_limit) {}

  std::size_t put(std::string_view data) {
    std::size_t i = 0;
    while (i < data.size() && !done_) {
      if (pending_cr_) {
        pending_cr_ = false;
        if (data[i] == '\n') {
          ++i;
          end_line(true);
          continue;
        }
        ++notes_.bare_cr;
        end_line(false);
        continue;
      }
      const char c = data[i];
      if (c == '\r') {
        pending_cr_ = true;
        ++i;
        continue;
      }
      if (c == '\n') {
        ++notes_.bare_lf;
        ++i;
        end_line(false);
        continue;
      }
      std::size_t end = i;
      while (end < data.size() && data[end] != '\r' && data[end] != '\n') ++end;
      std::string_view run = data.substr(i, end - i);
      i = end;
      if (line_flushed_) {
        emit(run);
        line_len_ += run.size();
        continue;
      }
      line_.append(run);
      if (line_.size() >= 2) {
        std::string_view text = line_;
        if (text.front() == '.') text.remove_prefix(1);
        emit(text);
        line_len_ = text.size();
        line_.clear();
        line_flushed_ = true;
      }
    }
    return i;
  }
  bool done() const { return done_; }
  bool oversize() const { return oversize_; }
  const ContentNotes& notes() const { return notes_; }
  std::uint64_t size() const { return size_; }
  const std::string& content() const { return content_; }

 private:
  void emit(std::string_view bytes) {
    size_ += bytes.size();
    if (oversize_) return;
    if (size_limit_ != 0 && size_ > size_limit_) {
      oversize_ = true;
      content_.clear();
      return;
    }
    content_.append(bytes);
  }
  void end_line(bool crlf) {
    if (!line_flushed_ && line_ == "." && crlf && after_crlf_) {
      done_ = true;
      line_.clear();
      return;
    }
    if (!line_flushed_) {
      std::string_view text = line_;
      if (text.size() > 1 && text.front() == '.') text.remove_prefix(1);
      emit(text);
      line_len_ = text.size();
    }
    emit("\r\n");
    if (line_len_ + 2 > max_text_line_) ++notes_.long_lines;
    line_.clear();
    line_len_ = 0;
    line_flushed_ = false;
    after_crlf_ = crlf;
  }

  std::size_t max_text_line_;
  std::uint64_t size_limit_;
  std::string content_, line_;
  std::size_t line_len_ = 0;
  bool line_flushed_ = false, pending_cr_ = false, after_crlf_ = true, done_ = false, oversize_ = false;
  std::uint64_t size_ = 0;
  ContentNotes notes_;
};

// Path::address before append_address (is_dot_string as path.cpp has it).
bool old_is_atext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool old_is_dot_string(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (std::size_t i = 0; i + 1 < s.size(); ++i)
    if (s[i] == '.' && s[i + 1] == '.') return false;
  for (char c : s)
    if (c != '.' && !old_is_atext(c)) return false;
  return true;
}

std::string old_address(const Path& p) {
  if (p.is_null()) return {};
  std::string out;
  if (old_is_dot_string(p.local)) {
    out = p.local;
  } else {
    out += '"';
    for (char c : p.local) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  if (!p.domain.empty()) out += '@' + p.domain;
  return out;
}

// MailParams::wire before append_wire.
std::string old_mail_wire(const MailParams& m, const ParamSupport& support) {
  std::string out;
  if (!support.esmtp) return out;
  if (m.size && support.size) out += " SIZE=" + std::to_string(*m.size);
  if (m.body != Body::Unspecified && support.body)
    out += m.body == Body::EightBitMime ? " BODY=8BITMIME" : " BODY=7BIT";
  if (support.dsn) {
    if (m.ret != DsnRet::Unspecified) out += m.ret == DsnRet::Full ? " RET=FULL" : " RET=HDRS";
    if (!m.envid.empty()) out += " ENVID=" + xtext_encode(m.envid);
  }
  if (m.auth && support.auth) out += " AUTH=" + (*m.auth == "<>" ? *m.auth : xtext_encode(*m.auth));
  return out;
}

// ---- random inputs ----

std::string random_bytes(std::mt19937& rng, std::string_view alphabet, std::size_t max_len) {
  std::uniform_int_distribution<std::size_t> len(0, max_len), pick(0, alphabet.size() - 1);
  std::string s(len(rng), ' ');
  for (char& c : s) c = alphabet[pick(rng)];
  return s;
}

// The edge bytes, several times over the letters so that lines, dots and runs all occur.
const std::string kEdges = std::string("\r\n.\x80\xff\0 \t:", 10) + "\r\n.\r\n..aZ";

// Mostly clean CRLF text with an edge byte here and there, as real mail is.
std::string random_mail(std::mt19937& rng) {
  static const std::string pieces[] = {"Subject: hi\r\n", "\r\n", ".\r\n", "..x\r\n", "body text\r\n",
                                       "a\n", "b\r", "caf\xc3\xa9\r\n", ".", "\r", "\n", "x",
                                       std::string(70, 'y')};
  std::uniform_int_distribution<std::size_t> count(0, 40), pick(0, std::size(pieces) - 1);
  std::string s;
  for (std::size_t n = count(rng); n > 0; --n) s += pieces[pick(rng)];
  return s;
}

}  // namespace

TEST_CASE("dot_stuff and has_8bit match their previous versions", "[smtp][data][equivalence]") {
  for (const char* s : {"", ".", "\r", "\n", "\r\n", "\n\r", "a\r", ".\r", "..\n", "\r\r\n", "a\r\n.", "\0\r\n"}) {
    INFO(s);
    CHECK(dot_stuff(s) == old_dot_stuff(s));
  }
  std::mt19937 rng(5321);
  for (int round = 0; round < 20000; ++round) {
    const std::string s = round % 2 ? random_bytes(rng, kEdges, 80) : random_mail(rng);
    INFO(s);
    REQUIRE(dot_stuff(s) == old_dot_stuff(s));
    std::string appended = "prefix";
    append_dot_stuffed(appended, s);
    REQUIRE(appended == "prefix" + old_dot_stuff(s));
    REQUIRE(has_8bit(s) == old_has_8bit(s));
  }
  // has_8bit: the 8-bit octet at every position of the 32-octet rounds and the tail.
  for (std::size_t len = 0; len < 100; ++len) {
    for (std::size_t at = 0; at < len; ++at) {
      std::string s(len, 'a');
      s[at] = '\x80';
      REQUIRE(has_8bit(s));
    }
    REQUIRE_FALSE(has_8bit(std::string(len, '\x7f')));
  }
}

TEST_CASE("Reply::wire matches its previous version", "[smtp][reply][equivalence]") {
  std::mt19937 rng(2034);
  std::uniform_int_distribution<int> code(200, 599), nlines(0, 8);
  const std::string enhanced[] = {"", "2.0.0", "5.7.1", "4.4.2"};
  for (int round = 0; round < 5000; ++round) {
    Reply r;
    r.code = code(rng);
    r.enhanced = enhanced[static_cast<std::size_t>(round) % 4];
    for (int n = nlines(rng); n > 0; --n) r.lines.push_back(random_bytes(rng, kEdges, 30));
    INFO(old_wire(r));
    REQUIRE(r.wire() == old_wire(r));
    std::string appended = "x";
    r.append_wire(appended);
    REQUIRE(appended == "x" + old_wire(r));
  }
}

TEST_CASE("Reply::make splits text into the lines it did with a vector of strings", "[smtp][reply][equivalence]") {
  for (const char* s : {"", "\n", "\r\n", "a\n", "\na", "a\r\r\nb", "\r", "a\n\n\nb"}) {
    INFO(s);
    CHECK(as_strings(Reply::make(250, "", s).lines) == old_make_lines(s));
  }
  std::mt19937 rng(3463);
  for (int round = 0; round < 5000; ++round) {
    // Up to 300 bytes: past the 64 bytes and 4 lines a ReplyLines holds inline.
    const std::string text = random_bytes(rng, kEdges, 300);
    INFO(text);
    const Reply r = Reply::make(550, "5.1.1", text);
    REQUIRE(as_strings(r.lines) == old_make_lines(text));
    REQUIRE(r.wire() == old_wire(r));
  }
}

TEST_CASE("ReplyLines keeps the lines a vector of strings would, through copies and moves",
          "[smtp][reply][equivalence]") {
  // Random operations on a ReplyLines and on a std::vector<std::string> model; lines long
  // and short, many and few, so that inline and heap buffers meet in every combination.
  std::mt19937 rng(2821);
  std::uniform_int_distribution<int> op(0, 9), len_pick(0, 3);
  auto random_line = [&] { return random_bytes(rng, kEdges, len_pick(rng) == 0 ? 200 : 20); };
  auto build = [](const std::vector<std::string>& model) {
    ReplyLines l;
    for (const auto& s : model) l.push_back(s);
    return l;
  };
  ReplyLines a, b;
  std::vector<std::string> ma, mb;
  for (int round = 0; round < 20000; ++round) {
    switch (op(rng)) {
      case 0:
      case 1:
      case 2: {
        const std::string line = random_line();
        a.push_back(line);
        ma.push_back(line);
        break;
      }
      case 3:
        // One of its own lines again: a view into the buffer that may have to grow.
        if (!ma.empty()) {
          const std::size_t i = static_cast<std::size_t>(rng()) % ma.size();
          a.push_back(a[i]);
          ma.push_back(std::string(ma[i]));
        }
        break;
      case 4:
        a.clear();
        ma.clear();
        break;
      case 5:
        b = a;  // copy-assign onto whatever b holds
        mb = ma;
        break;
      case 6: {
        ReplyLines moved(std::move(a));
        a = b;
        b = std::move(moved);
        std::swap(ma, mb);
        break;
      }
      case 7:
        if (round % 2) {
          a.swap(b);  // member by member, as ReplyParser::next does
        } else {
          std::swap(a, b);  // by moves
        }
        std::swap(ma, mb);
        break;
      case 8: {
        ReplyLines copy(b);
        a = std::move(copy);
        ma = mb;
        break;
      }
      default:
        a.reserve(12, 256);
        break;
    }
    REQUIRE(as_strings(a) == ma);
    REQUIRE(as_strings(b) == mb);
    REQUIRE(a.size() == ma.size());
    REQUIRE(a.empty() == ma.empty());
    if (!ma.empty()) {
      REQUIRE(a.front() == ma.front());
      REQUIRE(a.back() == ma.back());
    }
    REQUIRE(a == build(ma));
    REQUIRE((a == b) == (ma == mb));
  }
}

TEST_CASE("DataReader matches its previous version for any split", "[smtp][data][equivalence]") {
  std::mt19937 rng(4524);
  std::uniform_int_distribution<std::size_t> chunk(1, 40);
  std::uniform_int_distribution<int> limit_pick(0, 3), max_line_pick(0, 2);
  for (int round = 0; round < 20000; ++round) {
    std::string input = round % 2 ? random_bytes(rng, kEdges, 120) : random_mail(rng);
    if (round % 3 == 0) input += "\r\n.\r\nQUIT\r\n";
    const std::uint64_t limit = limit_pick(rng) == 0 ? 50 : 0;
    const std::size_t max_line = max_line_pick(rng) == 0 ? 5 : 1000;
    DataReader now(max_line, limit);
    OldDataReader old(max_line, limit);
    std::size_t at_now = 0, at_old = 0;
    // The same random split for both: whole chunks, then what each leaves over.
    while (at_now < input.size() && !now.done()) {
      const std::size_t step = chunk(rng);
      at_now += now.put(std::string_view(input).substr(at_now, step));
      at_old += old.put(std::string_view(input).substr(at_old, step));
      REQUIRE(at_now == at_old);
    }
    while (at_old < input.size() && !old.done()) at_old += old.put(std::string_view(input).substr(at_old));
    INFO(input);
    REQUIRE(at_now == at_old);
    REQUIRE(now.done() == old.done());
    REQUIRE(now.oversize() == old.oversize());
    REQUIRE(now.size() == old.size());
    REQUIRE(now.notes().bare_cr == old.notes().bare_cr);
    REQUIRE(now.notes().bare_lf == old.notes().bare_lf);
    REQUIRE(now.notes().long_lines == old.notes().long_lines);
    REQUIRE(now.take_content() == old.content());
  }
}

TEST_CASE("ReplyParser gives the same replies however the bytes are split", "[smtp][reply][equivalence]") {
  // The parser reuses its buffers between replies; a reply must never keep a line or an
  // enhanced code of the one before.
  const std::string stream =
      "220 mx ESMTP\r\n250-mx\r\n250-PIPELINING\r\n250 SIZE 100\r\n250 2.1.0 Ok\r\n"
      "550-5.1.1 no\r\n550 5.1.1 such user\r\n354 go\r\n250 2.0.0 queued\r\n221 Bye\r\n";
  ReplyParser whole;
  whole.receive(stream);
  std::vector<Reply> expected;
  while (auto r = whole.next()) expected.push_back(*r);
  REQUIRE(expected.size() == 7);
  CHECK(as_strings(expected[1].lines) == std::vector<std::string>{"mx", "PIPELINING", "SIZE 100"});
  CHECK(expected[1].enhanced.empty());
  CHECK(expected[4].enhanced.empty());
  CHECK(as_strings(expected[4].lines) == std::vector<std::string>{"go"});
  ReplyParser bytewise;
  std::vector<Reply> got;
  for (std::size_t i = 0; i < stream.size(); ++i) {
    bytewise.receive(std::string_view(stream).substr(i, 1));
    if (i % 7 != 0) continue;  // replies taken late: some wait in the queue meanwhile
    while (auto r = bytewise.next()) got.push_back(*r);
  }
  while (auto r = bytewise.next()) got.push_back(*r);
  CHECK(got == expected);
}

TEST_CASE("ReplyParser::next(Reply&) reuses one Reply without leaking the last one's parts",
          "[smtp][reply][equivalence]") {
  // Random replies (long and short lines, more or fewer lines than the one before, with
  // and without an enhanced code, malformed lines in between) written out, read back in
  // random splits, each taken into the same Reply: every one must come back as written.
  std::mt19937 rng(11);
  const std::string kText = "abcXYZ019 .:-";
  const std::array<const char*, 4> enhanced = {"", "2.1.0", "5.1.1", "4.4.2"};
  for (int round = 0; round < 300; ++round) {
    std::string stream;
    std::vector<std::pair<Reply, bool>> written;  // reply, malformed
    for (int n = std::uniform_int_distribution<int>(1, 8)(rng); n > 0; --n) {
      if (rng() % 6 == 0) {  // a stray line, or a continuation with another code
        const std::string bad = rng() % 2 ? "garbage " + random_bytes(rng, kText, 20) : "250-x\r\n251 y";
        stream += bad + "\r\n";
        const std::string_view shown = std::string_view(bad).substr(bad.rfind('\n') + 1);
        written.emplace_back(Reply::make(421, "4.5.0", "Protocol error: malformed reply: " + std::string(shown)),
                             true);
        continue;
      }
      Reply r;
      r.code = 200 + static_cast<int>(rng() % 400);
      r.enhanced = r.code / 100 == 3 ? "" : enhanced[rng() % 4];  // RFC 3463: no class 3
      if (!r.enhanced.empty()) r.enhanced[0] = static_cast<char>('0' + r.code / 100);
      for (int l = std::uniform_int_distribution<int>(1, 9)(rng); l > 0; --l) {
        std::string line = random_bytes(rng, "abcXYZ019", 1) + random_bytes(rng, kText, 40);
        while (!line.empty() && line.back() == ' ') line.pop_back();
        r.lines.push_back(line);
      }
      stream += r.wire();
      written.emplace_back(std::move(r), false);
    }
    ReplyParser p;
    Reply into;
    std::vector<std::pair<Reply, bool>> got;
    std::size_t at = 0;
    while (at < stream.size()) {
      const std::size_t n = std::min<std::size_t>(stream.size() - at, 1 + rng() % 30);
      p.receive(std::string_view(stream).substr(at, n));
      at += n;
      while (p.next(into)) got.emplace_back(into, p.last_malformed());
    }
    REQUIRE(got.size() == written.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      INFO("reply " << i << " written " << written[i].first.wire() << " got " << got[i].first.wire());
      REQUIRE(got[i] == written[i]);
    }
  }
}

TEST_CASE("Path::address, bracketed and their append forms match the previous version", "[smtp][path][equivalence]") {
  std::mt19937 rng(5);
  const std::string kLocal = std::string("ab.\"\\ \x80\xff@!~", 12) + std::string("\0\t:", 3);
  for (int round = 0; round < 3000; ++round) {
    Path p;
    p.local = round % 7 == 0 ? "" : random_bytes(rng, kLocal, 12);
    p.domain = round % 5 == 0 ? "" : random_bytes(rng, "abc.-[]:", 20);
    INFO("local " << p.local << " domain " << p.domain);
    const std::string expected = old_address(p);
    REQUIRE(p.address() == expected);
    REQUIRE(p.bracketed() == "<" + expected + ">");
    std::string out = "MAIL FROM:";
    p.append_bracketed(out);
    REQUIRE(out == "MAIL FROM:<" + expected + ">");
  }
  CHECK(Path{"Postmaster", ""}.bracketed() == "<Postmaster>");
  CHECK(Path{}.bracketed() == "<>");
  CHECK(Path{"a b", "x.org"}.address() == "\"a b\"@x.org");
}

TEST_CASE("MailParams::wire and append_wire match the previous version", "[smtp][params][equivalence]") {
  std::mt19937 rng(6);
  for (int round = 0; round < 3000; ++round) {
    MailParams m;
    if (rng() % 4) m.size = round % 3 == 0 ? rng() : std::uint64_t{rng()} << (rng() % 33);
    if (round == 1) m.size = 0;
    if (round == 2) m.size = UINT64_MAX;
    m.body = static_cast<Body>(rng() % 3);
    m.ret = static_cast<DsnRet>(rng() % 3);
    if (rng() % 3 == 0) m.envid = random_bytes(rng, kEdges + "+=", 10);
    if (rng() % 3 == 0) m.auth = rng() % 2 ? "<>" : random_bytes(rng, kEdges + "+=@", 10);
    ParamSupport support;
    support.esmtp = rng() % 5 != 0;
    support.size = rng() % 2;
    support.body = rng() % 2;
    support.dsn = rng() % 2;
    support.auth = rng() % 2;
    const std::string expected = old_mail_wire(m, support);
    REQUIRE(m.wire(support) == expected);
    std::string out = "MAIL FROM:<>";
    m.append_wire(out, support);
    REQUIRE(out == "MAIL FROM:<>" + expected);
  }
}

TEST_CASE("message::LineReader (SMTP contract) gives the same lines however the bytes are split", "[smtp][line][equivalence]") {
  // A line in one piece is read in place, one in pieces is buffered: both must agree on
  // the text, the CRLF flag and the too-long flag, at every length around the limit.
  struct Line {
    std::string text;
    bool too_long, crlf;
    bool operator==(const Line&) const = default;
  };
  const auto read = [](std::string_view stream, std::size_t max, std::size_t piece) {
    maillab::message::LineReader r(max);
    std::vector<Line> lines;
    while (!stream.empty()) {
      std::string_view chunk = stream.substr(0, piece);
      while (!chunk.empty()) {
        const std::size_t n = r.put(chunk);
        chunk.remove_prefix(n);
        stream.remove_prefix(n);
        if (r.ready()) {
          lines.push_back(Line{std::string(r.line()), r.too_long(), r.crlf()});
          r.clear();
        }
      }
    }
    return lines;
  };
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    const std::size_t max = 4 + rng() % 12;
    std::string stream;
    for (int n = 1 + static_cast<int>(rng() % 6); n > 0; --n) {
      stream += random_bytes(rng, "ab .:\x80\0\t\r", max + 2);
      stream += rng() % 3 ? "\r\n" : "\n";
    }
    INFO("max " << max << " stream " << stream);
    const auto whole = read(stream, max, stream.size());
    REQUIRE(read(stream, max, 1) == whole);
    REQUIRE(read(stream, max, 1 + rng() % 5) == whole);
    for (const auto& l : whole) REQUIRE(l.text.size() <= max - 2);
  }
  // By hand: max 6 allows 4 octets of text before CRLF.
  const auto lines = read("abcd\r\nabcde\r\nabcde\n\r\n\n", 6, 100);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == Line{"abcd", false, true});
  CHECK(lines[1] == Line{"abcd", true, false});
  CHECK(lines[2] == Line{"abcd", true, false});
  CHECK(lines[3] == Line{"", false, true});
  CHECK(lines[4] == Line{"", false, false});
}

TEST_CASE("ReplyParser treats lines around its length limit alike in any split", "[smtp][reply][equivalence]") {
  std::mt19937 rng(8);
  for (int round = 0; round < 200; ++round) {
    std::string stream;
    for (int n = 1 + static_cast<int>(rng() % 4); n > 0; --n) {
      const std::size_t len = ReplyParser::kMaxLine - 6 + rng() % 12;
      stream += rng() % 4 ? "250 " : "250-";
      stream += std::string(len - 4, static_cast<char>('a' + rng() % 26));
      stream += rng() % 2 ? "\r\n" : "\n";
    }
    stream += "250 end\r\n";
    ReplyParser whole, pieces;
    whole.receive(stream);
    for (std::size_t at = 0; at < stream.size();) {
      const std::size_t n = std::min<std::size_t>(stream.size() - at, 1 + rng() % 700);
      pieces.receive(std::string_view(stream).substr(at, n));
      at += n;
    }
    std::vector<Reply> a, b;
    while (auto r = whole.next()) a.push_back(*r);
    while (auto r = pieces.next()) b.push_back(*r);
    REQUIRE(!a.empty());
    REQUIRE(a == b);
    for (const auto& r : a)
      for (const auto& l : r.lines) REQUIRE(l.size() <= ReplyParser::kMaxLine - 4);
  }
}
