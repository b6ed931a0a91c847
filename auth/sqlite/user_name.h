// User names and mail-location templates of the SQLite userdb.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace satchel::auth {

// A user name is 1 to 255 bytes, without control characters or '/', and not "." or "..": it
// becomes a directory name under mail_root. Names are case-sensitive. On failure: Permanent,
// code CANNOT, with the reason.
Status validate_user_name(std::string_view name);

// Expands a mail_location template: %u is the user name, %h the home, %% a '%'. Any other '%'
// sequence is an error (Permanent, code CANNOT), so a typo does not become a directory name.
Result<std::string> expand_location(std::string_view templ, std::string_view user,
                                    std::string_view home);

}  // namespace satchel::auth
