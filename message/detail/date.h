// RFC 5322 §3.3 date-time parsing. Internal.
#pragma once

#include <optional>
#include <string_view>

#include "message/message.h"

namespace satchel::message::detail {

std::optional<SentDate> parse_date(std::string_view value);

}  // namespace satchel::message::detail
