#include "protocol/pop3/make_session.h"

#include "protocol/pop3/session.h"

namespace satchel::pop3 {

std::unique_ptr<protocol::Session> make_pop3_session(const protocol::ConnectionInfo& info,
                                                     const protocol::Limits& limits,
                                                     const protocol::Services& services) {
  return std::make_unique<Session>(info, limits, services);
}

std::unique_ptr<protocol::Session> make_pop3_session_after_login(
    const protocol::ConnectionInfo& info, const protocol::Limits& limits,
    const protocol::Services& services, const protocol::LoginHandoff& handoff,
    const auth::UserRecord& record) {
  return std::make_unique<Session>(info, limits, services, handoff, record);
}

}  // namespace satchel::pop3
