#include "protocols/imap/server_session.hpp"

#include <array>
#include <cassert>
#include <utility>

#include "protocols/imap/ascii_case.hpp"
#include "protocols/imap/wire_format.hpp"
#include "protocols/message/modified_utf7.hpp"

namespace maillab::imap {
namespace {

constexpr unsigned kNotAuth = 1u << 0;
constexpr unsigned kAuth = 1u << 1;
constexpr unsigned kSelected = 1u << 2;
constexpr unsigned kAny = kNotAuth | kAuth | kSelected;
constexpr std::size_t kShownMax = 200;

unsigned state_bit(ServerSession::State s) {
  switch (s) {
    case ServerSession::State::NotAuthenticated: return kNotAuth;
    case ServerSession::State::Authenticated: return kAuth;
    case ServerSession::State::Selected: return kSelected;
    case ServerSession::State::Logout: return 0;
  }
  return 0;
}

}  // namespace

// The state machine as data (DESIGN.md): verb, the states it is valid in, whether UID
// may prefix it (RFC 9051 6.4.9), its action, and where the rule comes from.
struct ServerCommands {
  struct Command {
    std::string_view verb;
    unsigned states;
    bool uid_form;
    void (ServerSession::*act)(Parser&);
    std::string_view rfc;
  };

  static constexpr std::array<Command, 31> kTable{{
      {"CAPABILITY", kAny, false, &ServerSession::cmd_capability, "RFC 9051 6.1.1"},
      {"NOOP", kAny, false, &ServerSession::cmd_noop, "RFC 9051 6.1.2"},
      {"LOGOUT", kAny, false, &ServerSession::cmd_logout, "RFC 9051 6.1.3"},
      {"ID", kAny, false, &ServerSession::cmd_id, "RFC 2971 3.1"},
      {"STARTTLS", kNotAuth, false, &ServerSession::cmd_starttls, "RFC 9051 6.2.1"},
      {"AUTHENTICATE", kNotAuth, false, &ServerSession::cmd_authenticate, "RFC 9051 6.2.2, RFC 4959"},
      {"LOGIN", kNotAuth, false, &ServerSession::cmd_login, "RFC 9051 6.2.3"},
      {"ENABLE", kAuth, false, &ServerSession::cmd_enable, "RFC 9051 6.3.1, RFC 5161"},
      {"SELECT", kAuth | kSelected, false, &ServerSession::cmd_select, "RFC 9051 6.3.2"},
      {"EXAMINE", kAuth | kSelected, false, &ServerSession::cmd_examine, "RFC 9051 6.3.3"},
      {"CREATE", kAuth | kSelected, false, &ServerSession::cmd_create, "RFC 9051 6.3.4"},
      {"DELETE", kAuth | kSelected, false, &ServerSession::cmd_delete, "RFC 9051 6.3.5"},
      {"RENAME", kAuth | kSelected, false, &ServerSession::cmd_rename, "RFC 9051 6.3.6"},
      {"SUBSCRIBE", kAuth | kSelected, false, &ServerSession::cmd_subscribe, "RFC 9051 6.3.7"},
      {"UNSUBSCRIBE", kAuth | kSelected, false, &ServerSession::cmd_unsubscribe, "RFC 9051 6.3.8"},
      {"LIST", kAuth | kSelected, false, &ServerSession::cmd_list, "RFC 9051 6.3.9, RFC 5258, RFC 6154"},
      {"LSUB", kAuth | kSelected, false, &ServerSession::cmd_lsub, "RFC 3501 6.3.9"},
      {"NAMESPACE", kAuth | kSelected, false, &ServerSession::cmd_namespace, "RFC 9051 6.3.10"},
      {"STATUS", kAuth | kSelected, false, &ServerSession::cmd_status, "RFC 9051 6.3.11"},
      {"APPEND", kAuth | kSelected, false, &ServerSession::cmd_append, "RFC 9051 6.3.12, RFC 4315"},
      {"IDLE", kAuth | kSelected, false, &ServerSession::cmd_idle, "RFC 9051 6.3.13, RFC 2177"},
      {"CHECK", kSelected, false, &ServerSession::cmd_check, "RFC 3501 6.4.1"},
      {"CLOSE", kSelected, false, &ServerSession::cmd_close, "RFC 9051 6.4.1"},
      {"UNSELECT", kSelected, false, &ServerSession::cmd_unselect, "RFC 9051 6.4.2"},
      {"EXPUNGE", kSelected, true, &ServerSession::cmd_expunge, "RFC 9051 6.4.3, 6.4.9"},
      {"SEARCH", kSelected, true, &ServerSession::cmd_search, "RFC 9051 6.4.4, RFC 4731"},
      {"FETCH", kSelected, true, &ServerSession::cmd_fetch, "RFC 9051 6.4.5"},
      {"STORE", kSelected, true, &ServerSession::cmd_store, "RFC 9051 6.4.6"},
      {"COPY", kSelected, true, &ServerSession::cmd_copy, "RFC 9051 6.4.7, RFC 4315"},
      {"MOVE", kSelected, true, &ServerSession::cmd_move, "RFC 9051 6.4.8, RFC 6851"},
      {"UID", kSelected, false, nullptr, "RFC 9051 6.4.9"},
  }};

  static const Command* find(std::string_view verb) {
    for (const auto& c : kTable)
      if (c.verb == verb) return &c;
    return nullptr;
  }
};

ServerSession::ServerSession(ServerConfig config, ServerHandler& handler)
    : config_(std::move(config)), handler_(handler), reader_(config_.limits), tls_(config_.tls_active) {}

ServerSession::~ServerSession() {
  if (store_) store_->unwatch(this);
}

void ServerSession::start() {
  assert(!started_);
  started_ = true;
  // RFC 9051 7.1.1: the greeting may carry the capabilities, saving a round trip.
  status_line_ = "* OK [CAPABILITY " + capabilities() + "] " + config_.hostname + " IMAP4rev2 server ready";
  output_ += status_line_ + "\r\n";
  handler_.on_exchange("", status_line_);
}

std::string ServerSession::capabilities() const {
  std::string c = "IMAP4rev1 IMAP4rev2 SASL-IR LITERAL+ ID ENABLE IDLE";
  if (state_ == State::NotAuthenticated) {
    if (config_.starttls && !tls_) c += " STARTTLS";
    if (!config_.plaintext_auth && !tls_) c += " LOGINDISABLED";
    else c += " AUTH=PLAIN";
    return c;
  }
  c += " NAMESPACE UNSELECT UIDPLUS MOVE CHILDREN LIST-EXTENDED LIST-STATUS SPECIAL-USE ESEARCH STATUS=SIZE"
       " BINARY UTF8=ACCEPT APPENDLIMIT=" + std::to_string(config_.limits.max_append_literal);
  return c;
}

// --- bytes in ----------------------------------------------------------------------------------

void ServerSession::receive(std::string_view data) {
  assert(started_);
  if (closed() || starttls_requested_) return;
  reader_.feed(data);
  if (mode_ == Mode::Delaying && reader_.buffered() > config_.limits.max_line) {
    return bye_and_close("Too much input while waiting");  // bounded memory during the delay
  }
  pump();
}

void ServerSession::pump() {
  if (in_pump_) return;
  in_pump_ = true;
  while (!closed() && mode_ != Mode::Delaying && !starttls_requested_) {
    auto item = reader_.next();
    if (!item) break;
    handle_item(*item);
  }
  in_pump_ = false;
}

void ServerSession::handle_item(CommandReader::Item& item) {
  using Kind = CommandReader::Item::Kind;
  switch (item.kind) {
    case Kind::Continue:
      output_ += "+ Ready for literal data\r\n";
      return;
    case Kind::Line:
      handle_line(item.text);
      return;
    case Kind::Command:
      handle_command(item.text);
      return;
    case Kind::TooLong:
    case Kind::LiteralTooBig: {
      tag_ = item.tag;
      verb_.clear();
      uid_ = false;
      shown_ = item.tag + " <dropped>";
      const bool big = item.kind == Kind::LiteralTooBig;
      // A refused synchronizing literal was never sent: NO; a command whose bytes had
      // to be skipped is BAD (RFC 7888 4/5, RFC 9051 7.1 TOOBIG).
      if (item.tag == "*") {
        output_ += big ? "* BAD [TOOBIG] Literal too big.\r\n" : "* BAD Command line too long.\r\n";
        status_line_ = big ? "* BAD [TOOBIG] Literal too big." : "* BAD Command line too long.";
      } else if (big && item.sync) {
        tagged("NO", "[TOOBIG] Literal too big.");
      } else {
        tagged("BAD", big ? "[TOOBIG] Literal too big." : "Command line too long.");
      }
      if (++bad_in_a_row_ >= kMaxBadCommands) return bye_and_close("Too many invalid IMAP commands.");
      finish_command();
      return;
    }
  }
}

void ServerSession::handle_command(const std::string& text) {
  Parser p(text);
  const std::size_t eol = text.find_first_of("\r\n");
  shown_ = text.substr(0, std::min(eol, kShownMax));
  uid_ = false;
  verb_.clear();
  auto tag = p.tag();
  if (!tag || !p.take(' ')) {
    tag_ = "*";
    output_ += "* BAD Error in IMAP command received by server.\r\n";
    status_line_ = "* BAD Error in IMAP command received by server.";
    if (++bad_in_a_row_ >= kMaxBadCommands) return bye_and_close("Too many invalid IMAP commands.");
    return finish_command();
  }
  tag_ = std::move(*tag);
  auto word = p.atom();
  verb_ = word ? upper(*word) : std::string();
  // Secrets never reach the trace: LOGIN's password, an initial SASL response.
  const std::string_view args = p.rest().empty() ? std::string_view() : p.rest().substr(1);
  const std::string_view first = args.substr(0, args.find(' '));
  if (verb_ == "LOGIN") shown_ = tag_ + " LOGIN " + std::string(first.substr(0, kShownMax)) + " ****";
  if (verb_ == "AUTHENTICATE" && first.size() < args.size())
    shown_ = tag_ + " AUTHENTICATE " + std::string(first.substr(0, kShownMax)) + " ****";
  const auto* c = ServerCommands::find(verb_);
  if (c && verb_ == "UID") {
    if ((c->states & state_bit(state_)) == 0) {
      bad("Command not valid in this state.");
      return finish_command();
    }
    auto inner = p.take(' ') ? p.atom() : std::nullopt;
    verb_ = inner ? upper(*inner) : std::string();
    c = ServerCommands::find(verb_);
    if (c == nullptr || !c->uid_form) {
      bad("Error in IMAP command UID: Unknown command.");
      return finish_command();
    }
    uid_ = true;
  }
  if (c == nullptr) {
    bad("Error in IMAP command " + (verb_.empty() ? std::string("received by server") : verb_) +
        ": Unknown command.");
    return finish_command();
  }
  if ((c->states & state_bit(state_)) == 0) {
    bad(state_ == State::NotAuthenticated ? "Command not valid before login." : "Command not valid in this state.");
    return finish_command();
  }
  (this->*(c->act))(p);
  if (mode_ != Mode::Idle && mode_ != Mode::SaslResponse) finish_command();
}

void ServerSession::finish_command() {
  if (status_line_.empty()) return;
  handler_.on_exchange(shown_, status_line_);
  status_line_.clear();
}

// --- bytes out ---------------------------------------------------------------------------------

std::string ServerSession::take_output() { return std::exchange(output_, std::string()); }

void ServerSession::untagged(std::string_view line) {
  output_ += "* ";
  output_.append(line);
  output_ += "\r\n";
}

void ServerSession::tagged(std::string_view status, std::string_view text) {
  status_line_ = tag_;
  status_line_ += ' ';
  status_line_.append(status);
  status_line_ += ' ';
  status_line_.append(text);
  if (status == "BAD") {
    ++bad_in_a_row_;
  } else {
    bad_in_a_row_ = 0;
  }
  std::string& out = mode_ == Mode::Delaying ? held_ : output_;
  out += status_line_;
  out += "\r\n";
  if (bad_in_a_row_ >= kMaxBadCommands) bye_and_close("Too many invalid IMAP commands.");
}

void ServerSession::complete(std::string_view status, std::string_view text, bool allow_expunge) {
  if (state_ == State::Selected && !sync_selected(allow_expunge)) return;
  tagged(status, text);
}

void ServerSession::bad(std::string_view text) { tagged("BAD", text); }

void ServerSession::syntax_error(const Parser& p) {
  bad("Error in IMAP command " + verb_ + ": " + (p.error().empty() ? std::string("invalid arguments") : p.error()) + ".");
}

void ServerSession::bye_and_close(std::string_view text) {
  if (closed()) return;
  output_ += "* BYE ";
  output_.append(text);
  output_ += "\r\n";
  close();
}

void ServerSession::close() {
  state_ = State::Logout;
  mode_ = Mode::Command;
  reader_.clear();
  if (store_) store_->unwatch(this);
  store_ = nullptr;
}

// --- time --------------------------------------------------------------------------------------

std::chrono::milliseconds ServerSession::timeout() const {
  using std::chrono::milliseconds;
  if (closed()) return milliseconds::zero();
  if (mode_ == Mode::Delaying) {
    const std::int64_t left = held_until_ - handler_.now_ns();
    return milliseconds(left <= 0 ? 1 : (left + 999'999) / 1'000'000);
  }
  return state_ == State::NotAuthenticated ? config_.login_timeout : config_.idle_timeout;
}

void ServerSession::on_timeout() {
  if (closed()) return;
  if (mode_ == Mode::Delaying) {
    if (handler_.now_ns() < held_until_) return;  // early: the host re-arms timeout()
    mode_ = Mode::Command;
    output_ += held_;
    held_.clear();
    if (config_.max_auth_failures > 0 && auth_failures_ >= config_.max_auth_failures) {
      return bye_and_close("Too many invalid authentication attempts.");
    }
    pump();
    return;
  }
  // RFC 9051 5.4: the autologout timer; RFC 2177: IDLE ends the same way.
  bye_and_close("Disconnected for inactivity.");
}

void ServerSession::receive_eof() {
  if (!closed()) close();
}

void ServerSession::on_tls_started(const tls::HandshakeInfo& info) {
  tls_ = true;
  starttls_requested_ = false;
  reader_.clear();
  handler_.on_tls_started(info);
}

// --- the selected mailbox ------------------------------------------------------------------------

bool ServerSession::sync_selected(bool allow_expunge) {
  const mda::Folder* f = store_ ? store_->folder_by_id(user_, view_.folder_id()) : nullptr;
  if (f == nullptr) {
    bye_and_close("Selected mailbox was deleted, have to disconnect.");
    return false;
  }
  std::vector<std::uint32_t> recent;
  if (!view_.read_only()) recent = store_->claim_recent(user_, f->id);
  MailboxView::SyncOptions opt;
  opt.allow_expunge = allow_expunge;
  opt.rev1 = !rev2_;
  opt.with_uid = uid_;
  opt.utf8 = utf8();
  view_.sync(*f, recent, opt, output_);
  return true;
}

void ServerSession::on_mailbox_change(const mda::FolderChange& change) {
  // Only IDLE hears of changes at once; otherwise the next command's response does.
  if (mode_ != Mode::Idle || closed() || change.user != user_) return;
  if (state_ != State::Selected || change.folder_id != view_.folder_id()) return;
  const std::size_t before = output_.size();
  sync_selected(true);
  if (output_.size() != before) handler_.on_output_ready();
}

// --- mailbox names ---------------------------------------------------------------------------------

bool ServerSession::mailbox_arg(Parser& p, std::string& name) {
  auto raw = p.astring();
  if (!raw) {
    syntax_error(p);
    return false;
  }
  if (utf8()) {
    if (!message::valid_utf8(*raw)) {
      bad("Mailbox name is not valid UTF-8.");
      return false;
    }
    name = mda::canonical_folder_name(*raw);
    return true;
  }
  // RFC 3501 5.1.3: IMAP4rev1 clients write non-ASCII names in modified UTF-7.
  auto decoded = message::decode_modified_utf7(*raw);
  if (!decoded) {
    tagged("NO", "[CANNOT] Mailbox name is not valid mUTF-7.");
    return false;
  }
  name = mda::canonical_folder_name(*decoded);
  return true;
}

void ServerSession::append_mailbox_name(std::string& out, std::string_view name) const {
  if (utf8()) append_astring(out, name, true);
  else append_astring(out, message::encode_modified_utf7(name), false);
}

}  // namespace maillab::imap
