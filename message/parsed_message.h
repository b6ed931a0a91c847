// ParsedMessage: the MIME structure of one message (placeholder shape; the message module
// owns and grows it).
#pragma once

#include <string_view>

namespace satchel::message {

class ParsedMessage {
 public:
  explicit ParsedMessage(std::string_view text) : text_(text) {}
  std::string_view text() const { return text_; }

 private:
  std::string_view text_;
};

}  // namespace satchel::message
