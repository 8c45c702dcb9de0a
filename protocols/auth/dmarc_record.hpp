// A DMARC policy record (RFC 7489 6.3, 6.4): "v=DMARC1" first, then p (required: none,
// quarantine, reject), sp, pct (0-100, default 100), adkim/aspf (r or s, default r), rua/ruf
// (comma-separated URIs, kept as written), fo (colon list of 0, 1, d, s; default 0), rf,
// ri. Tags and keywords compare case-insensitively; unknown tags are ignored (6.3). A
// record whose p= is missing or unknown is still usable as p=none when it names a rua
// (6.6.3 step 6); otherwise it is invalid, as is one whose v is not DMARC1.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::auth {

enum class DmarcPolicy { None, Quarantine, Reject };
std::string_view to_string(DmarcPolicy policy);

struct DmarcRecord {
  DmarcPolicy policy = DmarcPolicy::None;              // p=
  std::optional<DmarcPolicy> subdomain_policy;         // sp=
  int percent = 100;                                   // pct=
  bool strict_dkim = false;                            // adkim=s
  bool strict_spf = false;                             // aspf=s
  std::vector<std::string> aggregate_reports;          // rua=
  std::vector<std::string> failure_reports;            // ruf=
  std::vector<std::string> failure_options = {"0"};    // fo=
  std::string report_format = "afrf";                  // rf=
  long report_interval = 86400;                        // ri=
};

struct DmarcParse {
  std::optional<DmarcRecord> record;
  std::string error;
};

// "v=DMARC1" at the start (any case), followed by ';', whitespace or the end.
bool is_dmarc_record(std::string_view text);
DmarcParse parse_dmarc_record(std::string_view text);

}  // namespace maillab::auth
