// webmail pages: the HTML the webmail serves, rendered on the server, working without
// JavaScript (no script at all). Every text that comes from a message, a folder name, the
// user or the form is HTML-escaped here (html_escape), in element content and in quoted
// attribute values alike; links carry percent-encoded path segments. A message's HTML
// part is never put in these pages: message_page links it into a sandboxed iframe whose
// own response forbids scripts (app.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::webmail {

// & < > " ' as entities; NUL and other C0 controls but TAB, LF, CR as U+FFFD.
std::string html_escape(std::string_view text);

struct MessageRow {
  std::uint32_t uid = 0;
  std::string from, subject, date;
  bool seen = false;
};

struct ShownMessage {
  std::uint32_t uid = 0;
  std::string from, to, cc, subject, date;
  std::string text;       // the text/plain part, decoded (shown in <pre>, escaped)
  bool has_html = false;  // an HTML part exists: shown in a sandboxed iframe
};

struct PageContext {
  std::string user;                 // "" when logged out
  std::string csrf;                 // the session's token, in every form
  std::vector<std::string> folders;
  std::string folder;               // the current one
  std::string notice;               // a line shown on top (a failure, "Message sent")
};

std::string login_page(std::string_view csrf, std::string_view error);
std::string mailbox_page(const PageContext& c, const std::vector<MessageRow>& rows, std::size_t page,
                         std::size_t pages, std::size_t total);
std::string message_page(const PageContext& c, const ShownMessage& m);
std::string compose_page(const PageContext& c, std::string_view to, std::string_view subject,
                         std::string_view body);
// The stylesheet (/style.css): the pages use no inline style.
std::string_view stylesheet();
// "/mail/<folder>" and "/mail/<folder>/<uid>", segments percent-encoded.
std::string folder_link(std::string_view folder);
std::string message_link(std::string_view folder, std::uint32_t uid);

}  // namespace maillab::webmail
