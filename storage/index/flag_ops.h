// How STORE and APPEND change a message's flags, shared by every backend: system flag bits
// plus keywords compared without regard to case (RFC 3501 §2.3.2: flag names are
// case-insensitive), kept in the spelling first stored.
#pragma once

#include <string>
#include <vector>

#include "storage/api/types.h"

namespace satchel::storage::index {

// Sorted, without case-insensitive duplicates and without keywords the index cannot store
// (empty, or containing spaces or control characters, which no IMAP atom has).
std::vector<std::string> normalize_keywords(const std::vector<std::string>& keywords);

// RFC 3501 §6.4.6: FLAGS replaces, +FLAGS adds, -FLAGS removes.
Flags apply_flags(const Flags& old, FlagOp op, const Flags& change);

}  // namespace satchel::storage::index
