// ParsedMessage: the MIME structure of one message as offsets into its CRLF text (RFC 2045,
// RFC 2046). Built by satchel::message::parse(); read by the ENVELOPE, BODYSTRUCTURE, section
// and SEARCH functions of message.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace satchel::message {

// One MIME entity: a message, a body part, or the message encapsulated in a message/rfc822
// part. Offsets index the text of the ParsedMessage that owns the part.
struct Part {
  std::size_t header_begin = 0;
  std::size_t body_begin = 0;  // Just after the blank line ending the header (or its end).
  std::size_t body_end = 0;    // Excludes the CRLF that belongs to the next boundary line.

  // Content-Type as written in the header (case kept). When the field is missing or invalid,
  // the RFC 2045 §5.2 default (text/plain; charset=us-ascii) or, inside multipart/digest,
  // RFC 2046 §5.1.5's message/rfc822, with `default_type` set.
  std::string type = "text";
  std::string subtype = "plain";
  std::vector<std::pair<std::string, std::string>> params;  // RFC 2231 continuations joined.
  bool default_type = true;

  std::string encoding;  // Content-Transfer-Encoding token as written; empty when absent.

  enum class Kind { Leaf, Multipart, Message };
  Kind kind = Kind::Leaf;  // Multipart: `children` are its body parts. Message: children[0]
                           // is the encapsulated message (RFC 2046 §5.2.1).
  std::vector<Part> children;

  std::uint64_t lines = 0;  // Lines (LF count) of the body, for BODYSTRUCTURE.

  std::size_t body_size() const { return body_end - body_begin; }
  bool is_type(std::string_view t) const;
  bool is_type(std::string_view t, std::string_view st) const;
  // The value of a Content-Type parameter (case-insensitive name), or nullptr.
  const std::string* param(std::string_view name) const;
};

class ParsedMessage {
 public:
  explicit ParsedMessage(std::string_view text) : text_(text) {}
  std::string_view text() const { return text_; }

  const Part& root() const { return root_; }
  Part& mutable_root() { return root_; }

 private:
  std::string_view text_;
  Part root_;
};

}  // namespace satchel::message
