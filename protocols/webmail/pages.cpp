#include "protocols/webmail/pages.hpp"

#include "protocols/http/target.hpp"

namespace maillab::webmail {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
          out += "\xEF\xBF\xBD";
        } else {
          out += ch;
        }
    }
  }
  return out;
}

std::string folder_link(std::string_view folder) { return "/mail/" + http::percent_encode(folder); }

std::string message_link(std::string_view folder, std::uint32_t uid) {
  return folder_link(folder) + "/" + std::to_string(uid);
}

namespace {

std::string hidden_csrf(std::string_view csrf) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + html_escape(csrf) + "\">";
}

std::string layout(std::string_view title, const PageContext* c, std::string_view main) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<link rel=\"stylesheet\" href=\"/style.css\"><title>";
  out += html_escape(title);
  out += " - maillab webmail</title></head><body>\n<header><b>maillab webmail</b>";
  if (c != nullptr && !c->user.empty()) {
    out += " <span class=\"user\">" + html_escape(c->user) + "</span> <a href=\"/compose\">Compose</a> ";
    out += "<form method=\"post\" action=\"/logout\" class=\"inline\">" + hidden_csrf(c->csrf) +
           "<button type=\"submit\">Log out</button></form>";
  }
  out += "</header>\n";
  if (c != nullptr && !c->user.empty()) {
    out += "<nav><ul>";
    for (const auto& f : c->folders) {
      out += "<li" + std::string(f == c->folder ? " class=\"current\"" : "") + "><a href=\"" +
             html_escape(folder_link(f)) + "\">" + html_escape(f) + "</a></li>";
    }
    out += "</ul></nav>\n";
  }
  out += "<main>";
  if (c != nullptr && !c->notice.empty()) out += "<p class=\"notice\">" + html_escape(c->notice) + "</p>";
  out += main;
  out += "</main></body></html>\n";
  return out;
}

}  // namespace

std::string login_page(std::string_view csrf, std::string_view error) {
  std::string m = "<h1>Log in</h1>";
  if (!error.empty()) m += "<p class=\"error\">" + html_escape(error) + "</p>";
  m += "<form method=\"post\" action=\"/login\">" + hidden_csrf(csrf) +
       "<label>User <input name=\"user\" autocomplete=\"username\" required></label>"
       "<label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required>"
       "</label><button type=\"submit\">Log in</button></form>";
  return layout("Log in", nullptr, m);
}

std::string mailbox_page(const PageContext& c, const std::vector<MessageRow>& rows, std::size_t page,
                         std::size_t pages, std::size_t total) {
  std::string m = "<h1>" + html_escape(c.folder) + "</h1><p>" + std::to_string(total) + " messages</p>";
  m += "<table class=\"messages\"><thead><tr><th>From</th><th>Subject</th><th>Date</th></tr></thead><tbody>";
  for (const auto& r : rows) {
    m += "<tr class=\"" + std::string(r.seen ? "seen" : "unseen") + "\"><td>" + html_escape(r.from) +
         "</td><td><a href=\"" + html_escape(message_link(c.folder, r.uid)) + "\">" +
         html_escape(r.subject.empty() ? "(no subject)" : r.subject) + "</a></td><td>" + html_escape(r.date) +
         "</td></tr>";
  }
  m += "</tbody></table><p class=\"pages\">";
  const std::string base = html_escape(folder_link(c.folder));
  if (page > 1) m += "<a rel=\"prev\" href=\"" + base + "?page=" + std::to_string(page - 1) + "\">Newer</a> ";
  m += "Page " + std::to_string(page) + " of " + std::to_string(pages);
  if (page < pages) m += " <a rel=\"next\" href=\"" + base + "?page=" + std::to_string(page + 1) + "\">Older</a>";
  m += "</p>";
  return layout(c.folder, &c, m);
}

std::string message_page(const PageContext& c, const ShownMessage& msg) {
  const std::string self = message_link(c.folder, msg.uid);
  std::string m = "<h1>" + html_escape(msg.subject.empty() ? "(no subject)" : msg.subject) + "</h1><dl>";
  auto row = [&m](std::string_view name, const std::string& value) {
    if (!value.empty()) m += "<dt>" + std::string(name) + "</dt><dd>" + html_escape(value) + "</dd>";
  };
  row("From", msg.from);
  row("To", msg.to);
  row("Cc", msg.cc);
  row("Date", msg.date);
  m += "</dl><div class=\"actions\"><a href=\"/compose?folder=" + html_escape(http::percent_encode(c.folder)) +
       "&amp;reply=" + std::to_string(msg.uid) + "\">Reply</a> ";
  m += "<form method=\"post\" action=\"" + html_escape(self) + "/delete\" class=\"inline\">" + hidden_csrf(c.csrf) +
       "<button type=\"submit\">Delete</button></form> ";
  m += "<form method=\"post\" action=\"" + html_escape(self) + "/move\" class=\"inline\">" + hidden_csrf(c.csrf) +
       "<select name=\"to\">";
  for (const auto& f : c.folders) {
    if (f != c.folder) m += "<option>" + html_escape(f) + "</option>";
  }
  m += "</select><button type=\"submit\">Move</button></form></div>";
  m += "<pre class=\"body\">" + html_escape(msg.text) + "</pre>";
  if (msg.has_html) {
    m += "<p>HTML part (shown without scripts):</p><iframe sandbox=\"\" src=\"" + html_escape(self) +
         "/html\" title=\"HTML part\"></iframe>";
  }
  return layout(msg.subject, &c, m);
}

std::string compose_page(const PageContext& c, std::string_view to, std::string_view subject, std::string_view body) {
  std::string m = "<h1>Compose</h1><form method=\"post\" action=\"/send\">" + hidden_csrf(c.csrf);
  m += "<label>To <input name=\"to\" value=\"" + html_escape(to) + "\" required></label>";
  m += "<label>Cc <input name=\"cc\"></label>";
  m += "<label>Subject <input name=\"subject\" value=\"" + html_escape(subject) + "\"></label>";
  m += "<label>Message <textarea name=\"body\" rows=\"14\">" + html_escape(body) + "</textarea></label>";
  m += "<button type=\"submit\">Send</button></form>";
  return layout("Compose", &c, m);
}

std::string_view stylesheet() {
  return "body{font-family:sans-serif;margin:0;display:grid;grid-template-columns:12em 1fr;"
         "grid-template-rows:auto 1fr}\n"
         "header{grid-column:1/3;background:#234;color:#fff;padding:.5em 1em}\n"
         "header a,header .user{color:#fff;margin-left:1em}\n"
         "nav{background:#eef;padding:.5em}nav ul{list-style:none;padding:0}nav .current{font-weight:bold}\n"
         "main{padding:1em}label{display:block;margin:.4em 0}input,textarea{width:100%;max-width:40em}\n"
         ".inline{display:inline}.messages{border-collapse:collapse;width:100%}\n"
         ".messages td,.messages th{border-bottom:1px solid #ccc;padding:.3em;text-align:left}\n"
         ".unseen{font-weight:bold}.error{color:#a00}.notice{background:#ffd;padding:.3em}\n"
         "pre.body{white-space:pre-wrap;border:1px solid #ccc;padding:.5em}"
         "iframe{width:100%;height:20em;border:1px solid #ccc}\n";
}

}  // namespace maillab::webmail
