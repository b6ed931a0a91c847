// Login shared by LOGIN and AUTHENTICATE PLAIN, and the AUTHENTICATE continuation step
// (RFC 3501 §6.2.2, RFC 4959 SASL-IR, RFC 4616 PLAIN).
#pragma once

#include <string_view>

#include "base/secure_string.h"
#include "protocol/imap/session_state.h"

namespace satchel::imap {

// Verifies the credentials, opens the user's store and enters the Authenticated state; on
// failure answers NO [AUTHENTICATIONFAILED] with the failed-login delay. Logs one line either
// way (never the password).
void login(Ctx& ctx, std::string_view user, const SecureString& password, std::string_view mech);

// Handles the client's response line to an AUTHENTICATE continuation ("*" cancels).
void sasl_continue(Ctx& ctx, std::string_view line);

// Handles a decoded PLAIN message (from the continuation or SASL-IR).
void sasl_plain(Ctx& ctx, std::string_view message);

}  // namespace satchel::imap
