// parse_zone(): records and directives over the logical lines of zone_lexer.hpp.
#include "protocols/dns/zone.hpp"

#include <map>

#include "base/ascii.hpp"
#include "protocols/dns/address.hpp"
#include "protocols/dns/name.hpp"
#include "protocols/dns/zone_lexer.hpp"

namespace maillab::dns {
namespace {

constexpr std::uint64_t kMaxTtl = 0x7fffffff;  // RFC 2181 8

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string describe(const ZoneToken& t) {
  return t.quoted ? "\"" + t.text + "\"" : "'" + t.text + "'";
}

std::optional<std::uint64_t> parse_number(std::string_view s, std::uint64_t max) {
  if (s.empty() || s.size() > 12) return std::nullopt;
  std::uint64_t v = 0;
  for (const char c : s) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

// A TTL: decimal seconds, or BIND's units ("1h30m", "1w"), at most 2^31-1.
std::optional<std::uint32_t> parse_ttl(std::string_view s) {
  if (s.empty() || !is_digit(s[0])) return std::nullopt;
  std::uint64_t total = 0, value = 0;
  bool have_digits = false, have_unit = false;
  for (const char c : s) {
    if (is_digit(c)) {
      value = value * 10 + static_cast<std::uint64_t>(c - '0');
      have_digits = true;
      if (value > kMaxTtl) return std::nullopt;
      continue;
    }
    static constexpr std::string_view kUnits = "smhdw";
    static constexpr std::uint64_t kSeconds[] = {1, 60, 3600, 86400, 604800};
    const char lower = base::ascii_lower(c);
    const std::size_t u = kUnits.find(lower);
    if (u == std::string_view::npos) return std::nullopt;
    const std::uint64_t unit = kSeconds[u];
    if (!have_digits) return std::nullopt;
    total += value * unit;
    value = 0;
    have_digits = false;
    have_unit = true;
    if (total > kMaxTtl) return std::nullopt;
  }
  if (have_digits) total += value;  // trailing bare digits count as seconds
  if (!have_unit && !have_digits) return std::nullopt;
  if (total > kMaxTtl) return std::nullopt;
  return static_cast<std::uint32_t>(total);
}

// The record types a zone may hold; TYPEnnn (RFC 3597 5) for the others.
std::optional<Type> record_type(std::string_view text) {
  const std::string u = base::ascii_upper(text);
  static constexpr Type kKnown[] = {Type::A,  Type::AAAA, Type::NS,  Type::CNAME,
                                    Type::MX, Type::SOA,  Type::TXT, Type::PTR};
  for (const Type t : kKnown) {
    if (u == to_string(t)) return t;
  }
  if (u.size() > 4 && u.compare(0, 4, "TYPE") == 0) {
    if (auto v = parse_number(std::string_view(u).substr(4), 65535); v && *v != 255) {
      return static_cast<Type>(*v);
    }
  }
  return std::nullopt;
}

// \X and \DDD of a <character-string> (RFC 1035 5.1).
std::optional<std::string> unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 1 >= s.size()) return std::nullopt;
    if (is_digit(s[i + 1])) {
      if (i + 3 >= s.size() || !is_digit(s[i + 2]) || !is_digit(s[i + 3])) return std::nullopt;
      const int v = (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
      if (v > 255) return std::nullopt;
      out.push_back(static_cast<char>(v));
      i += 3;
    } else {
      out.push_back(s[++i]);
    }
  }
  return out;
}

class Cursor {
 public:
  explicit Cursor(const ZoneLine& line) : line_(line) {}
  bool at_end() const { return i_ >= line_.tokens.size(); }
  const ZoneToken& peek() const { return line_.tokens[i_]; }
  const ZoneToken& take() { return line_.tokens[i_++]; }
  const ZoneLine& line() const { return line_; }

 private:
  const ZoneLine& line_;
  std::size_t i_ = 0;
};

class ZoneParser {
 public:
  ZoneParser(std::string_view text, std::string default_origin)
      : lexer_(text), default_origin_(std::move(default_origin)) {}

  ZoneParseResult run() {
    ZoneParseResult result;
    if (!default_origin_.empty()) {
      std::string why;
      auto o = canonical_name(default_origin_, &why);
      if (!o) {
        result.error = {0, 0, "invalid default origin '" + default_origin_ + "': " + why};
        return result;
      }
      default_origin_ = *o;
      origin_ = *o;
    }
    ZoneLine line;
    while (lexer_.next(line)) {
      const bool ok =
          (!line.owner_omitted && !line.tokens[0].quoted && line.tokens[0].text[0] == '$')
              ? directive(line)
              : record(line);
      if (!ok) break;
    }
    if (!error_ && lexer_.error()) error_ = lexer_.error();
    if (error_) {
      result.error = *error_;
      return result;
    }
    Zone zone;
    if (soa_index_) {
      zone.origin = records_[*soa_index_].name;
    } else if (!default_origin_.empty()) {
      zone.origin = default_origin_;
    } else if (first_origin_) {
      zone.origin = *first_origin_;
    }
    zone.records = std::move(records_);
    result.zone = std::move(zone);
    return result;
  }

 private:
  struct Placed {  // where a kept record's type was written
    int line;
    int column;
  };

  ZoneLexer lexer_;
  std::string default_origin_;
  std::optional<std::string> origin_, first_origin_, previous_owner_;
  std::optional<std::uint32_t> default_ttl_, last_ttl_;
  std::vector<ResourceRecord> records_;
  std::vector<Placed> placed_;
  std::map<std::string, std::vector<std::size_t>> by_name_;
  std::optional<std::size_t> soa_index_;
  std::optional<ZoneError> error_;

  bool fail(int line, int column, std::string message) {
    error_ = ZoneError{line, column, std::move(message)};
    return false;
  }
  bool fail(const ZoneToken& t, std::string message) {
    return fail(t.line, t.column, std::move(message));
  }

  // The next token, or an error "expected <what>, found end of line".
  const ZoneToken* expect(Cursor& c, const std::string& what) {
    if (c.at_end()) {
      fail(c.line().end_line, c.line().end_column, "expected " + what + ", found end of line");
      return nullptr;
    }
    return &c.take();
  }

  bool expect_end(Cursor& c, const std::string& after) {
    if (c.at_end()) return true;
    return fail(c.peek(), "expected end of line after " + after + ", found " + describe(c.peek()));
  }

  bool name(const ZoneToken& t, const std::string& what, std::string& out) {
    if (t.quoted) return fail(t, "expected " + what + ", found quoted string " + describe(t));
    if (t.text == "@") {
      if (!origin_) return fail(t, "'@' needs an origin: expected a $ORIGIN line before it");
      out = *origin_;
      return true;
    }
    std::size_t backslashes = 0;
    for (std::size_t i = t.text.size() - 1; i > 0 && t.text[i - 1] == '\\'; --i) ++backslashes;
    const bool absolute = t.text.back() == '.' && backslashes % 2 == 0;
    std::string full = t.text;
    if (!absolute) {
      if (!origin_) {
        return fail(t, "relative name " + describe(t) +
                           " needs an origin: expected a $ORIGIN line before it, or an absolute "
                           "name ending in '.'");
      }
      if (!origin_->empty()) full += "." + *origin_;
    }
    std::string why;
    auto canonical = canonical_name(full, &why);
    if (!canonical)
      return fail(t, "expected " + what + ", found " + describe(t) + " (" + why + ")");
    out = std::move(*canonical);
    return true;
  }

  bool number(Cursor& c, const std::string& what, std::uint64_t max, std::uint64_t& out) {
    const ZoneToken* t = expect(c, what);
    if (!t) return false;
    auto v = t->quoted ? std::nullopt : parse_number(t->text, max);
    if (!v) return fail(*t, "expected " + what + ", found " + describe(*t));
    out = *v;
    return true;
  }

  bool ttl_field(Cursor& c, const std::string& what, std::uint32_t& out) {
    const ZoneToken* t = expect(c, what);
    if (!t) return false;
    auto v = t->quoted ? std::nullopt : parse_ttl(t->text);
    if (!v) return fail(*t, "expected " + what + ", found " + describe(*t));
    out = *v;
    return true;
  }

  bool directive(const ZoneLine& line) {
    Cursor c(line);
    const ZoneToken& d = c.take();
    const std::string keyword = base::ascii_upper(d.text);
    if (keyword == "$ORIGIN") {
      const ZoneToken* t = expect(c, "a domain name after $ORIGIN");
      std::string o;
      if (!t || !name(*t, "a domain name after $ORIGIN", o)) return false;
      origin_ = o;
      if (!first_origin_) first_origin_ = o;
      return expect_end(c, "$ORIGIN " + t->text);
    }
    if (keyword == "$TTL") {
      std::uint32_t ttl = 0;
      if (!ttl_field(c, "a TTL after $TTL (seconds, or units like 1h)", ttl)) return false;
      default_ttl_ = ttl;
      return expect_end(c, "the $TTL value");
    }
    if (keyword == "$INCLUDE") {
      return fail(d,
                  "$INCLUDE is not supported: the zone parser reads no files, put the records in "
                  "the zone text");
    }
    return fail(d, "unknown directive " + describe(d) + ": expected $ORIGIN or $TTL");
  }

  bool record(const ZoneLine& line) {
    Cursor c(line);
    ResourceRecord rr;
    if (line.owner_omitted) {
      if (!previous_owner_) {
        return fail(line.tokens[0].line, 1,
                    "line starts with a blank but no owner name came before: expected an owner "
                    "name in column 1");
      }
      rr.name = *previous_owner_;
    } else {
      if (!name(c.take(), "an owner name", rr.name)) return false;
      previous_owner_ = rr.name;
    }
    std::optional<std::uint32_t> ttl;
    bool have_class = false;
    while (!c.at_end() && !c.peek().quoted) {
      const ZoneToken& t = c.peek();
      if (!ttl && is_digit(t.text[0])) {
        ttl = parse_ttl(t.text);
        if (!ttl)
          return fail(t, "expected a TTL (at most 2147483647 seconds), found " + describe(t));
        c.take();
      } else if (!have_class && base::ascii_upper(t.text) == "IN") {
        have_class = true;
        c.take();
      } else if (!have_class && (base::ascii_upper(t.text) == "CH" || base::ascii_upper(t.text) == "HS" ||
                                 base::ascii_upper(t.text).compare(0, 5, "CLASS") == 0)) {
        return fail(t, "class " + describe(t) + " is not supported: expected IN");
      } else {
        break;
      }
    }
    const ZoneToken* type_token = expect(c, "a record type");
    if (!type_token) return false;
    const auto type = type_token->quoted ? std::nullopt : record_type(type_token->text);
    if (!type) {
      return fail(*type_token, "unknown record type " + describe(*type_token) +
                                   ": expected A, AAAA, NS, CNAME, MX, SOA, TXT, PTR or TYPEnnn");
    }
    rr.type = *type;
    if (!rdata(c, rr) || !expect_end(c, "the " + to_string(rr.type) + " data")) return false;

    if (ttl) {
      rr.ttl = *ttl;
      last_ttl_ = ttl;
    } else if (default_ttl_) {
      rr.ttl = *default_ttl_;
    } else if (last_ttl_) {
      rr.ttl = *last_ttl_;
    } else if (const auto* soa = std::get_if<SoaData>(&rr.data)) {
      rr.ttl = soa->minimum;  // BIND's fallback for a first SOA without $TTL
    } else {
      return fail(line.tokens[0].line, line.tokens[0].column,
                  "no TTL for this record: expected a TTL field or a $TTL line before it");
    }
    return add(std::move(rr), Placed{type_token->line, type_token->column});
  }

  bool rdata(Cursor& c, ResourceRecord& rr) {
    switch (rr.type) {
      case Type::A: {
        const ZoneToken* t = expect(c, "an IPv4 address");
        if (!t) return false;
        auto a = t->quoted ? std::nullopt : parse_ipv4(t->text);
        if (!a) return fail(*t, "expected an IPv4 address, found " + describe(*t));
        rr.data = AData{*a};
        return true;
      }
      case Type::AAAA: {
        const ZoneToken* t = expect(c, "an IPv6 address");
        if (!t) return false;
        auto a = t->quoted ? std::nullopt : parse_ipv6(t->text);
        if (!a) return fail(*t, "expected an IPv6 address, found " + describe(*t));
        rr.data = AaaaData{*a};
        return true;
      }
      case Type::NS:
      case Type::CNAME:
      case Type::PTR: {
        const std::string what = "the " + to_string(rr.type) + " target name";
        const ZoneToken* t = expect(c, what);
        NameData d;
        if (!t || !name(*t, what, d.target)) return false;
        rr.data = std::move(d);
        return true;
      }
      case Type::MX: {
        MxData d;
        std::uint64_t preference = 0;
        if (!number(c, "an MX preference (0-65535)", 65535, preference)) return false;
        d.preference = static_cast<std::uint16_t>(preference);
        const ZoneToken* t = expect(c, "a mail exchange name");
        if (!t || !name(*t, "a mail exchange name", d.exchange)) return false;
        rr.data = std::move(d);
        return true;
      }
      case Type::SOA: return soa(c, rr);
      case Type::TXT: return txt(c, rr);
      default: return generic(c, rr);
    }
  }

  bool soa(Cursor& c, ResourceRecord& rr) {
    SoaData d;
    const ZoneToken* t = expect(c, "the primary server name (SOA MNAME)");
    if (!t || !name(*t, "the primary server name (SOA MNAME)", d.mname)) return false;
    t = expect(c, "the responsible mailbox (SOA RNAME)");
    if (!t || !name(*t, "the responsible mailbox (SOA RNAME)", d.rname)) return false;
    std::uint64_t serial = 0;
    if (!number(c, "a serial number (0-4294967295)", 0xffffffff, serial)) return false;
    d.serial = static_cast<std::uint32_t>(serial);
    if (!ttl_field(c, "a refresh time", d.refresh) || !ttl_field(c, "a retry time", d.retry) ||
        !ttl_field(c, "an expire time", d.expire) ||
        !ttl_field(c, "a minimum (negative caching) TTL", d.minimum)) {
      return false;
    }
    rr.data = std::move(d);
    return true;
  }

  // One or more <character-string>s, quoted or not, each at most 255 octets.
  bool txt(Cursor& c, ResourceRecord& rr) {
    TxtData d;
    if (c.at_end()) return expect(c, "a TXT string") != nullptr;
    while (!c.at_end()) {
      const ZoneToken& t = c.take();
      auto s = unescape(t.text);
      if (!s) return fail(t, "expected a TXT string, found " + describe(t) + " (bad escape)");
      if (s->size() > 255) {
        return fail(t, "expected a TXT string of at most 255 octets, found one of " +
                           std::to_string(s->size()) + " (split it into several strings)");
      }
      d.strings.push_back(std::move(*s));
    }
    rr.data = std::move(d);
    return true;
  }

  // RFC 3597 5: "\# <length> <hex>...", hex possibly split over several tokens.
  bool generic(Cursor& c, ResourceRecord& rr) {
    const ZoneToken* t = expect(c, "'\\#' (generic RDATA)");
    if (!t) return false;
    if (t->quoted || t->text != "\\#")
      return fail(*t, "expected '\\#' (generic RDATA), found " + describe(*t));
    std::uint64_t length = 0;
    if (!number(c, "the RDATA length", 65535, length)) return false;
    std::string hex;
    const ZoneToken* first = c.at_end() ? nullptr : &c.peek();
    while (!c.at_end()) hex += c.take().text;
    if (hex.size() != 2 * length) {
      const int line = first ? first->line : c.line().end_line;
      const int column = first ? first->column : c.line().end_column;
      return fail(line, column,
                  "expected " + std::to_string(length) + " octets of hex RDATA, found " +
                      std::to_string(hex.size()) + " hex digits");
    }
    std::string bytes;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
      int v = 0;
      for (std::size_t k = i; k < i + 2; ++k) {
        const char h = hex[k];
        const int digit = is_digit(h)              ? h - '0'
                          : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                          : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                   : -1;
        if (digit < 0) return fail(*first, "expected hex digits, found '" + hex + "'");
        v = v * 16 + digit;
      }
      bytes.push_back(static_cast<char>(v));
    }
    rr.data = RawData{std::move(bytes)};
    return true;
  }

  // Keeps `rr` unless it repeats a record; enforces one SOA and RFC 1034 3.6.2 / RFC 2181
  // 10.1 (a CNAME is alone at its name), pointing at the later of two conflicting records.
  bool add(ResourceRecord rr, Placed where) {
    auto& same_name = by_name_[rr.name];
    for (const std::size_t i : same_name) {
      const ResourceRecord& other = records_[i];
      if (other.type == rr.type && other.klass == rr.klass && other.data == rr.data) return true;
      const std::string at_other = "line " + std::to_string(placed_[i].line);
      if (rr.type == Type::CNAME && other.type == Type::CNAME) {
        return fail(where.line, where.column,
                    "second CNAME at '" + absolute_name(rr.name) + "' (the first is at " +
                        at_other + "): a name has at most one CNAME");
      }
      if (rr.type == Type::CNAME || other.type == Type::CNAME) {
        return fail(where.line, where.column,
                    to_string(rr.type) + " at '" + absolute_name(rr.name) +
                        "' conflicts with the " + to_string(other.type) + " at " + at_other +
                        ": a CNAME cannot share its name with other data (RFC 1034 3.6.2)");
      }
    }
    if (rr.type == Type::SOA) {
      if (soa_index_) {
        return fail(where.line, where.column,
                    "second SOA record (the first is at line " +
                        std::to_string(placed_[*soa_index_].line) +
                        "): expected exactly one SOA per zone");
      }
      soa_index_ = records_.size();
    }
    same_name.push_back(records_.size());
    records_.push_back(std::move(rr));
    placed_.push_back(where);
    return true;
  }
};

}  // namespace

std::string ZoneError::to_string() const {
  return std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

ZoneParseResult parse_zone(std::string_view text, std::string default_origin) {
  return ZoneParser(text, std::move(default_origin)).run();
}

}  // namespace maillab::dns
