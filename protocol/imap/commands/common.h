// Helpers shared by the command handlers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/imap/command_table.h"
#include "protocol/imap/sequence_set.h"

namespace satchel::imap {

// Reads SP astring as a mailbox name and converts it to the storage form. On failure the
// tagged response is set (BAD for syntax, NO [CANNOT] for invalid modified UTF-7).
std::optional<std::string> read_mailbox(Ctx& ctx);

// Reads SP sequence-set and resolves it against the selected view: indexes into view(),
// ascending. Sequence numbers above EXISTS are a BAD (RFC 3501 §9 seq-number); UIDs select
// what exists. On failure the tagged response is set.
std::optional<std::vector<std::size_t>> read_message_set(Ctx& ctx);

// The mailbox name in the form sent to the client (modified UTF-7, quoted or literal).
std::string wire_mailbox(std::string_view utf8);

}  // namespace satchel::imap
