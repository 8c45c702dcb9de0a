// base::xml_escape: XML 1.0 text and attribute values from arbitrary bytes, for the JUnit
// report of `run --junit` and the SVG chart: whatever a scenario or a peer put in a subject
// or a reply, the file stays well-formed.
//
// Invariants: the result holds only XML 1.0 characters (2.2): bytes that are not UTF-8,
// C0 controls, DEL and the noncharacters U+FFFE/U+FFFF become U+FFFD (base::sanitize_utf8);
// & < > " ' are entities and TAB, LF, CR character references (an attribute keeps them).
#pragma once

#include <string>
#include <string_view>

namespace maillab::base {

std::string xml_escape(std::string_view s);

}  // namespace maillab::base
