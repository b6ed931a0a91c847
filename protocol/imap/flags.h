// Message flags on the wire (RFC 3501 §2.3.2, §9 flag / flag-list).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "protocol/imap/arg_parser.h"
#include "storage/api/types.h"

namespace satchel::imap {

// The flags storable by STORE/APPEND/COPY: the system flags and any keyword.
inline constexpr std::string_view kFlagsList = "(\\Answered \\Flagged \\Deleted \\Seen \\Draft)";
inline constexpr std::string_view kPermanentFlags =
    "(\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)";

// Parses "(" [flag *(SP flag)] ")". \Recent is refused (RFC 3501 §2.3.2: it cannot be
// stored), as is any other unknown backslash flag (flag-extension is not stored here).
bool parse_flag_list(ArgParser& p, storage::Flags& flags);

// Parses flags without parentheses (STORE accepts "flag *(SP flag)" too).
bool parse_flags(ArgParser& p, storage::Flags& flags, bool parenthesized);

// "(\Seen \Recent $Label)".
std::string format_flags(const storage::Flags& flags, bool recent);

}  // namespace satchel::imap
