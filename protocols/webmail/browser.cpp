#include "protocols/webmail/browser.hpp"

#include <deque>
#include <map>

#include "protocols/http/client_session.hpp"
#include "protocols/http/response.hpp"
#include "protocols/http/target.hpp"
#include "protocols/services/session_driver.hpp"

namespace maillab::webmail {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

std::string unescape_attr(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.substr(i, 5) == "&amp;") {
      out += '&';
      i += 4;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The value of the attribute `attr` in the first tag after `from`.
std::string attr_after(std::string_view html, std::size_t from, std::string_view attr) {
  const std::string needle = std::string(attr) + "=\"";
  const std::size_t at = html.find(needle, from);
  if (at == std::string_view::npos) return "";
  const std::size_t start = at + needle.size();
  const std::size_t end = html.find('"', start);
  return end == std::string_view::npos ? "" : unescape_attr(html.substr(start, end - start));
}

// An engine adaptor: the HTTP client engine, handing each result to the browser as soon
// as it is complete.
struct Engine {
  http::ClientSession session;
  std::function<void(http::ClientResult)> on_result;
  explicit Engine(http::ClientConfig c) : session(std::move(c)) {}
  void drain() {
    while (auto r = session.next_result()) {
      if (on_result) on_result(std::move(*r));
    }
  }
  void receive(std::string_view d) {
    session.receive(d);
    drain();
  }
  void receive_eof() {
    session.receive_eof();
    drain();
  }
  std::string take_output() { return session.take_output(); }
  std::chrono::milliseconds timeout() const { return session.timeout(); }
  void on_timeout() {
    session.on_timeout();
    drain();
  }
  // The browser is done: the driver closes the connection (orderly) once this is true.
  bool done = false;
  bool closed() const { return done || session.closed(); }
  // HTTPS is implicit (from the first byte): never asked for afterwards.
  bool wants_tls() const { return false; }
  std::function<void(const tls::HandshakeInfo&)> on_tls;
  void on_tls_started(const tls::HandshakeInfo& info) {
    if (on_tls) on_tls(info);
  }
};

using Driver = services::SessionDriver<Engine>;

std::string form_body(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += http::percent_encode(k) + "=" + http::percent_encode(v);
  }
  return out;
}

}  // namespace

std::string page_csrf(std::string_view html) {
  const std::size_t at = html.find("name=\"csrf\"");
  return at == std::string_view::npos ? "" : attr_after(html, at, "value");
}

std::vector<std::string> unseen_links(std::string_view html) {
  std::vector<std::string> out;
  for (std::size_t at = html.find("<tr class=\"unseen\">"); at != std::string_view::npos;
       at = html.find("<tr class=\"unseen\">", at + 1)) {
    std::string link = attr_after(html, at, "href");
    if (!link.empty()) out.push_back(std::move(link));
  }
  return out;
}

std::string next_link(std::string_view html) {
  const std::size_t at = html.find("rel=\"next\"");
  return at == std::string_view::npos ? "" : attr_after(html, at, "href");
}

struct Browser::Impl {
  enum class Step { LoginForm, Login, ComposeForm, Send, List, Open, Logout };
  io::Runtime& rt;
  BrowserJob job;
  Done done;
  std::shared_ptr<Driver> driver;
  Step step = Step::LoginForm;
  std::map<std::string, std::string> cookies;
  std::string csrf;
  std::deque<std::string> to_open;
  std::size_t requests = 0;
  BrowserResult result;
  bool finished = false;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);

  Impl(io::Runtime& r, BrowserJob j, Done d) : rt(r), job(std::move(j)), done(std::move(d)) {}

  void request(std::string method, std::string target, std::string body = {}) {
    http::Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    std::string jar;
    for (const auto& [k, v] : cookies) jar += (jar.empty() ? "" : "; ") + k + "=" + v;
    if (!jar.empty()) r.headers.add("Cookie", jar);
    if (!body.empty() || r.method == "POST") {
      r.headers.add("Content-Type", "application/x-www-form-urlencoded");
      r.body = std::move(body);
    }
    ++requests;
    driver->engine().session.send(r);
  }

  void take_cookies(const http::ClientResult& r) {
    for (const http::Field& f : r.headers) {
      if (!http::iequals(f.name, "Set-Cookie")) continue;
      const std::string_view c = f.value;
      const std::size_t eq = c.find('='), semi = c.find(';');
      if (eq == std::string_view::npos || (semi != std::string_view::npos && eq > semi)) continue;
      std::string name(c.substr(0, eq));
      std::string value(c.substr(eq + 1, semi == std::string_view::npos ? std::string_view::npos : semi - eq - 1));
      if (c.find("Max-Age=0") != std::string_view::npos) {
        cookies.erase(name);
      } else {
        cookies[name] = value;
      }
    }
  }

  void fail(std::string why) {
    result.detail = std::move(why);
    driver->engine().done = true;
  }

  void logout() {
    step = Step::Logout;
    request("POST", "/logout", form_body({{"csrf", csrf}}));
  }

  void next_message() {
    if (to_open.empty() || requests >= kMaxPages) {
      result.ok = true;
      result.detail = "ok";
      logout();
      return;
    }
    step = Step::Open;
    request("GET", to_open.front());
    to_open.pop_front();
  }

  void trace_result(const http::ClientResult& r) {
    std::string command = r.method + " " + r.target;
    std::string reply = r.ok() ? std::to_string(r.status) + " " + std::string(http::reason_phrase(r.status)) : r.detail;
    rt.trace(agent::kMua, ev::kHttpOut,
             {{key::kPeer, job.server_address},
              {key::kCommand, command},
              {key::kReply, reply},
              {key::kPort, job.tls ? std::to_string(job.port) : std::string()}});
  }

  void on_result(http::ClientResult r) {
    trace_result(r);
    if (!r.ok()) {
      if (step != Step::Logout) fail("HTTP: " + r.detail);
      driver->engine().done = true;
      return;
    }
    take_cookies(r);
    if (std::string t = page_csrf(r.body); !t.empty()) csrf = t;
    switch (step) {
      case Step::LoginForm:
        if (r.status != 200 || csrf.empty()) return fail("no login form (" + std::to_string(r.status) + ")");
        step = Step::Login;
        request("POST", "/login", form_body({{"csrf", csrf}, {"user", job.user}, {"password", job.password}}));
        return;
      case Step::Login:
        if (r.status != 303) return fail("login refused (" + std::to_string(r.status) + ")");
        result.logged_in = true;
        if (job.send) {
          step = Step::ComposeForm;
          request("GET", "/compose");
        } else {
          step = Step::List;
          request("GET", std::string(r.headers.get("Location")));
        }
        return;
      case Step::ComposeForm: {
        if (r.status != 200) return fail("no compose form (" + std::to_string(r.status) + ")");
        step = Step::Send;
        const BrowserCompose& c = *job.send;
        request("POST", "/send",
                form_body({{"csrf", csrf}, {"to", c.to}, {"cc", c.cc}, {"subject", c.subject}, {"body", c.body}}));
        return;
      }
      case Step::Send:
        if (r.status != 303) return fail("not sent (" + std::to_string(r.status) + ")");
        result.ok = true;
        result.detail = "ok";
        return logout();
      case Step::List: {
        if (r.status != 200) return fail("no inbox (" + std::to_string(r.status) + ")");
        for (auto& l : unseen_links(r.body)) to_open.push_back(std::move(l));
        if (std::string next = next_link(r.body); !next.empty() && requests < kMaxPages) {
          request("GET", next);
          return;
        }
        return next_message();
      }
      case Step::Open:
        if (r.status == 200) {
          result.messages.push_back({result.messages.size() + 1, r.target, r.body});
        }
        return next_message();
      case Step::Logout: driver->engine().done = true; return;
    }
  }

  void report() {
    if (finished) return;
    finished = true;
    const tls::Session* t = driver ? driver->tls_session() : nullptr;
    if (t && t->failed() && !result.ok) result.detail = "TLS: " + t->error().detail;
    if (!job.send) {
      rt.trace(agent::kMua, result.ok ? ev::kFetchDone : ev::kFetchFailed,
               {{key::kUser, job.user},
                {key::kMessages, std::to_string(result.messages.size())},
                {key::kDetail, result.detail}});
    }
    auto d = done;
    std::weak_ptr<bool> a = alive;
    rt.start_timer(0, [d, a, r = result] {
      if (!a.expired()) d(r);
    });
  }
};

Browser::Browser(io::Runtime& rt, BrowserJob job, Done done)
    : impl_(std::make_shared<Impl>(rt, std::move(job), std::move(done))) {}

Browser::~Browser() {
  impl_->alive.reset();
  if (impl_->driver) impl_->driver->abort();
}

void Browser::start() {
  std::weak_ptr<Impl> weak = impl_;
  Impl* me = impl_.get();
  me->rt.connect(me->job.server_address, me->job.port, 30'000'000'000LL,
                   [weak](io::ConnectStatus st, io::ConnectionPtr c) {
    auto self = weak.lock();
    if (!self) return;
    if (st != io::ConnectStatus::Connected) {
      self->result.detail = st == io::ConnectStatus::Refused ? "connection refused" : "connection timed out";
      self->report();
      return;
    }
    http::ClientConfig cfg;
    cfg.host = self->job.server_name;
    cfg.user_agent = "maillab-browser";
    self->driver = std::make_shared<Driver>(self->rt, std::move(c), cfg);
    if (self->job.tls) {
      const std::string& name = self->job.server_name;
      self->driver->use_tls(*self->job.tls, tls::ClientParams{name, {name}, name + ":" + std::to_string(self->job.port)}, true);
    }
    self->driver->engine().on_result = [weak](http::ClientResult r) {
      if (auto s = weak.lock()) s->on_result(std::move(r));
    };
    if (self->job.tls) {
      // The first request waits for a verified certificate: nothing goes to a server that
      // may not be the webmail (RFC 9110 4.3.4).
      self->driver->engine().on_tls = [weak](const tls::HandshakeInfo& info) {
        auto s = weak.lock();
        if (!s) return;
        if (!info.verified()) return s->fail("TLS: the certificate of " + s->job.server_name + " did not verify: " +
                                             std::string(info.verify_detail));
        s->request("GET", "/login");
      };
    } else {
      self->request("GET", "/login");
    }
    self->driver->start([weak](io::CloseKind) {
      if (auto s = weak.lock()) s->report();
    });
  });
}

}  // namespace maillab::webmail
