// RFC 5322 §3.4 address lists, parsed for the ENVELOPE (RFC 3501 §7.4.2). Internal.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace satchel::message::detail {

// One IMAP address structure. A group start is (NIL NIL "group name" NIL), a group end is all
// NIL (RFC 3501 §7.4.2).
struct Address {
  std::optional<std::string> name;
  std::optional<std::string> adl;
  std::optional<std::string> mailbox;
  std::optional<std::string> host;
};

// Mailbox or host parts that the header leaves out are given as these, because NIL host means
// a group marker in RFC 3501 §7.4.2. The names follow the convention of established servers.
inline constexpr const char* kMissingMailbox = "MISSING_MAILBOX";
inline constexpr const char* kMissingDomain = "MISSING_DOMAIN";

// Parses an unfolded address-list header value. Never fails: junk yields fewer addresses.
// Display names are the phrase words joined by one space, quoted strings unquoted; an
// addr-spec without a display name takes its comment as the name. Header text is not RFC 2047
// decoded (IMAP servers send it raw).
std::vector<Address> parse_address_list(std::string_view value);

}  // namespace satchel::message::detail
