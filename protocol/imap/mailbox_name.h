// Mailbox names on the wire (RFC 3501 §5.1.3 modified UTF-7) and in storage (UTF-8, '/'
// separator, "INBOX" in upper case).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace satchel::imap {

inline constexpr char kSeparator = '/';

// Decodes modified UTF-7 to UTF-8. nullopt for invalid input: bad base64, a shift sequence
// that is not terminated by "-", printable ASCII encoded in base64, non-zero padding bits,
// broken UTF-16 surrogates, or any octet outside 0x20-0x7e.
std::optional<std::string> mutf7_decode(std::string_view wire);

// Encodes UTF-8 as modified UTF-7. Invalid UTF-8 octets are encoded as U+FFFD.
std::string mutf7_encode(std::string_view utf8);

// A wire mailbox name to its storage form: decoded, and a first component that is "INBOX" in
// any case made "INBOX" (RFC 3501 §5.1: INBOX is case-insensitive). nullopt when invalid.
std::optional<std::string> mailbox_from_wire(std::string_view wire);

// The storage form to the wire form (modified UTF-7).
inline std::string mailbox_to_wire(std::string_view utf8) {
  return mutf7_encode(utf8);
}

// Folds a first component equal to "inbox" in any case to "INBOX".
std::string canonical_inbox(std::string name);

}  // namespace satchel::imap
