// bridge::MessageCache (through bridge::HttpApi, the answers a client gets): after any
// sequence of deliveries, flag changes, moves, rewrites and removals, the list answer
// (whole and filtered) and every raw fetch are exactly what a listing made from scratch
// on the disks as they are now gives (list_messages + message_json), whether the cache
// followed the disks change by change or had to read them again (more changes between
// two requests than a disk's journal keeps). Seeded random sequences, Maildir and mbox.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "bridge/http_mailboxes.hpp"
#include "bridge/message_cache.hpp"
#include "protocols/message/encoded_word.hpp"
#include "protocols/message/message.hpp"
#include "api_lab.hpp"

using namespace maillab;

namespace {

const char* kYaml = R"(scenario: message-cache
duration: 1h
hosts:
  mx.b.example:
    address: 192.0.2.20
    mta:
      domains: [b.example]
      mailbox: maildir
    users:
      bob: {password: builder}
      carol: {password: builder}
  mx.c.example:
    address: 192.0.2.30
    mta:
      domains: [c.example]
      mailbox: mbox
    users:
      dave: {password: builder}
      erin: {password: builder}
)";

struct Lab : bridge::test::ApiLab {
  Lab() : ApiLab(kYaml) {}
  io::MemoryDisk& maildir() { return disk_of("mx.b.example"); }
  io::MemoryDisk& mbox() { return disk_of("mx.c.example"); }
};

// The oracle: the list answer made from scratch, with the same filters.
std::string from_scratch(const scenario::World& world, const bridge::MessageFilter& f = {}) {
  std::string out = "[";
  for (const bridge::StoredMessage& m : bridge::list_messages(world)) {
    if ((f.host && m.host != *f.host) || (f.user && m.user != *f.user) || (f.folder && m.folder != *f.folder))
      continue;
    const io::Bytes file = bridge::message_file(world, m);
    REQUIRE(file);
    const std::string_view bytes = bridge::message_view(m, *file);
    const std::string subject =
        message::decode_rfc2047(message::MessageView::parse(bytes).header("Subject").value_or(""));
    if (f.subject && subject.find(*f.subject) == std::string::npos) continue;
    out += (out.size() > 1 ? "," : "") + bridge::message_json(m, bytes);
  }
  return out + "]";
}

std::string mail_text(const std::string& subject, const std::string& body) {
  return "From: alice@a.example\r\nTo: bob@b.example\r\nSubject: " + subject + "\r\nMessage-ID: <" + body +
         "@a.example>\r\n\r\n" + body + "\r\n";
}

// One random change of a mailbox, as the delivery agent, the IMAP/POP3 servers or a
// person editing the files would make it; sometimes a change that is no message at all.
class Mutator {
 public:
  explicit Mutator(unsigned seed) : rng_(seed) {}

  void step(Lab& lab) {
    const int op = pick(12);
    const std::string n = std::to_string(next_++);
    const std::string subject = pick(3) == 0 ? "=?UTF-8?B?w6lt?= " + n : "s" + n;
    if (op < 3) {  // a Maildir delivery: tmp/, then new/ (or a Maildir++ folder)
      const std::string user = pick(2) ? "bob" : "carol";
      const std::string dir = pick(4) == 0 ? "mail/" + user + "/.Archive/" : "mail/" + user + "/";
      lab.maildir().write(dir + "tmp/" + n + ".M1.mx", mail_text(subject, n));
      if (pick(8) != 0) lab.maildir().rename(dir + "tmp/" + n + ".M1.mx", dir + "new/" + n + ".M1.mx");
    } else if (op < 5) {  // a flag change or a move to a folder: a rename
      if (const std::string from = any_message(lab.maildir()); !from.empty()) {
        const std::string name = from.substr(from.rfind('/') + 1);
        const std::string base = name.substr(0, name.find(':'));
        const char* flags[] = {":2,S", ":2,RS", ":2,FS", ":2,", ":2,DT"};
        const std::string user = from.substr(5, from.find('/', 5) - 5);
        const std::string folder = pick(3) == 0 ? ".Sent/" : (pick(2) ? "" : ".Archive/");
        lab.maildir().rename(from, "mail/" + user + "/" + folder + "cur/" + base + flags[pick(5)]);
      }
    } else if (op < 6) {  // a rewrite in place
      if (const std::string at = any_message(lab.maildir()); !at.empty())
        lab.maildir().write(at, mail_text("rewritten " + subject, n));
    } else if (op < 8) {  // a removal (an expunge)
      if (const std::string at = any_message(lab.maildir()); !at.empty()) lab.maildir().remove(at);
    } else if (op < 9) {  // not a message: the queue, a quota file
      lab.maildir().write(pick(2) ? "queue/active/" + n : "mail/bob/maildirsize", n);
      lab.mbox().write("queue/incoming/" + n, n);
    } else if (op < 11) {  // an mbox delivery: one more "From " line at the end
      lab.mbox().append(pick(2) ? "mail/dave.mbox" : "mail/erin.mbox",
                        "From alice@a.example Thu Jan  1 00:00:00 2026\n" + mail_text(subject, n));
    } else {  // an mbox expunge: the first message goes (or the whole file)
      const std::string path = pick(2) ? "mail/dave.mbox" : "mail/erin.mbox";
      if (io::Bytes bytes = lab.mbox().read(path)) {
        const std::size_t next = bytes->find("\nFrom ", 1);
        if (next == std::string::npos || pick(6) == 0) {
          lab.mbox().remove(path);
        } else {
          lab.mbox().write(path, bytes->substr(next + 1));
        }
      }
    }
  }

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

 private:
  std::string any_message(const io::MemoryDisk& disk) {
    std::vector<std::string> paths;
    for (const std::string& p : disk.list("mail/"))
      if (p.find("/new/") != std::string::npos || p.find("/cur/") != std::string::npos) paths.push_back(p);
    return paths.empty() ? "" : paths[static_cast<std::size_t>(pick(static_cast<int>(paths.size())))];
  }

  std::mt19937 rng_;
  int next_ = 0;
};

// Every answer a client could ask for now equals the oracle's.
void check_answers(Lab& lab, Mutator& mut, std::vector<std::string>& seen_ids) {
  const std::string all = from_scratch(*lab.world);
  REQUIRE(lab.answer("/api/v1/messages").body == all);
  const std::vector<std::pair<std::string, bridge::MessageFilter>> filters = {
      {"?host=mx.b.example", {"mx.b.example", {}, {}, {}}},
      {"?host=mx.c.example&user=erin", {"mx.c.example", "erin", {}, {}}},
      {"?user=bob&folder=Archive", {{}, "bob", "Archive", {}}},
      {"?folder=INBOX", {{}, {}, "INBOX", {}}},
      {"?subject=rewritten", {{}, {}, {}, "rewritten"}},
      {"?subject=%C3%A9m", {{}, {}, {}, "\xC3\xA9m"}},
  };
  const auto& [query, filter] = filters[static_cast<std::size_t>(mut.pick(static_cast<int>(filters.size())))];
  REQUIRE(lab.answer("/api/v1/messages" + query).body == from_scratch(*lab.world, filter));
  // Raw fetches: every listed id gives its bytes; an id seen earlier and gone is 404.
  for (const bridge::StoredMessage& m : bridge::list_messages(*lab.world)) seen_ids.push_back(m.id);
  for (int i = 0; i < 5 && !seen_ids.empty(); ++i) {
    const std::string& id = seen_ids[static_cast<std::size_t>(mut.pick(static_cast<int>(seen_ids.size())))];
    const http::Response r = lab.answer("/api/v1/messages/" + id + "/raw");
    const auto listed = bridge::list_messages(*lab.world);
    const auto it = std::find_if(listed.begin(), listed.end(), [&](const auto& m) { return m.id == id; });
    if (it == listed.end()) {
      REQUIRE(r.status == 404);
    } else {
      REQUIRE(r.status == 200);
      REQUIRE(r.body == bridge::message_view(*it, *bridge::message_file(*lab.world, *it)));
    }
  }
  if (seen_ids.size() > 4000) seen_ids.erase(seen_ids.begin(), seen_ids.begin() + 2000);
}

}  // namespace

TEST_CASE("after random changes the answers equal a listing made from scratch") {
  for (unsigned seed = 1; seed <= 6; ++seed) {
    CAPTURE(seed);
    Lab lab;
    Mutator mut(seed);
    std::vector<std::string> seen_ids;
    for (int round = 0; round < 120; ++round) {
      // Mostly a few changes between two requests (the journal is replayed); sometimes
      // more than a journal keeps (the quota file rewritten on and on: the cache reads
      // the disks again), with messages changed before and after.
      for (int i = mut.pick(12); i > 0; --i) mut.step(lab);
      if (round % 40 == 39) {
        for (std::size_t i = 0; i <= bridge::MessageCache::kJournal; ++i) {
          lab.maildir().write("mail/carol/maildirsize", std::to_string(i));
          lab.mbox().write("mail/dave.lock", std::to_string(i));
        }
        for (int i = mut.pick(12); i > 0; --i) mut.step(lab);
      }
      check_answers(lab, mut, seen_ids);
    }
  }
}

TEST_CASE("read-your-writes: the request after a change sees it") {
  Lab lab;
  CHECK(lab.answer("/api/v1/messages").body == "[]");
  const std::string inbox = "mail/bob/new/1.M1.mx";
  lab.maildir().write(inbox, mail_text("hello", "1"));
  const std::string listed = lab.answer("/api/v1/messages").body;
  CHECK(listed == from_scratch(*lab.world));
  CHECK(listed.find("\"subject\":\"hello\"") != std::string::npos);
  const std::string id = listed.substr(listed.find("{\"id\":\"") + 7, 16);
  CHECK(lab.answer("/api/v1/messages/" + id + "/raw").body == mail_text("hello", "1"));

  // A second delivery to the other user: both listed, in path order.
  lab.maildir().write("mail/carol/new/2.M2.mx", mail_text("again", "2"));
  CHECK(lab.answer("/api/v1/messages").body == from_scratch(*lab.world));
  CHECK(lab.answer("/api/v1/messages?user=carol").body.find("\"again\"") != std::string::npos);

  // DELETE, then GET: nothing is listed, the raw fetch is 404.
  CHECK(lab.answer("/api/v1/messages?subject=hello").body != "[]");
  CHECK(lab.answer("/api/v1/messages", "DELETE").body == "{\"deleted\":2}");
  CHECK(lab.answer("/api/v1/messages").body == "[]");
  CHECK(lab.answer("/api/v1/messages?subject=hello").body == "[]");
  CHECK(lab.answer("/api/v1/messages/" + id + "/raw").status == 404);

  // An mbox: each appended message is listed at once, an expunge takes it away.
  lab.mbox().append("mail/dave.mbox", "From a@a.example Thu Jan  1 00:00:00 2026\n" + mail_text("m1", "3"));
  CHECK(lab.answer("/api/v1/messages?host=mx.c.example").body.find("\"m1\"") != std::string::npos);
  lab.mbox().append("mail/dave.mbox", "From a@a.example Thu Jan  1 00:00:00 2026\n" + mail_text("m2", "4"));
  CHECK(lab.answer("/api/v1/messages").body == from_scratch(*lab.world));
  lab.mbox().write("mail/dave.mbox", std::string_view());
  CHECK(lab.answer("/api/v1/messages").body == "[]");
}
