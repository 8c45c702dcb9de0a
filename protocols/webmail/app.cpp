#include "protocols/webmail/app.hpp"

#include <charconv>

#include "protocols/http/target.hpp"
#include "protocols/webmail/mail_view.hpp"
#include "protocols/webmail/pages.hpp"

namespace maillab::webmail {

namespace {

constexpr std::string_view kSessionCookie = "wm_session";
constexpr std::string_view kLoginCookie = "wm_login";
constexpr std::string_view kListFolders = "LIST \"\" \"*\"";

http::Response page(int status, std::string html) {
  http::Response r = http::Response::html(status, std::move(html));
  set_page_policy(r);
  return r;
}

http::Response see_other(std::string_view where) { return http::Response::redirect(303, where); }

http::Response forbidden(std::string_view why) { return page(403, login_page("", why)); }

// Secure over HTTPS (RFC 6265 4.1.2.5): the browser never sends it back in clear.
std::string cookie(std::string_view name, std::string_view value, bool secure, bool clear = false) {
  std::string c = std::string(name) + "=" + std::string(value) + "; Path=/; HttpOnly; SameSite=Strict";
  if (secure) c += "; Secure";
  if (clear) c += "; Max-Age=0";
  return c;
}

std::string_view cookie_value(const http::Request& r, std::string_view name) {
  std::string_view all = r.header("Cookie");
  while (!all.empty()) {
    const std::size_t semi = all.find(';');
    std::string_view part = all.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name && part[name.size()] == '=')
      return part.substr(name.size() + 1);
    if (semi == std::string_view::npos) break;
    all.remove_prefix(semi + 1);
  }
  return {};
}

std::string form_value(const http::Query& q, std::string_view name) {
  auto v = http::query_value(q, name);
  return v ? std::string(*v) : std::string();
}

bool header_safe(std::string_view v) {
  return v.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos && v.size() <= 998;
}

std::optional<std::uint32_t> parse_uid(std::string_view s) {
  std::uint32_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size() || n == 0) return std::nullopt;
  return n;
}

std::vector<std::string> split_addresses(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const std::size_t comma = s.find(',');
    std::string_view a = s.substr(0, comma);
    while (!a.empty() && a.front() == ' ') a.remove_prefix(1);
    while (!a.empty() && a.back() == ' ') a.remove_suffix(1);
    if (!a.empty()) out.emplace_back(a);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::string imap_failure(const ImapOutcome& o) {
  if (o.status == ImapCommands::Status::AuthFailed) return "The mail server refused the login.";
  return "The mail server could not be reached: " + o.error;
}

}  // namespace

void set_page_policy(http::Response& r) {
  r.set("Content-Security-Policy",
        "default-src 'none'; style-src 'self'; frame-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'");
}

App::App(AppConfig config, Backend& backend, std::function<std::uint64_t()> random)
    : config_(std::move(config)), backend_(backend), random_(std::move(random)) {}

std::string App::token() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 2; ++i) {
    std::uint64_t v = random_();
    for (int j = 0; j < 16; ++j, v >>= 4) out += kHex[v & 15];
  }
  return out;
}

App::Session* App::session_of(const http::Request& r) {
  const std::string_view id = cookie_value(r, kSessionCookie);
  if (id.empty()) return nullptr;
  auto it = sessions_.find(std::string(id));
  return it == sessions_.end() ? nullptr : &it->second;
}

http::Answer App::handle(const http::Request& r, Respond respond) {
  const auto& seg = r.segments;
  const bool get = r.method == "GET" || r.method == "HEAD";
  const bool post = r.method == "POST";
  if (get && r.path == "/style.css") {
    http::Response css = http::Response::text(200, std::string(stylesheet()));
    css.set("Content-Type", "text/css; charset=utf-8");
    return css;
  }
  if (r.path == "/login") {
    if (get) return login_form();
    if (post) return login(r, std::move(respond));
  }
  Session* s = session_of(r);
  std::optional<http::Query> form;
  if (post) {
    form = http::parse_form(r.body);
    if (!form) return page(400, login_page("", "The form did not decode."));
    if (s == nullptr || form_value(*form, "csrf") != s->csrf) return forbidden("The form is stale: log in again.");
  }
  if (post && r.path == "/logout") return logout(r);
  if (s == nullptr) {
    if (get) return see_other("/login");
    return forbidden("Log in first.");
  }
  if (get && r.path == "/") return see_other(folder_link("INBOX"));
  if (get && r.path == "/compose") return compose(*s, r, std::move(respond));
  if (post && r.path == "/send") return send(*s, *form, std::move(respond));
  if (!seg.empty() && seg[0] == "mail" && seg.size() >= 2) {
    if (seg.size() == 2 && get) {
      std::size_t pg = 1;
      if (auto p = r.query_param("page")) pg = parse_uid(*p).value_or(1);
      return folder(*s, seg[1], pg, std::move(respond));
    }
    auto uid = seg.size() >= 3 ? parse_uid(seg[2]) : std::nullopt;
    if (!uid) return page(404, login_page("", "No such message."));
    if (seg.size() == 3 && get) return message(*s, seg[1], *uid, false, std::move(respond));
    if (seg.size() == 4 && get && seg[3] == "html") return message(*s, seg[1], *uid, true, std::move(respond));
    if (seg.size() == 4 && post && seg[3] == "delete") return change(*s, seg[1], *uid, "", std::move(respond));
    if (seg.size() == 4 && post && seg[3] == "move") {
      const std::string to = form_value(*form, "to");
      if (to.empty()) return page(400, login_page("", "Move where?"));
      return change(*s, seg[1], *uid, to, std::move(respond));
    }
  }
  if (!get && !post) {
    http::Response r405 = http::Response::error(405, "use GET or POST");
    r405.set("Allow", "GET, HEAD, POST");
    return r405;
  }
  return page(404, login_page("", "No such page."));
}

http::Answer App::login_form() {
  const std::string t = token();
  http::Response r = page(200, login_page(t, ""));
  r.add("Set-Cookie", cookie(kLoginCookie, t, config_.secure));
  return r;
}

http::Answer App::login(const http::Request& r, Respond respond) {
  auto form = http::parse_form(r.body);
  const std::string_view expected = cookie_value(r, kLoginCookie);
  if (!form || expected.empty() || form_value(*form, "csrf") != expected) {
    return forbidden("The login form is stale: reload it.");
  }
  Credentials who{form_value(*form, "user"), form_value(*form, "password")};
  if (who.user.empty() || who.password.empty()) {
    return page(401, login_page(expected, "Give a user name and a password."));
  }
  const std::string retry = std::string(expected);
  backend_.imap(who, {}, [this, who, retry, respond](ImapOutcome o) {
    if (o.status != ImapCommands::Status::Done) {
      respond(page(401, login_page(retry, imap_failure(o))));
      return;
    }
    if (sessions_.size() >= kMaxSessions && !order_.empty()) {
      sessions_.erase(order_.front());
      order_.pop_front();
    }
    const std::string id = token();
    sessions_[id] = Session{who, token()};
    order_.push_back(id);
    http::Response res = see_other(folder_link("INBOX"));
    res.add("Set-Cookie", cookie(kSessionCookie, id, config_.secure));
    res.add("Set-Cookie", cookie(kLoginCookie, "", config_.secure, true));
    respond(std::move(res));
  });
  return std::nullopt;
}

http::Answer App::folder(Session& s, const std::string& name, std::size_t pg, Respond respond) {
  auto box = mailbox_arg(name);
  if (!box) return page(404, login_page("", "No such folder."));
  std::vector<ImapCommand> cmds{{std::string(kListFolders), {}},
                                {"EXAMINE " + *box, {}},
                                {"UID FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])", {}}};
  PageContext c{s.who.user, s.csrf, {}, name, {}};
  const std::size_t size = config_.page_size;
  backend_.imap(s.who, std::move(cmds), [c, pg, size, respond](ImapOutcome o) mutable {
    if (o.status != ImapCommands::Status::Done) {
      respond(page(502, login_page("", imap_failure(o))));
      return;
    }
    c.folders = folders_from(o.replies[0]);
    if (o.replies[1].status != "OK") {
      c.notice = "No such folder.";
      respond(page(404, mailbox_page(c, {}, 1, 1, 0)));
      return;
    }
    std::vector<MessageRow> rows = rows_from(o.replies[2]);
    const std::size_t total = rows.size();
    const std::size_t pages = std::max<std::size_t>(1, (total + size - 1) / size);
    pg = std::min(std::max<std::size_t>(pg, 1), pages);
    const std::size_t first = (pg - 1) * size;
    std::vector<MessageRow> shown(rows.begin() + static_cast<std::ptrdiff_t>(std::min(first, total)),
                                  rows.begin() + static_cast<std::ptrdiff_t>(std::min(first + size, total)));
    respond(page(200, mailbox_page(c, shown, pg, pages, total)));
  });
  return std::nullopt;
}

http::Answer App::message(Session& s, const std::string& name, std::uint32_t uid, bool html_part,
                          Respond respond) {
  auto box = mailbox_arg(name);
  if (!box) return page(404, login_page("", "No such folder."));
  const std::string u = std::to_string(uid);
  std::vector<ImapCommand> cmds{{std::string(kListFolders), {}},
                                {"SELECT " + *box, {}},
                                {"UID FETCH " + u + (html_part ? " (UID BODY.PEEK[])" : " (UID FLAGS BODY[])"), {}}};
  PageContext c{s.who.user, s.csrf, {}, name, {}};
  backend_.imap(s.who, std::move(cmds), [c, uid, html_part, respond](ImapOutcome o) mutable {
    if (o.status != ImapCommands::Status::Done) {
      respond(page(502, login_page("", imap_failure(o))));
      return;
    }
    c.folders = folders_from(o.replies[0]);
    if (html_part) {
      auto html = html_part_from(o.replies[2], uid);
      if (!html) {
        respond(http::Response::error(404, "no HTML part"));
        return;
      }
      http::Response r = http::Response::html(200, std::move(*html));
      // Sandboxed: a unique origin, no scripts, no forms, nothing loaded from outside.
      r.set("Content-Security-Policy",
            "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'");
      r.set("X-Frame-Options", "SAMEORIGIN");
      respond(std::move(r));
      return;
    }
    auto shown = shown_from(o.replies[2], uid);
    if (!shown) {
      c.notice = "No such message.";
      respond(page(404, mailbox_page(c, {}, 1, 1, 0)));
      return;
    }
    respond(page(200, message_page(c, *shown)));
  });
  return std::nullopt;
}

http::Answer App::compose(Session& s, const http::Request& r, Respond respond) {
  PageContext c{s.who.user, s.csrf, {}, "", {}};
  auto reply = r.query_param("reply");
  auto folder_name = r.query_param("folder");
  auto uid = reply ? parse_uid(*reply) : std::nullopt;
  auto box = folder_name ? mailbox_arg(*folder_name) : std::nullopt;
  std::vector<ImapCommand> cmds{{std::string(kListFolders), {}}};
  if (uid && box) {
    cmds.push_back({"EXAMINE " + *box, {}});
    cmds.push_back({"UID FETCH " + std::to_string(*uid) + " (UID BODY.PEEK[])", {}});
  }
  backend_.imap(s.who, std::move(cmds), [c, uid, respond](ImapOutcome o) mutable {
    if (o.status != ImapCommands::Status::Done) {
      respond(page(502, login_page("", imap_failure(o))));
      return;
    }
    c.folders = folders_from(o.replies[0]);
    std::string to, subject, body;
    if (uid && o.replies.size() == 3) {
      if (auto m = shown_from(o.replies[2], *uid)) {
        to = m->from;
        subject = m->subject.rfind("Re:", 0) == 0 ? m->subject : "Re: " + m->subject;
        body = "\n\n" + m->from + " wrote:\n";
        std::string_view t = m->text;
        while (!t.empty()) {
          const std::size_t nl = t.find('\n');
          body += "> " + std::string(t.substr(0, nl)) + "\n";
          if (nl == std::string_view::npos) break;
          t.remove_prefix(nl + 1);
        }
      }
    }
    respond(page(200, compose_page(c, to, subject, body)));
  });
  return std::nullopt;
}

http::Answer App::send(Session& s, const http::Query& form, Respond respond) {
  PageContext c{s.who.user, s.csrf, {}, "", {}};
  message::Draft d;
  d.from = s.who.user + "@" + config_.domain;
  const std::string to = form_value(form, "to"), cc = form_value(form, "cc");
  d.to = split_addresses(to);
  d.cc = split_addresses(cc);
  d.subject = form_value(form, "subject");
  d.body = form_value(form, "body");
  if (!header_safe(to) || !header_safe(cc) || !header_safe(d.subject)) {
    c.notice = "A line break is not allowed in To, Cc or Subject.";
    return page(400, compose_page(c, "", "", d.body));
  }
  if (d.to.empty() && d.cc.empty()) {
    c.notice = "Give at least one recipient.";
    return page(400, compose_page(c, to, d.subject, d.body));
  }
  const Credentials who = s.who;
  backend_.submit(who, d, [this, c, who, d, respond](SubmitOutcome sent) mutable {
    if (!sent.accepted) {
      c.notice = "Not sent: " + sent.detail;
      respond(page(502, compose_page(c, "", d.subject, d.body)));
      return;
    }
    std::vector<ImapCommand> cmds{{"APPEND Sent (\\Seen)", sent.content}};
    backend_.imap(who, std::move(cmds), [respond](ImapOutcome o) {
      if (o.status != ImapCommands::Status::Done || o.replies[0].status != "OK") {
        respond(page(200, login_page("", "Sent, but the copy in Sent failed.")));
        return;
      }
      respond(see_other(folder_link("Sent")));
    });
  });
  return std::nullopt;
}

http::Answer App::change(Session& s, const std::string& name, std::uint32_t uid, const std::string& to,
                         Respond respond) {
  auto box = mailbox_arg(name);
  auto target = to.empty() ? std::optional<std::string>("") : mailbox_arg(to);
  if (!box || !target) return page(400, login_page("", "No such folder."));
  const std::string u = std::to_string(uid);
  std::vector<ImapCommand> cmds{{"SELECT " + *box, {}}};
  if (to.empty()) {
    cmds.push_back({"UID STORE " + u + " +FLAGS.SILENT (\\Deleted)", {}});
    cmds.push_back({"UID EXPUNGE " + u, {}});
  } else {
    cmds.push_back({"UID MOVE " + u + " " + *target, {}});
  }
  const std::string back = folder_link(name);
  backend_.imap(s.who, std::move(cmds), [back, respond](ImapOutcome o) {
    if (o.status != ImapCommands::Status::Done) {
      respond(page(502, login_page("", imap_failure(o))));
      return;
    }
    respond(see_other(back));
  });
  return std::nullopt;
}

http::Answer App::logout(const http::Request& r) {
  const std::string id(cookie_value(r, kSessionCookie));
  sessions_.erase(id);
  std::erase(order_, id);
  http::Response res = see_other("/login");
  res.add("Set-Cookie", cookie(kSessionCookie, "", config_.secure, true));
  return res;
}

}  // namespace maillab::webmail
