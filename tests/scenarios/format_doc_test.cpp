// docs/scenario-format.md against the loader: the page and the code cannot drift apart.
//
// Every table of the page whose first column is `key`, `action` or `check` lists keys of
// the mapping its section heading names as a path (`hosts.HOST.mta`, `events[].send`; the
// first code span of the heading; none: the top level). Each row names its key in a code
// span, gives an example value in the second column, and is marked
// "(planned: not accepted yet)" when the loader does not take it yet. For each row, the
// key is written with its example into a scenario that loads: a key not marked planned
// must load (and the world it describes build), a planned one must be refused with a message naming it. And the other way:
// every key the loader allows in such a mapping (its "allowed keys" list) has a row.
#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "scenarios/loader.hpp"
#include "scenarios/world.hpp"

using namespace maillab::scenario;

namespace {

constexpr std::string_view kPlanned = "(planned: not accepted yet)";

// The world every probe starts from: it loads as it is.
constexpr std::string_view kBase = R"(scenario: probe
duration: 1d
hosts:
  ns.example:
    address: 192.0.2.53
    dns: {zones: []}
  mail.a.example:
    address: 192.0.2.10
    resolver: 192.0.2.53
    mta: {domains: [a.example], submission: true}
    imap: true
    users: {alice: {password: wonderland}}
  mx.b.example:
    address: 192.0.2.20
    resolver: 192.0.2.53
    mta: {domains: [b.example]}
    pop3: true
    imap: true
    users: {bob: {password: builder}}
  pc.alice: {address: 192.0.2.100, resolver: 192.0.2.53}
  pc.bob: {address: 192.0.2.101, resolver: 192.0.2.53}
  webmail.b.example:
    address: 192.0.2.80
    webmail: {imap: mail.a.example, submission: mail.a.example}
)";

// What the path placeholders stand for in the probes.
const std::map<std::string, std::string> kPlaceholders{{"HOST", "mx.b.example"}, {"USER", "bob"}};

struct Row {
  std::string path;     // "hosts.HOST.mta"; "" for the top level
  std::string key;
  std::string example;  // YAML (flow) text
  bool planned = false;
  bool one_of = false;  // an `action` or `check` table: an item holds exactly one of them
  int line = 0;         // in the page
};

std::string first_code_span(std::string_view text) {
  std::size_t a = text.find('`');
  if (a == std::string_view::npos) return "";
  std::size_t b = text.find('`', a + 1);
  if (b == std::string_view::npos) return "";
  return std::string(text.substr(a + 1, b - a - 1));
}

std::string trim(std::string_view s) {
  std::size_t a = s.find_first_not_of(' ');
  std::size_t b = s.find_last_not_of(' ');
  return a == std::string_view::npos ? "" : std::string(s.substr(a, b - a + 1));
}

// The cells of a table row, `\|` kept as `|`.
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  for (std::size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (line[i] == '|') {
      out.push_back(trim(cell));
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  return out;
}

std::vector<Row> read_rows(const std::string& file) {
  std::ifstream in(file);
  REQUIRE(in);
  std::vector<Row> rows;
  std::string line, path, kind;
  bool fenced = false, in_table = false;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("```", 0) == 0) fenced = !fenced;
    if (fenced) continue;
    if (line.rfind("#", 0) == 0) {
      path = first_code_span(line);
      continue;
    }
    if (line.rfind("|", 0) != 0) {
      in_table = false;
      kind.clear();
      continue;
    }
    std::vector<std::string> c = cells(line);
    if (!in_table) {  // a header row
      in_table = true;
      kind = c.empty() ? "" : c[0];
      continue;
    }
    if (line.rfind("|---", 0) == 0) continue;
    if (kind != "key" && kind != "action" && kind != "check") continue;
    INFO("docs/scenario-format.md:" << n << ": " << line);
    REQUIRE(c.size() >= 3);
    Row r{path, first_code_span(c[0]), first_code_span(c[1]),
          c[0].find(kPlanned) != std::string::npos, kind != "key", n};
    REQUIRE(!r.key.empty());
    REQUIRE(!r.example.empty());
    rows.push_back(r);
  }
  return rows;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep)) out.push_back(part);
  return out;
}

// The row that documents `key` under `path` and is accepted (the first one otherwise).
const Row* find_row(const std::vector<Row>& rows, const std::string& path, const std::string& key) {
  const Row* found = nullptr;
  for (const Row& r : rows) {
    if (r.path != path || r.key != key) continue;
    if (!r.planned) return &r;
    if (!found) found = &r;
  }
  return found;
}

// An item holds one action or check: drop the others before writing `key`.
void drop_alternatives(YAML::Node map, const std::vector<Row>& rows, const std::string& path) {
  for (const Row& r : rows)
    if (r.path == path && r.one_of && map.IsMap() && map[r.key]) map.remove(r.key);
}

struct Probe {
  std::string text;
  std::vector<std::string> written;  // the keys the probe added (parents first)
};

// The base scenario with `key: example` written under `path`; a missing parent is written
// from its own row's example (a list's first item is the one the path goes into).
Probe make_probe(const std::vector<Row>& rows, const std::string& path, const std::string& key,
                 const std::string& example, bool one_of) {
  YAML::Node root = YAML::Load(std::string(kBase));
  YAML::Node node = root;
  Probe p;
  std::string so_far;
  if (!path.empty()) {
    for (std::string seg : split(path, '.')) {
      bool list = seg.size() > 2 && seg.compare(seg.size() - 2, 2, "[]") == 0;
      std::string name = list ? seg.substr(0, seg.size() - 2) : seg;
      std::string yaml_key = kPlaceholders.count(name) ? kPlaceholders.at(name) : name;
      if (!node[yaml_key]) {
        const Row* parent = find_row(rows, so_far, name);
        INFO("path " << path << ": no row documents `" << name << "` under `" << so_far << "`");
        REQUIRE(parent);
        if (parent->one_of) drop_alternatives(node, rows, so_far);
        node[yaml_key] = YAML::Load(parent->example);
        p.written.push_back(name);
      }
      YAML::Node child = node[yaml_key];
      if (list) {
        INFO("path " << path << ": `" << name << "` must be a list with an item");
        REQUIRE((child.IsSequence() && child.size() > 0));
        child.reset(child[0]);
      }
      if (!child.IsMap()) {
        YAML::Node map(YAML::NodeType::Map);
        if (list) {
          node[yaml_key][0] = map;
        } else {
          node[yaml_key] = map;
        }
        child.reset(map);
      }
      node.reset(child);
      so_far = so_far.empty() ? seg : so_far + "." + seg;
    }
  }
  if (one_of) drop_alternatives(node, rows, path);
  node[key] = YAML::Load(example);
  p.written.push_back(key);
  // The base host runs IMAP, which needs Maildir (IMAP's folders and flags live in
  // Maildir++): the mbox example is probed on a host without it.
  if (path == "hosts.HOST.mta" && key == "mailbox" && example == "mbox") root["hosts"]["mx.b.example"].remove("imap");
  // `delete: trash` moves to a folder: IMAP only.
  if (path == "events[].fetch" && key == "delete" && example == "trash") node["protocol"] = "imap";
  // relayhost_auth logs in to the relayhost, and is refused without one: probed with one.
  if (path.rfind("hosts.HOST.mta", 0) == 0 && (key == "relayhost_auth" || path.find("relayhost_auth") != std::string::npos))
    root["hosts"]["mx.b.example"]["mta"]["relayhost"] = "[mail.a.example]:587";
  // dns_set changes a zone the server holds: probed with a.example's zone on ns.example.
  if (key == "dns_set" || path.find("dns_set") != std::string::npos) {
    YAML::Node zones(YAML::NodeType::Sequence);
    zones.push_back("$ORIGIN a.example.\n$TTL 3600\n@ IN SOA ns.example. h.a.example. 1 3600 600 604800 300\n");
    root["hosts"]["ns.example"]["dns"]["zones"] = zones;
  }
  // Implicit TLS (pop3s, imaps) needs the host's certificate.
  if (path == "hosts.HOST" && (key == "pop3s" || key == "imaps")) node["tls"] = true;
  // A webmail fetch reads on a webmail host.
  if (path == "events[].fetch" && key == "protocol" && example == "webmail") node["server"] = "webmail.b.example";
  YAML::Emitter out;
  out << root;
  p.text = std::string(out.c_str()) + "\n";
  return p;
}

std::string doc_path() { return std::string(MAILLAB_SOURCE_DIR) + "/docs/scenario-format.md"; }

}  // namespace

TEST_CASE("the probes' base scenario loads", "[format-doc]") {
  auto r = load_scenario_text(kBase, "base.yaml");
  if (auto* e = std::get_if<LoadError>(&r)) FAIL(e->str());
}

TEST_CASE("every key of docs/scenario-format.md loads, or is marked planned and refused",
          "[format-doc]") {
  std::vector<Row> rows = read_rows(doc_path());
  REQUIRE(rows.size() > 100);
  int accepted = 0, planned = 0;
  for (const Row& r : rows) {
    Probe p = make_probe(rows, r.path, r.key, r.example, r.one_of);
    auto loaded = load_scenario_text(p.text, "probe.yaml");
    const LoadError* e = std::get_if<LoadError>(&loaded);
    INFO("docs/scenario-format.md:" << r.line << ": `" << r.key << "` under `"
                                    << (r.path.empty() ? "(top level)" : r.path)
                                    << "` with `" << r.example << "`\nprobe:\n" << p.text
                                    << (e ? "error: " + e->str() : std::string("loaded")));
    if (!r.planned) {
      CHECK(e == nullptr);
      ++accepted;
      if (e) continue;
      // And the world it describes can be built (zones parse, resolvers are there).
      auto built = World::build(std::get<Scenario>(loaded), 1);
      const LoadError* b = std::get_if<LoadError>(&built);
      INFO((b ? "build error: " + b->str() : std::string("built")));
      CHECK(b == nullptr);
      continue;
    }
    ++planned;
    CHECK(e != nullptr);  // the loader accepts it now: take the planned mark off
    if (!e) continue;
    bool named = false;
    for (const std::string& k : p.written) named = named || e->message.find("`" + k + "`") != std::string::npos;
    CHECK(named);  // refused for the documented key, not for something else
  }
  CHECK(accepted > 60);
  // Both kinds were read (the page was parsed): keys move from planned to accepted as
  // they are built, so the sum is what stays.
  CHECK(accepted + planned > 100);
}

TEST_CASE("every key the loader allows has a row in docs/scenario-format.md", "[format-doc]") {
  std::vector<Row> rows = read_rows(doc_path());
  std::set<std::string> paths;
  for (const Row& r : rows) paths.insert(r.path);
  for (const std::string& path : paths) {
    // A key no mapping has: the error lists the keys that mapping allows.
    Probe p = make_probe(rows, path, "zz_no_such_key", "1", false);
    auto loaded = load_scenario_text(p.text, "probe.yaml");
    const LoadError* e = std::get_if<LoadError>(&loaded);
    INFO("under `" << path << "`:\n" << p.text);
    REQUIRE(e != nullptr);
    INFO(e->str());
    bool planned_parent = e->message.find("unknown key `zz_no_such_key`") == std::string::npos;
    if (planned_parent) {  // the mapping itself is not accepted yet: its rows say so
      for (const Row& r : rows)
        if (r.path == path) CHECK(r.planned);
      continue;
    }
    const std::string marker = "; allowed keys: ";
    std::size_t at = e->message.find(marker);
    REQUIRE(at != std::string::npos);
    for (std::string key : split(e->message.substr(at + marker.size()), ',')) {
      key = trim(key);
      INFO("`" << key << "` is allowed under `" << path << "`");
      const Row* row = find_row(rows, path, key);
      CHECK(row != nullptr);
      if (row) CHECK_FALSE(row->planned);
    }
  }
}
