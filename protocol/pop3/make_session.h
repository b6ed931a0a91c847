// The factory server/ calls to start a POP3 session on an accepted connection (plain, STLS or
// POP3S listeners alike; ConnectionInfo says which).
#pragma once

#include <memory>

#include "auth/api/authenticator.h"
#include "protocol/session.h"

namespace satchel::pop3 {

// A new session in the AUTHORIZATION state; send greeting() first. `services` must outlive the
// session's use of its authenticator and store factory (they are held by pointer); the
// session takes its own copies of everything else. Never returns nullptr.
std::unique_ptr<protocol::Session> make_pop3_session(const protocol::ConnectionInfo& info,
                                                     const protocol::Limits& limits,
                                                     const protocol::Services& services);

// A mail worker's session for a connection a login worker authenticated (Next::Handoff).
// greeting() returns "" (the client was greeted already); the first feed(), to be called at
// once with the input the login worker did not consume (possibly none), opens the maildrop of
// `record`, answers "+OK Logged in, N messages (M octets)." and goes on with the input. If the
// maildrop cannot be opened ([IN-USE] or another failure) it answers -ERR and returns
// Next::Close: a mail worker cannot go back to AUTHORIZATION. Never returns nullptr.
std::unique_ptr<protocol::Session> make_pop3_session_after_login(
    const protocol::ConnectionInfo& info, const protocol::Limits& limits,
    const protocol::Services& services, const protocol::LoginHandoff& handoff,
    const auth::UserRecord& record);

}  // namespace satchel::pop3
