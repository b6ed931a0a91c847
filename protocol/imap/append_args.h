// APPEND arguments before the message literal (RFC 3501 §6.3.11, §9 append): shared by the
// literal decision (TRYCREATE/TOOBIG before "+") and the APPEND handler.
#pragma once

#include <optional>
#include <string>

#include "protocol/imap/arg_parser.h"
#include "protocol/imap/date_time.h"
#include "storage/api/types.h"

namespace satchel::imap {

struct AppendArgs {
  std::string mailbox;  // Storage form.
  storage::Flags flags;
  std::optional<DateTime> date;
  bool bad_name = false;  // The mailbox name is not valid modified UTF-7.
};

// With `p` just after "APPEND": parses SP mailbox [SP flag-list] [SP date-time] SP and stops
// at the message literal. False (error in `p`) on bad syntax.
bool parse_append_args(ArgParser& p, AppendArgs& a);

}  // namespace satchel::imap
