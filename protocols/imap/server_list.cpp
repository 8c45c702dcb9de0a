// ServerSession: LIST (RFC 9051 6.3.9) with LIST-EXTENDED selection and return options
// (RFC 5258: SUBSCRIBED, RECURSIVEMATCH, CHILDREN; RFC 6154 SPECIAL-USE; RFC 5819
// STATUS), and IMAP4rev1's LSUB (RFC 3501 6.3.9).
//
// Matching: "*" matches anything, "%" anything but the hierarchy separator "."; the
// reference is prepended to the pattern; "INBOX" matches in any case. An empty pattern
// asks for the separator: (\Noselect) "." "". Matching is a dynamic program over
// (name, pattern) positions, so no pattern costs more than their product.
#include <algorithm>
#include <set>

#include "protocols/imap/ascii_case.hpp"
#include "protocols/imap/server_session.hpp"
#include "protocols/message/modified_utf7.hpp"

namespace maillab::imap {
namespace {

bool is_inferior(std::string_view name, std::string_view parent) {
  return name.size() > parent.size() + 1 && name.compare(0, parent.size(), parent) == 0 && name[parent.size()] == '.';
}

// "inbox%" -> "INBOX%": INBOX is case-insensitive (RFC 9051 5.1).
std::string canonical_pattern(std::string p) {
  if (p.size() >= 5 && upper(p.substr(0, 5)) == "INBOX" && (p.size() == 5 || p[5] == '.' || p[5] == '*' || p[5] == '%'))
    p.replace(0, 5, "INBOX");
  return p;
}

bool matches(std::string_view name, std::string_view pattern) {
  // reach[j]: name[0..i) matches pattern[0..j).
  std::vector<char> reach(pattern.size() + 1, 0), next(pattern.size() + 1, 0);
  reach[0] = 1;
  for (std::size_t j = 1; j <= pattern.size(); ++j)
    reach[j] = reach[j - 1] && (pattern[j - 1] == '*' || pattern[j - 1] == '%');
  for (char c : name) {
    std::fill(next.begin(), next.end(), 0);
    for (std::size_t j = 1; j <= pattern.size(); ++j) {
      const char pc = pattern[j - 1];
      if (pc == '*') next[j] = next[j - 1] || reach[j];
      else if (pc == '%') next[j] = next[j - 1] || (reach[j] && c != '.');
      else next[j] = reach[j - 1] && pc == c;
    }
    reach.swap(next);
  }
  return reach[pattern.size()];
}

struct ListOptions {
  bool sel_subscribed = false, sel_special = false, recursive = false;
  bool ret_subscribed = false, ret_children = false, ret_special = false;
  std::vector<std::string> status;  // RETURN (STATUS (...))
};

bool option_list(Parser& p, std::vector<std::string>& words, std::vector<std::string>* status) {
  if (!p.take('(')) return p.fail("(");
  while (!p.take(')')) {
    if (!words.empty() && !p.sp()) return false;
    auto a = p.atom();
    if (!a) return false;
    words.push_back(upper(*a));
    if (words.back() == "STATUS" && status) {
      if (!p.sp() || !p.take('(')) return p.fail("status items");
      while (!p.take(')')) {
        if (!status->empty() && !p.sp()) return false;
        auto s = p.atom();
        if (!s) return false;
        status->push_back(upper(*s));
      }
      if (status->empty()) return p.fail("status items");
    }
  }
  return true;
}

}  // namespace

std::string ServerSession::list_attributes(const mda::Folder& f, bool subscribed) {
  bool children = false;
  for (const mda::Folder* other : store_->folders(user_)) children = children || is_inferior(other->name, f.name);
  std::string a = children ? "(\\HasChildren" : "(\\HasNoChildren";
  if (f.special_use != mda::SpecialUse::None) {
    a += ' ';
    a += mda::special_use_attribute(f.special_use);
  }
  if (subscribed) a += " \\Subscribed";
  return a + ")";
}

void ServerSession::cmd_list(Parser& p) {
  ListOptions o;
  if (!p.sp()) return syntax_error(p);
  if (p.peek() == '(') {
    std::vector<std::string> sel;
    if (!option_list(p, sel, nullptr) || !p.sp()) return syntax_error(p);
    for (const auto& s : sel) {
      if (s == "SUBSCRIBED") o.sel_subscribed = true;
      else if (s == "SPECIAL-USE") o.sel_special = true;
      else if (s == "RECURSIVEMATCH") o.recursive = true;
      else if (s != "REMOTE") return bad("Error in IMAP command LIST: Unknown selection option " + s + ".");
    }
    // RFC 5258 3: RECURSIVEMATCH alone is an error.
    if (o.recursive && !o.sel_subscribed && !o.sel_special) return bad("Error in IMAP command LIST: RECURSIVEMATCH alone.");
    o.ret_subscribed = o.sel_subscribed;
  }
  auto reference = p.astring();
  if (!reference || !p.sp()) return syntax_error(p);
  std::vector<std::string> patterns;
  if (p.take('(')) {
    do {
      auto pat = p.list_mailbox();
      if (!pat) return syntax_error(p);
      patterns.push_back(std::move(*pat));
    } while (p.take(' '));
    if (!p.take(')')) return syntax_error(p);
  } else {
    auto pat = p.list_mailbox();
    if (!pat) return syntax_error(p);
    patterns.push_back(std::move(*pat));
  }
  if (p.take(' ')) {
    std::vector<std::string> ret;
    if (!p.take_word("RETURN") || !p.sp() || !option_list(p, ret, &o.status)) return syntax_error(p);
    for (const auto& r : ret) {
      if (r == "SUBSCRIBED") o.ret_subscribed = true;
      else if (r == "CHILDREN") o.ret_children = true;
      else if (r == "SPECIAL-USE") o.ret_special = true;
      else if (r != "STATUS") return bad("Error in IMAP command LIST: Unknown return option " + r + ".");
    }
    std::string probe;
    if (!o.status.empty() && store_->folder(user_, "INBOX") &&
        !append_status(probe, *store_->folder(user_, "INBOX"), o.status))
      return bad("Error in IMAP command LIST: Unknown status item.");
  }
  if (!p.end()) return syntax_error(p);

  // Names on the wire -> names in the store.
  for (auto& pat : patterns) {
    std::string full = *reference + pat;
    if (!utf8()) full = message::decode_modified_utf7(full).value_or(full);
    pat = canonical_pattern(std::move(full));
  }
  if (patterns.size() == 1 && patterns[0].empty() && !o.sel_subscribed && !o.sel_special) {
    untagged("LIST (\\Noselect) \".\" \"\"");
    return complete("OK", "List completed.");
  }
  auto wanted = [&](std::string_view name) {
    for (const auto& pat : patterns)
      if (matches(name, pat)) return true;
    return false;
  };
  const std::vector<std::string> subs = store_->subscriptions(user_);
  auto subscribed = [&](std::string_view name) { return std::binary_search(subs.begin(), subs.end(), name); };
  auto emit = [&](const std::string& name, const std::string& attrs, const std::string& extra) {
    std::string line = "LIST " + attrs + " \".\" ";
    append_mailbox_name(line, name);
    line += extra;
    untagged(line);
    const mda::Folder* f = store_->folder(user_, name);
    if (f && !o.status.empty()) {
      std::string st;
      append_status(st, *f, o.status);
      untagged(st);
    }
  };
  if (o.sel_subscribed) {
    // Subscribed names, existing or not (RFC 5258 3.1), and with RECURSIVEMATCH the
    // matching names that have a subscribed inferior (CHILDINFO, RFC 5258 3.5).
    std::set<std::string> names(subs.begin(), subs.end());
    if (o.recursive)
      for (const auto& s : subs)
        for (std::size_t dot = s.find('.'); dot != std::string::npos; dot = s.find('.', dot + 1)) names.insert(s.substr(0, dot));
    std::vector<std::string> ordered(names.begin(), names.end());
    std::stable_partition(ordered.begin(), ordered.end(), [](const std::string& n) { return n == "INBOX"; });
    for (const auto& name : ordered) {
      if (!wanted(name)) continue;
      const mda::Folder* f = store_->folder(user_, name);
      if (o.sel_special && (!f || f->special_use == mda::SpecialUse::None)) continue;
      const bool is_sub = subscribed(name);
      bool sub_child = false;
      for (const auto& s : subs) sub_child = sub_child || is_inferior(s, name);
      if (!is_sub && !(o.recursive && sub_child)) continue;
      std::string attrs = f ? list_attributes(*f, is_sub) : (is_sub ? "(\\NonExistent \\Subscribed)" : "(\\NonExistent)");
      emit(name, attrs, o.recursive && sub_child ? " (\"CHILDINFO\" (\"SUBSCRIBED\"))" : "");
    }
    return complete("OK", "List completed.");
  }
  for (const mda::Folder* f : store_->folders(user_)) {
    if (!wanted(f->name)) continue;
    if (o.sel_special && f->special_use == mda::SpecialUse::None) continue;
    emit(f->name, list_attributes(*f, o.ret_subscribed && subscribed(f->name)), "");
  }
  complete("OK", "List completed.");
}

void ServerSession::cmd_lsub(Parser& p) {
  auto reference = p.sp() ? p.astring() : std::nullopt;
  if (!reference || !p.sp()) return syntax_error(p);
  auto pattern = p.list_mailbox();
  if (!pattern || !p.end()) return syntax_error(p);
  std::string full = *reference + *pattern;
  if (!utf8()) full = message::decode_modified_utf7(full).value_or(full);
  full = canonical_pattern(std::move(full));
  for (const auto& name : store_->subscriptions(user_)) {
    if (!matches(name, full)) continue;
    std::string line = store_->folder(user_, name) ? "LSUB () \".\" " : "LSUB (\\Noselect) \".\" ";
    append_mailbox_name(line, name);
    untagged(line);
  }
  complete("OK", "Lsub completed.");
}

}  // namespace maillab::imap
