// The ASCII case rules of base/ascii.hpp, named in maillab::message for the engines that
// call them message::ascii_lower, message::iequals, ... (one definition: base/ascii.hpp).
#pragma once

#include "base/ascii.hpp"

namespace maillab::message {

using base::ascii_lower;
using base::ascii_upper;
using base::iequals;
using base::istarts_with;
using base::lower_in_place;
using base::upper_in_place;

}  // namespace maillab::message
