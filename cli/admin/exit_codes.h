// Exit codes of satchel-admin, shared by its commands.
#pragma once

namespace satchel::admin {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;  // The operation failed (message on stderr).
constexpr int kExitUsage = 2;   // Bad command line or configuration.

}  // namespace satchel::admin
