// The factory server/ calls to start a POP3 session on an accepted connection (plain, STLS or
// POP3S listeners alike; ConnectionInfo says which).
#pragma once

#include <memory>

#include "protocol/session.h"

namespace satchel::pop3 {

// A new session in the AUTHORIZATION state; send greeting() first. `services` must outlive the
// session's use of its authenticator and store factory (they are held by pointer); the
// session takes its own copies of everything else. Never returns nullptr.
std::unique_ptr<protocol::Session> make_pop3_session(const protocol::ConnectionInfo& info,
                                                     const protocol::Limits& limits,
                                                     const protocol::Services& services);

}  // namespace satchel::pop3
