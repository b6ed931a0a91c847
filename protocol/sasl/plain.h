// The SASL PLAIN message (RFC 4616 §2): [authzid] NUL authcid NUL passwd, as IMAP
// AUTHENTICATE PLAIN and POP3 AUTH PLAIN carry it (base64-decoded by the caller).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/secure_string.h"

namespace satchel::sasl {

struct PlainCredentials {
  std::string authzid;  // Empty when the client sent none.
  std::string authcid;
  SecureString password;
};

// Splits a decoded PLAIN message. nullopt when it does not have exactly two NULs or the
// authcid or password is empty (RFC 4616 §2: both are required).
std::optional<PlainCredentials> parse_plain(std::string_view message);

}  // namespace satchel::sasl
