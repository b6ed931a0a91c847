// Control messages between the master and a worker (DESIGN.md, process model). A Handoff moves a
// logged-in connection to a mail worker: the connection's socket travels beside these bytes as
// SCM_RIGHTS (server/auth/unix_channel.h), with the client bytes the login worker had read but
// the session had not consumed yet.
//
// Wire form: u8 version, u8 kind, and for Handoff only the fields of HandoffMessage in
// declaration order. Decoding fails hard (ProtocolViolation, code "IPC") on a wrong version, an
// unknown kind, a field over its limit, a port out of range, truncation or trailing bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "protocol/session.h"

namespace satchel::ipc {

inline constexpr std::uint8_t kControlProtocolVersion = 1;
// Limits, checked on decode: strings (a tag or user name is bounded by the command line, 64 KiB
// by default in protocol::Limits), and the unconsumed client input.
inline constexpr std::size_t kMaxControlString = 64 * 1024;
inline constexpr std::size_t kMaxPendingInput = 1024 * 1024;
// No control message can be larger than this (the receive buffer size to use).
inline constexpr std::size_t kMaxControlMessage = kMaxPendingInput + 16 * kMaxControlString;

enum class ControlKind : std::uint8_t { Handoff = 1, Idle = 2, Retire = 3 };

struct HandoffMessage {
  bool pop3 = false;
  protocol::ConnectionInfo conn;
  protocol::LoginHandoff login;
  std::string pending_input;  // At most kMaxPendingInput octets.
};

struct ControlMessage {
  ControlKind kind = ControlKind::Idle;
  HandoffMessage handoff;  // Only for Handoff; not encoded for other kinds.
};

// True when every field is within its limit (and ports are 0..65535). A login worker whose
// session produced a handoff that does not fit refuses the login instead of sending it.
bool fits(const ControlMessage& message);

// Encodes a message. Encoding one that does not fit() is a bug of the caller and aborts via
// SATCHEL_ASSERT rather than send what the peer must refuse.
std::string encode(const ControlMessage& message);

Result<ControlMessage> decode_control(std::string_view bytes);

}  // namespace satchel::ipc
