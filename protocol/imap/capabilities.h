// The CAPABILITY list (RFC 3501 §6.1.1, §7.2.1): only what is complete and tested.
#pragma once

#include <string>

#include "protocol/imap/session_state.h"

namespace satchel::imap {

// "IMAP4rev1 LITERAL+ ..." for the session's current state and connection.
std::string capabilities(const SessionState& s);

}  // namespace satchel::imap
