#include "protocols/message/mime_part.hpp"

#include "protocols/message/message.hpp"

namespace maillab::message {
namespace {

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// Content-Language: a comma-separated list of language tags (RFC 3282 2).
std::vector<std::string> languages(std::string_view v) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= v.size()) {
    std::size_t comma = v.find(',', start);
    if (comma == std::string_view::npos) comma = v.size();
    std::string tag = trimmed(v.substr(start, comma - start));
    if (!tag.empty()) out.push_back(std::move(tag));
    start = comma + 1;
  }
  return out;
}

class MimeParser {
 public:
  explicit MimeParser(std::string_view all) : all_(all) {}

  void part(std::size_t begin, std::size_t end, bool in_digest, int depth, MimePart& p) {
    ++parts_;
    const std::string_view bytes = all_.substr(begin, end - begin);
    const MessageView mv = MessageView::parse(bytes);
    p.header_begin = begin;
    p.body_end = end;
    p.body_begin = end - mv.body().size();
    if (auto ct = mv.header("Content-Type")) {
      p.content_type = parse_content_type(*ct);
      p.has_content_type = true;
    } else if (in_digest) {
      p.content_type.type = "message/rfc822";  // RFC 2046 5.1.5
    }
    if (!p.has_content_type && p.content_type.type == "text/plain") {
      p.content_type.params["charset"] = "us-ascii";  // RFC 2045 5.2
      p.content_type.ordered.emplace_back("charset", "us-ascii");
    }
    if (auto v = mv.header("Content-ID")) p.id = *v;
    if (auto v = mv.header("Content-Description")) p.description = *v;
    if (auto v = mv.header("Content-Transfer-Encoding")) p.encoding = *v;
    if (auto v = mv.header("Content-MD5")) p.md5 = *v;
    if (auto v = mv.header("Content-Disposition")) {
      p.disposition = parse_disposition(*v);
      p.has_disposition = !p.disposition.type.empty();
    }
    if (auto v = mv.header("Content-Language")) p.languages = languages(*v);
    if (auto v = mv.header("Content-Location")) p.location = *v;
    const std::string_view body = all_.substr(p.body_begin, end - p.body_begin);
    p.body_lines = count_lines(body);
    if (depth >= MimePart::kMaxDepth || parts_ >= MimePart::kMaxParts) return;
    if (p.is_multipart()) {
      const auto boundary = p.content_type.param("boundary");
      if (!boundary) return;
      const bool digest = p.content_type.type == "multipart/digest";
      for (std::string_view sub : split_multipart(body, *boundary)) {
        if (parts_ >= MimePart::kMaxParts) break;
        const std::size_t b = static_cast<std::size_t>(sub.data() - all_.data());
        p.children.emplace_back();
        part(b, b + sub.size(), digest, depth + 1, p.children.back());
      }
    } else if (p.is_message()) {
      p.children.emplace_back();
      part(p.body_begin, end, false, depth + 1, p.children.back());
    }
  }

 private:
  std::string_view all_;
  std::size_t parts_ = 0;
};

}  // namespace

std::size_t count_lines(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += c == '\n';
  if (!text.empty() && text.back() != '\n') ++n;
  return n;
}

MimePart parse_mime(std::string_view message) {
  MimePart root;
  MimeParser(message).part(0, message.size(), false, 0, root);
  return root;
}

}  // namespace maillab::message
