// SmtpCtx: the shared raw connection, and where a close by the server is written.
#include "bridge/check/smtp_ctx.hpp"

#include <cstdio>
#include <random>

#include "protocols/message/ascii.hpp"

namespace maillab::check {

namespace {

// "closed by the server after 4 errors (no 421)" before what the check saw, and the
// outcome the close gives the row (see smtp_ctx.hpp).
Result with_close(Result r, const SmtpCtx::Closed& closed) {
  const int errors = closed.errors - (closed.with_421 ? 1 : 0);  // the 421 itself is no cause
  const std::string count = std::to_string(errors) + (errors == 1 ? " error" : " errors");
  std::string note;
  if (closed.with_421) {
    note = "421, closed after " + count;
  } else if (closed.by_server) {
    note = "closed by the server after " + count + " (no 421)";
    if (r.outcome == Outcome::Pass) r.outcome = errors > 0 ? Outcome::Warn : Outcome::Fail;
  } else {
    note = "ended: " + closed.error;  // an unasked reply other than 421
    if (r.outcome == Outcome::Pass) r.outcome = Outcome::Warn;
  }
  r.said = r.said.empty() ? note : note + "; " + r.said;
  return r;
}

SmtpCtx::Closed closed_info(const SmtpLine& l) {
  return {l.errors(), l.close_reply().has_value(), l.closed_by_server(), l.error()};
}

}  // namespace

SmtpCtx::SmtpCtx(const Url& u, const Options& o, const Url* f)
    : url(u), opt(o), fetch(f), helo(o.helo.empty() ? "maillab.check" : o.helo) {
  std::random_device rd;
  const auto n = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(n));
  token = buf;
}

std::optional<std::pair<std::string, std::string>> SmtpCtx::auth() const {
  if (opt.user.empty()) return std::nullopt;
  return std::make_pair(opt.user, opt.password);
}

SmtpLine* SmtpCtx::conn(std::string* why) {
  if (line && line->alive()) return line.get();
  if (line) keep_replies();
  line = std::make_unique<SmtpLine>(url, opt.timeout);
  close_noted_ = false;
  line_row_.reset();  // no check has used this connection yet
  if (!line->open() || !line->hello(helo)) {
    *why = line->error();
    return nullptr;
  }
  // Credentials only when the user gave them and the server offers AUTH; a refusal is
  // the AUTH row's finding, the checks go on unauthenticated.
  if (auto a = auth(); a && line->extensions().count("AUTH")) line->authenticate(a->first, a->second);
  if (!line->alive()) {
    *why = line->error();
    return nullptr;
  }
  return line.get();
}

void SmtpCtx::keep_replies() {
  if (!line) return;
  auto& r = line->after_ehlo();
  replies_after_ehlo.insert(replies_after_ehlo.end(), r.begin(), r.end());
  r.clear();
}

void SmtpCtx::before_check(Report& report) {
  report_ = &report;
  row_ = report.rows().size();
  used_ = false;
  blamed_ = false;
}

bool SmtpCtx::after_check(Result& result) {
  if (!used_) return false;
  line_row_ = row_;
  if (retry_close_) {  // the second run of a check the server cut short the first time
    result = with_close(std::move(result), *retry_close_);
    retry_close_.reset();
    if (line && line->closed_by_server()) close_noted_ = true;  // one note per row
    return false;
  }
  if (!line || line->alive() || close_noted_ || !line->closed_by_server()) return false;
  close_noted_ = true;
  if (result.outcome == Outcome::Pass) {  // closed after the check had its answer
    result = with_close(std::move(result), closed_info(*line));
    return false;
  }
  // Closed before the check had its answer (Exim's "554 Too many nonmail commands" to
  // the RSET a check starts with): once more, on a new connection.
  retry_close_ = closed_info(*line);
  used_ = false;
  blamed_ = true;  // this row is the close's; the previous one is not
  return true;
}

bool SmtpCtx::first_command() {
  if (used_) return false;
  used_ = true;
  // Postfix sends its 421 before reading the next command; Exim has closed already.
  if (line && line->alive() && line->poll_close()) {
    blame_previous(*line);
    close_noted_ = true;  // the previous check's, or nobody's: never this one's
  }
  return true;
}

bool SmtpCtx::blame_previous(const SmtpLine& closed) {
  if (!report_ || blamed_ || !line_row_ || *line_row_ >= report_->rows().size()) return false;
  blamed_ = true;
  report_->replace(*line_row_, with_close(report_->rows()[*line_row_].result, closed_info(closed)));
  return true;
}

std::optional<smtp::Reply> SmtpCtx::command(std::string_view text, std::string* why) {
  const bool first = first_command();
  SmtpLine* l = conn(why);
  if (!l) return std::nullopt;
  auto r = l->command(text);
  if (!first || blamed_ || !line_row_ || !l->closed_by_server() || (r && r->code != 421)) {
    if (!r) *why = std::string(text.substr(0, 20)) + ": " + l->error();
    return r;
  }
  // Closed before this check said anything that could have caused it (an EOF where its
  // first reply was due, or a 421 answering it): when a new connection takes the same
  // command, the close was the previous check's.
  keep_replies();
  std::unique_ptr<SmtpLine> closed = std::move(line);
  const std::optional<std::size_t> previous = line_row_;
  std::string ignored;
  if (SmtpLine* again = conn(&ignored)) {
    auto retry = again->command(text);
    if (retry && retry->code != 421) {
      line_row_ = previous;
      blame_previous(*closed);
      return retry;
    }
  }
  if (!r) *why = std::string(text.substr(0, 20)) + ": " + closed->error();
  return r;
}

std::optional<smtp::Reply> cmd(SmtpCtx& c, std::string_view text, std::string* why) { return c.command(text, why); }

std::optional<Result> session_continues(SmtpCtx& c, const std::string& said) {
  if (!c.line || !c.line->alive()) {
    if (c.line && c.line->closed_by_server()) return std::nullopt;
    return Result::fail(said + "; then the connection was gone");
  }
  auto r = c.line->command("NOOP");
  if (!r && c.line->closed_by_server()) return std::nullopt;
  if (!r) return Result::fail(said + "; then NOOP got " + c.line->error());
  if (r->code == 421) return std::nullopt;
  if (r->code != 250) return Result::fail(said + "; then NOOP got " + first_line(*r));
  return std::nullopt;
}

std::optional<Result> mail_refused(const SmtpCtx& c, const smtp::Reply& mail) {
  if (mail.positive_completion()) return std::nullopt;
  std::string text;
  for (std::string_view l : mail.lines) text.append(l).push_back(' ');
  message::upper_in_place(text);
  std::string why = "MAIL refused: ";
  if (text.find("STARTTLS") != std::string::npos) why = "needs STARTTLS (not offered, or refused): ";
  else if (mail.code == 530 && c.opt.user.empty()) why = "needs AUTH (--user/--password): ";
  return Result::skip(why + first_line(mail));
}

}  // namespace maillab::check
