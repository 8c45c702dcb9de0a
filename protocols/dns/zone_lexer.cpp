#include "protocols/dns/zone_lexer.hpp"

namespace maillab::dns {

void ZoneLexer::advance() {
  if (text_[pos_] == '\n') {
    ++line_;
    column_ = 1;
  } else {
    ++column_;
  }
  ++pos_;
}

bool ZoneLexer::fail(int line, int column, std::string message) {
  error_ = ZoneError{line, column, std::move(message)};
  pos_ = text_.size();
  return false;
}

bool ZoneLexer::read_quoted(ZoneToken& token) {
  token.quoted = true;
  advance();  // the opening quote
  while (pos_ < text_.size()) {
    const char c = peek();
    if (c == '"') {
      advance();
      return true;
    }
    if (c == '\n') break;
    if (c == '\\') {
      token.text.push_back(c);
      advance();
      if (pos_ >= text_.size() || peek() == '\n') break;
    }
    token.text.push_back(peek());
    advance();
  }
  return fail(token.line, token.column,
              "unterminated quoted string: expected '\"' before the end of the line");
}

bool ZoneLexer::read_word(ZoneToken& token) {
  while (pos_ < text_.size()) {
    const char c = peek();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '(' || c == ')' ||
        c == '"') {
      break;
    }
    if (c == '\\') {
      token.text.push_back(c);
      advance();
      if (pos_ >= text_.size()) {
        return fail(line_, column_, "expected a character after '\\', found the end of the input");
      }
    }
    token.text.push_back(peek());
    advance();
  }
  return true;
}

bool ZoneLexer::next(ZoneLine& out) {
  out = ZoneLine{};
  if (error_) return false;
  bool at_line_start = true;
  int open_line = 0, open_column = 0;  // the '(' still open, if any
  while (pos_ < text_.size()) {
    const char c = peek();
    if (at_line_start && out.tokens.empty() && open_line == 0) {
      out.owner_omitted = c == ' ' || c == '\t';
    }
    at_line_start = false;
    if (c == '\n') {
      if (open_line == 0 && !out.tokens.empty()) {
        out.end_line = line_;
        out.end_column = column_;
        advance();
        return true;
      }
      advance();
      at_line_start = true;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      advance();
    } else if (c == ';') {
      while (pos_ < text_.size() && peek() != '\n') advance();
    } else if (c == '(') {
      if (open_line) return fail(line_, column_, "nested '(': expected ')' first");
      open_line = line_;
      open_column = column_;
      advance();
    } else if (c == ')') {
      if (!open_line) return fail(line_, column_, "found ')' without a matching '('");
      open_line = 0;
      advance();
    } else {
      ZoneToken token;
      token.line = line_;
      token.column = column_;
      if (c == '"' ? !read_quoted(token) : !read_word(token)) return false;
      out.tokens.push_back(std::move(token));
    }
  }
  if (open_line) {
    return fail(open_line, open_column,
                "'(' is never closed: expected ')' before the end of the input");
  }
  out.end_line = line_;
  out.end_column = column_;
  return !out.tokens.empty();
}

}  // namespace maillab::dns
