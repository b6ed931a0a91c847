// The factory server/ calls for each IMAP connection.
#pragma once

#include <memory>

#include "auth/api/authenticator.h"
#include "protocol/session.h"

namespace satchel::imap {

std::unique_ptr<protocol::Session> make_imap_session(const protocol::ConnectionInfo& conn,
                                                     const protocol::Limits& limits,
                                                     const protocol::Services& services);

// A mail worker's session for a connection a login worker authenticated (Next::Handoff).
// greeting() returns "" (the client was greeted already); the first feed(), to be called at
// once with the input the login worker did not consume (possibly none), opens the store of
// `record`, answers "<handoff.imap_tag> OK [CAPABILITY ...] Logged in" and goes on with the
// input; if the store cannot be opened it answers NO [UNAVAILABLE] and "* BYE" and returns
// Next::Close. Never returns nullptr.
std::unique_ptr<protocol::Session> make_imap_session_after_login(
    const protocol::ConnectionInfo& conn, const protocol::Limits& limits,
    const protocol::Services& services, const protocol::LoginHandoff& handoff,
    const auth::UserRecord& record);

}  // namespace satchel::imap
