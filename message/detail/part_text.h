// Views of a part's header and body in the message text. Internal.
#pragma once

#include <string_view>

#include "message/parsed_message.h"

namespace satchel::message::detail {

inline std::string_view header_view(std::string_view text, const Part& p) {
  return text.substr(p.header_begin, p.body_begin - p.header_begin);
}

inline std::string_view body_view(std::string_view text, const Part& p) {
  return text.substr(p.body_begin, p.body_end - p.body_begin);
}

}  // namespace satchel::message::detail
