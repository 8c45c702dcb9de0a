// smtp::dot_stuff and the content helpers of the SMTP client: the names the SMTP engine
// uses for protocols/message/dot_stuff.hpp (one definition, shared with POP3).
#pragma once

#include "protocols/message/dot_stuff.hpp"

namespace maillab::smtp {

using message::append_crlf_lines;
using message::append_dot_stuffed;
using message::dot_stuff;
using message::has_8bit;

}  // namespace maillab::smtp
