// Thin wrappers over libcrypto: base64, random bytes, digests, HMAC. The only place outside
// tls/ that includes OpenSSL headers (CONVENTIONS.md dependency rule 2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace satchel::crypto {

// Standard base64 (RFC 4648 §4) with padding, no line breaks.
std::string base64_encode(std::string_view data);

// Strict decoding: returns nullopt on any character outside the alphabet, bad padding or a
// length that is not a multiple of 4 (RFC 3501 §6.2.2 calls that a BAD).
std::optional<std::string> base64_decode(std::string_view text);

// Cryptographically strong random bytes; aborts if the system cannot provide them.
std::string random_bytes(std::size_t n);
std::uint32_t random_u32();

// Hex digests.
std::string md5_hex(std::string_view data);
std::string sha256_hex(std::string_view data);

}  // namespace satchel::crypto
