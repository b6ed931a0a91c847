// Logging in: LOGIN and AUTHENTICATE share what follows a verdict (RFC 3501 §6.2.2, §6.2.3,
// RFC 4959 SASL-IR), and a mail worker's after-login session shares the completion.
#pragma once

#include <string_view>

#include "auth/api/authenticator.h"
#include "protocol/imap/session_state.h"

namespace satchel::imap {

// A verified login: tells the login policy, then either records the hand-off (login worker:
// ctx.next = Handoff, nothing written) or completes the login in this process.
void login_succeeded(Ctx& ctx, const auth::UserRecord& record, std::string_view authcid,
                     std::string_view mech);

// Opens the user's store, enters Authenticated, logs "login: ..." and answers
// "<tag> OK [CAPABILITY ...] Logged in"; if the store cannot be opened, NO [UNAVAILABLE].
// The one completion of a login, in-process and in a mail worker alike.
void complete_login(Ctx& ctx, const auth::UserRecord& record, std::string_view mech);

// Handles the client's response line to an AUTHENTICATE continuation ("*" cancels).
void sasl_continue(Ctx& ctx, std::string_view line);

}  // namespace satchel::imap
