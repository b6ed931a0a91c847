#include "auth/sqlite/user_name.h"

namespace satchel::auth {

Status validate_user_name(std::string_view name) {
  if (name.empty() || name.size() > 255)
    return Error::permanent("CANNOT", "user name must be 1 to 255 bytes");
  if (name == "." || name == "..")
    return Error::permanent("CANNOT", "user name must not be '.' or '..'");
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f)
      return Error::permanent("CANNOT", "user name must not contain control characters");
    if (c == '/') return Error::permanent("CANNOT", "user name must not contain '/'");
  }
  return ok_status();
}

Result<std::string> expand_location(std::string_view templ, std::string_view user,
                                    std::string_view home) {
  std::string out;
  for (std::size_t i = 0; i < templ.size(); ++i) {
    if (templ[i] != '%') {
      out.push_back(templ[i]);
      continue;
    }
    if (i + 1 >= templ.size())
      return Error::permanent("CANNOT",
                              "mail location '" + std::string(templ) + "' ends with a lone '%'");
    char v = templ[++i];
    if (v == 'u')
      out += user;
    else if (v == 'h')
      out += home;
    else if (v == '%')
      out.push_back('%');
    else
      return Error::permanent("CANNOT", "mail location '" + std::string(templ) +
                                            "' uses unknown variable '%" + std::string(1, v) +
                                            "' (known: %u, %h, %%)");
  }
  return out;
}

}  // namespace satchel::auth
