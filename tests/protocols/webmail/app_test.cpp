// webmail::App through its routes with a scripted backend: what a browser gets (status,
// cookies and their flags, CSRF refusals, escaped pages, the sandboxed HTML part) and
// what the mail servers are asked (IMAP commands, the draft submitted, APPEND to Sent).
#include <catch2/catch.hpp>

#include <deque>

#include "protocols/http/target.hpp"
#include "protocols/webmail/app.hpp"
#include "protocols/webmail/browser.hpp"

using namespace maillab;
using namespace maillab::webmail;

namespace {

struct FakeBackend : Backend {
  struct ImapCall {
    Credentials who;
    std::vector<ImapCommand> commands;
    std::function<void(ImapOutcome)> done;
  };
  std::deque<ImapCall> imap_calls;
  std::vector<message::Draft> drafts;
  std::vector<std::function<void(SubmitOutcome)>> submits;
  std::string password = "builder";

  void imap(const Credentials& who, std::vector<ImapCommand> commands, std::function<void(ImapOutcome)> done) override {
    imap_calls.push_back({who, std::move(commands), std::move(done)});
  }
  void submit(const Credentials& who, message::Draft d, std::function<void(SubmitOutcome)> done) override {
    drafts.push_back(std::move(d));
    submits.push_back(std::move(done));
  }
  // Answers the oldest IMAP call: a wrong password fails the login; else each command OK
  // with the untagged responses given for it.
  void answer(std::vector<std::vector<std::string>> untagged = {}) {
    REQUIRE(!imap_calls.empty());
    ImapCall c = std::move(imap_calls.front());
    imap_calls.pop_front();
    ImapOutcome o;
    if (c.who.password != password) {
      o.status = ImapCommands::Status::AuthFailed;
      o.error = "[AUTHENTICATIONFAILED] Authentication failed.";
    } else {
      o.status = ImapCommands::Status::Done;
      for (std::size_t i = 0; i < c.commands.size(); ++i) {
        ImapReply r;
        r.status = "OK";
        if (i < untagged.size()) r.untagged = untagged[i];
        o.replies.push_back(r);
      }
    }
    c.done(std::move(o));
  }
};

struct Client {
  explicit Client(bool https = false) : secure(https) {}
  FakeBackend backend;
  std::uint64_t counter = 0;
  bool secure;
  App app{AppConfig{"b.example", 2, secure}, backend, [this] { return ++counter * 0x9e3779b97f4a7c15ULL; }};
  std::map<std::string, std::string> cookies;
  std::optional<http::Response> last;

  http::Request request(std::string method, std::string target, std::string body = {}) {
    http::Request r;
    r.method = std::move(method);
    r.target = target;
    auto t = http::parse_target(target);
    REQUIRE(t);
    r.path = t->path;
    r.segments = t->segments;
    r.query = t->query;
    std::string jar;
    for (const auto& [k, v] : cookies) jar += (jar.empty() ? "" : "; ") + k + "=" + v;
    if (!jar.empty()) r.headers.add("Cookie", jar);
    r.body = std::move(body);
    return r;
  }
  // Sends a request; returns the answer when given at once (later ones land in `last`).
  std::optional<http::Response> send(std::string method, std::string target, std::string body = {}) {
    last.reset();
    auto a = app.handle(request(std::move(method), std::move(target), std::move(body)),
                        [this](http::Response r) { keep(r); });
    if (a) keep(*a);
    return a;
  }
  void keep(http::Response r) {
    for (const auto& f : r.headers()) {
      if (!http::iequals(f.name, "Set-Cookie")) continue;
      const std::string c = f.value;
      const std::string name = c.substr(0, c.find('='));
      const std::string value = c.substr(c.find('=') + 1, c.find(';') - c.find('=') - 1);
      if (c.find("Max-Age=0") != std::string::npos) cookies.erase(name);
      else cookies[name] = value;
    }
    last = std::move(r);
  }
  std::string login_csrf() {
    send("GET", "/login");
    REQUIRE(last);
    return page_csrf(last->body);
  }
  void log_in() {
    const std::string csrf = login_csrf();
    CHECK_FALSE(send("POST", "/login", "user=bob&password=builder&csrf=" + csrf));
    backend.answer();
    REQUIRE(last);
    REQUIRE(last->status == 303);
  }
  std::string session_csrf() {
    send("GET", "/compose");
    backend.answer({{"LIST () \"/\" INBOX", "LIST (\\Sent) \"/\" Sent"}});
    REQUIRE(last);
    return page_csrf(last->body);
  }
};

std::vector<std::string> set_cookies(const http::Response& r) {
  std::vector<std::string> out;
  for (const auto& f : r.headers())
    if (http::iequals(f.name, "Set-Cookie")) out.push_back(f.value);
  return out;
}

std::string fetch_with_header(std::uint32_t uid, std::string_view flags, std::string_view header) {
  return std::to_string(uid) + " FETCH (UID " + std::to_string(uid) + " FLAGS (" + std::string(flags) +
         ") BODY[HEADER.FIELDS (FROM SUBJECT DATE)] {" + std::to_string(header.size()) + "}\r\n" +
         std::string(header) + ")";
}

}  // namespace

TEST_CASE("webmail app: login checks the password with IMAP; the session cookie is HttpOnly, SameSite=Strict") {
  Client c;
  const std::string csrf = c.login_csrf();
  REQUIRE(c.last->status == 200);
  CHECK(c.cookies.count("wm_login") == 1);
  CHECK(csrf == c.cookies["wm_login"]);
  CHECK(c.last->header("Content-Security-Policy").find("default-src 'none'") != std::string_view::npos);

  SECTION("a wrong password: 401 and no session") {
    c.send("POST", "/login", "user=bob&password=guess&csrf=" + csrf);
    c.backend.answer();
    REQUIRE(c.last);
    CHECK(c.last->status == 401);
    CHECK(c.last->body.find("refused the login") != std::string::npos);
    CHECK(c.app.sessions() == 0);
  }
  SECTION("the right one: 303 to the inbox with the session cookie") {
    c.send("POST", "/login", "user=bob&password=builder&csrf=" + csrf);
    REQUIRE(c.backend.imap_calls.size() == 1);
    CHECK(c.backend.imap_calls[0].who.user == "bob");
    CHECK(c.backend.imap_calls[0].commands.empty());  // the login alone
    c.backend.answer();
    REQUIRE(c.last);
    CHECK(c.last->status == 303);
    CHECK(c.last->header("Location") == "/mail/INBOX");
    bool session = false;
    for (const auto& sc : set_cookies(*c.last)) {
      if (sc.rfind("wm_session=", 0) != 0) continue;
      session = true;
      CHECK(sc.find("; HttpOnly") != std::string::npos);
      CHECK(sc.find("; SameSite=Strict") != std::string::npos);
      CHECK(sc.find("; Path=/") != std::string::npos);
      CHECK(sc.size() > std::string("wm_session=").size() + 31);  // 128 bits in hex
    }
    CHECK(session);
    CHECK(c.app.sessions() == 1);
  }
  SECTION("an empty password never reaches IMAP") {
    c.send("POST", "/login", "user=bob&password=&csrf=" + csrf);
    REQUIRE(c.last);
    CHECK(c.last->status == 401);
    CHECK(c.backend.imap_calls.empty());
  }
}

TEST_CASE("webmail app: a POST without the right CSRF token is 403 and does nothing") {
  Client c;
  SECTION("login without the login cookie's token") {
    c.login_csrf();
    c.send("POST", "/login", "user=bob&password=builder&csrf=forged");
    REQUIRE(c.last);
    CHECK(c.last->status == 403);
    CHECK(c.backend.imap_calls.empty());
  }
  SECTION("send, delete, move and logout with a wrong or missing token") {
    c.log_in();
    for (const auto& [target, body] : std::vector<std::pair<std::string, std::string>>{
             {"/send", "to=alice@a.example&subject=x&body=y&csrf=nope"},
             {"/send", "to=alice@a.example&subject=x&body=y"},
             {"/mail/INBOX/1/delete", "csrf="},
             {"/mail/INBOX/1/move", "to=Trash&csrf=zz"},
             {"/logout", "csrf=nope"}}) {
      INFO(target << " " << body);
      c.send("POST", target, body);
      REQUIRE(c.last);
      CHECK(c.last->status == 403);
    }
    CHECK(c.backend.imap_calls.empty());
    CHECK(c.backend.drafts.empty());
    CHECK(c.app.sessions() == 1);
  }
  SECTION("without a session a page redirects to the login, a POST is 403") {
    c.send("GET", "/mail/INBOX");
    CHECK(c.last->status == 303);
    CHECK(c.last->header("Location") == "/login");
    c.send("POST", "/send", "to=a@b&csrf=");
    CHECK(c.last->status == 403);
  }
}

TEST_CASE("webmail app: the message list escapes what the headers carry and pages by 2") {
  Client c;
  c.log_in();
  c.send("GET", "/mail/INBOX?page=1");
  REQUIRE(c.backend.imap_calls.size() == 1);
  const auto& cmds = c.backend.imap_calls[0].commands;
  REQUIRE(cmds.size() == 3);
  CHECK(cmds[1].command == "EXAMINE INBOX");
  c.backend.answer({{"LIST () \"/\" INBOX", "LIST (\\Sent) \"/\" \"Sent <x>\""},
                    {},
                    {fetch_with_header(1, "\\Seen", "From: a@a.example\r\nSubject: one\r\n\r\n"),
                     fetch_with_header(2, "", "From: \"Eve <script>\" <e@x>\r\nSubject: <img src=x onerror=alert(1)>\r\n\r\n"),
                     fetch_with_header(3, "", "From: c@c.example\r\nSubject: three & more\r\n\r\n")}});
  REQUIRE(c.last);
  REQUIRE(c.last->status == 200);
  const std::string& page = c.last->body;
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("<img") == std::string::npos);
  CHECK(page.find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);
  CHECK(page.find("three &amp; more") != std::string::npos);
  CHECK(page.find("Sent &lt;x&gt;") != std::string::npos);
  CHECK(page.find("href=\"/mail/Sent%20%3Cx%3E\"") != std::string::npos);
  CHECK(page.find("Page 1 of 2") != std::string::npos);
  // Newest first: 3 and 2 on page 1, both unread.
  CHECK(unseen_links(page) == std::vector<std::string>{"/mail/INBOX/3", "/mail/INBOX/2"});
  CHECK(next_link(page) == "/mail/INBOX?page=2");
}

TEST_CASE("webmail app: a message's text is escaped and its HTML part only in a sandbox") {
  Client c;
  c.log_in();
  const std::string msg =
      "From: eve@x\r\nSubject: hi\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\n<script>alert(1)</script>\r\n"
      "--b\r\nContent-Type: text/html\r\n\r\n<p>hello</p><script>alert(2)</script>\r\n--b--\r\n";
  const std::string fetch = "4 FETCH (UID 4 FLAGS (\\Seen) BODY[] {" + std::to_string(msg.size()) + "}\r\n" + msg + ")";
  c.send("GET", "/mail/INBOX/4");
  c.backend.answer({{"LIST () \"/\" INBOX"}, {}, {fetch}});
  REQUIRE(c.last);
  REQUIRE(c.last->status == 200);
  CHECK(c.last->body.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(c.last->body.find("<script") == std::string::npos);
  CHECK(c.last->body.find("<iframe sandbox=\"\" src=\"/mail/INBOX/4/html\"") != std::string::npos);
  CHECK(c.last->body.find("alert(2)") == std::string::npos);

  c.send("GET", "/mail/INBOX/4/html");
  c.backend.answer({{"LIST () \"/\" INBOX"}, {}, {fetch}});
  REQUIRE(c.last);
  CHECK(c.last->status == 200);
  CHECK(c.last->header("Content-Security-Policy").rfind("sandbox;", 0) == 0);
  CHECK(c.last->header("Content-Security-Policy").find("script-src") == std::string_view::npos);
  CHECK(c.last->header("Content-Security-Policy").find("default-src 'none'") != std::string_view::npos);
}

TEST_CASE("webmail app: send submits as the user, APPENDs to Sent; a line break in a header field is 400") {
  Client c;
  c.log_in();
  const std::string csrf = c.session_csrf();
  REQUIRE_FALSE(csrf.empty());
  SECTION("a good message") {
    c.send("POST", "/send", "csrf=" + csrf + "&to=alice%40a.example%2C+carol%40c.example&subject=Hi&body=Hello");
    REQUIRE(c.backend.drafts.size() == 1);
    CHECK(c.backend.drafts[0].from == "bob@b.example");
    CHECK(c.backend.drafts[0].to == std::vector<std::string>{"alice@a.example", "carol@c.example"});
    c.backend.submits[0](SubmitOutcome{true, "250 2.0.0 Ok", "From: bob@b.example\r\n\r\nHello\r\n"});
    REQUIRE(c.backend.imap_calls.size() == 1);
    CHECK(c.backend.imap_calls[0].commands[0].command == "APPEND Sent (\\Seen)");
    CHECK(c.backend.imap_calls[0].commands[0].literal == "From: bob@b.example\r\n\r\nHello\r\n");
    c.backend.answer();
    REQUIRE(c.last);
    CHECK(c.last->status == 303);
    CHECK(c.last->header("Location") == "/mail/Sent");
  }
  SECTION("a refused submission is shown, nothing is saved") {
    c.send("POST", "/send", "csrf=" + csrf + "&to=alice%40a.example&subject=Hi&body=Hello");
    c.backend.submits[0](SubmitOutcome{false, "535 5.7.8 Authentication failed", ""});
    REQUIRE(c.last);
    CHECK(c.last->status == 502);
    CHECK(c.last->body.find("535 5.7.8") != std::string::npos);
    CHECK(c.backend.imap_calls.empty());
  }
  SECTION("CR LF in Subject or To") {
    c.send("POST", "/send", "csrf=" + csrf + "&to=alice%40a.example&subject=Hi%0D%0ABcc%3A+x%40evil&body=x");
    CHECK(c.last->status == 400);
    c.send("POST", "/send", "csrf=" + csrf + "&to=alice%40a.example%0ABcc%3A+x&subject=Hi&body=x");
    CHECK(c.last->status == 400);
    CHECK(c.backend.drafts.empty());
  }
}

TEST_CASE("webmail app: logout forgets the session") {
  Client c;
  c.log_in();
  const std::string csrf = c.session_csrf();
  c.send("POST", "/logout", "csrf=" + csrf);
  REQUIRE(c.last);
  CHECK(c.last->status == 303);
  CHECK(c.app.sessions() == 0);
  CHECK(c.cookies.count("wm_session") == 0);
  c.send("GET", "/mail/INBOX");
  CHECK(c.last->status == 303);
  CHECK(c.last->header("Location") == "/login");
}

TEST_CASE("webmail app: served over HTTPS, every cookie is Secure") {
  Client c(true);
  const std::string csrf = c.login_csrf();
  for (const auto& sc : set_cookies(*c.last)) CHECK(sc.find("; Secure") != std::string::npos);
  c.send("POST", "/login", "user=bob&password=builder&csrf=" + csrf);
  c.backend.answer();
  REQUIRE(c.last);
  CHECK(c.last->status == 303);
  const auto set = set_cookies(*c.last);
  CHECK(set.size() == 2);  // the session, and the login cookie cleared
  for (const auto& sc : set) CHECK(sc.find("; Secure") != std::string::npos);
  Client plain;
  plain.login_csrf();
  for (const auto& sc : set_cookies(*plain.last)) CHECK(sc.find("Secure") == std::string::npos);
}
