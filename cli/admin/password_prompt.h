// Reading a new password for satchel-admin: never from the command line (it would show in ps
// and shell history). From a terminal: asked twice with echo off. Otherwise: one line of stdin,
// so scripts can pipe it.
#pragma once

#include "base/result.h"
#include "base/secure_string.h"

namespace satchel::admin {

// Reads a new password for `user` from stdin. Blocks on the terminal or the pipe.
// Errors (Permanent, message for the user): mismatch, empty, end of input, too long.
Result<SecureString> read_new_password(const std::string& user);

}  // namespace satchel::admin
