// Storage mailbox names and their Maildir++ directory names. This is the one audited place
// where a name chosen by a client becomes a path component: every mailbox directory the
// Maildir backend touches is produced by folder_dir_name() and opened relative to the root.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace satchel::storage::maildir {

// A sane bound on the UTF-8 name; the encoded directory name must also fit NAME_MAX.
inline constexpr std::size_t kMaxMailboxNameBytes = 400;
inline constexpr std::size_t kMaxDirNameBytes = 255;

// Checks a storage mailbox name (UTF-8, '/' separated, "INBOX" upper case): refuses invalid
// UTF-8, an empty name, empty, "." or ".." components, a leading '/' or '~', control
// characters (< 0x20 and 0x7f) and names over the bounds. Failure: Permanent, code CANNOT.
Status validate_mailbox_name(std::string_view name);

// The directory of a mailbox below the Maildir root: "" for INBOX (the root itself), else
// "." followed by the components joined with '.', each in IMAP modified UTF-7 (RFC 3501
// §5.1.3) with a literal '.' encoded too so that it cannot be read as a separator.
// Validates first (same errors as validate_mailbox_name).
Result<std::string> folder_dir_name(std::string_view name);

// The inverse: a directory entry of the root (".a.b") to a storage name ("a/b"); nullopt if
// the entry is not a folder name we would have written (bad modified UTF-7, invalid name).
std::optional<std::string> mailbox_name_from_dir(std::string_view dir);

// One component to and from modified UTF-7 ('.' encoded as well as '&' and non-ASCII).
// decode returns nullopt on malformed input (RFC 3501 §5.1.3 forbids e.g. "&AGE-" for 'a').
std::string encode_mutf7(std::string_view utf8);
std::optional<std::string> decode_mutf7(std::string_view mutf7);

}  // namespace satchel::storage::maildir
