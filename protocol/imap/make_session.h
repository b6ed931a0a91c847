// The factory server/ calls for each IMAP connection.
#pragma once

#include <memory>

#include "protocol/session.h"

namespace satchel::imap {

std::unique_ptr<protocol::Session> make_imap_session(const protocol::ConnectionInfo& conn,
                                                     const protocol::Limits& limits,
                                                     const protocol::Services& services);

}  // namespace satchel::imap
