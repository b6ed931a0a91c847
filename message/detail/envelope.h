// The ENVELOPE of a header block; shared by envelope() and BODYSTRUCTURE's message/rfc822.
#pragma once

#include <string>
#include <string_view>

#include "base/ascii.h"

namespace satchel::message::detail {

std::string envelope_of(std::string_view header);

}  // namespace satchel::message::detail
