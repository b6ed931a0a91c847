// Password hashing for the SQLite userdb with libxcrypt: new hashes are yescrypt ("$y$");
// verification accepts any scheme libxcrypt knows ($6$, $5$, $2b$ ...) so users can be
// migrated with their existing hashes. Thread-safe (only the reentrant *_rn functions).
//
// Blocking: hashing takes tens of milliseconds of CPU by design. Call from the thread pool or
// the auth process.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "base/secure_string.h"

namespace satchel::auth {

// Hashes `password` with yescrypt and a fresh random salt. Fails (Permanent, code CANNOT) on a
// password libxcrypt cannot take: empty, containing NUL, or longer than 512 bytes.
Result<std::string> hash_password(const SecureString& password);

// True when `password` hashes to `stored` under the scheme and salt `stored` names. False for a
// wrong password, a malformed or unknown hash, or an unusable password. The final comparison
// takes the same time wherever the hashes differ.
bool verify_password_hash(const SecureString& password, const std::string& stored);

// True when libxcrypt accepts `hash` as a setting it can verify against (used to import
// hashes); false for "*", "!" (locked accounts) and garbage.
bool is_supported_hash(const std::string& hash);

// Compares two byte strings in time that depends only on their lengths, not on where they
// differ (so a timing side channel does not reveal how much of a hash matched).
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace satchel::auth
