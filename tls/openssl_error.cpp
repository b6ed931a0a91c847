#include "tls/openssl_error.h"

#include <openssl/err.h>

namespace satchel::tls {

std::string last_error_string(std::string_view fallback) {
  std::string out;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    std::string reason;
    if (const char* r = ERR_reason_error_string(code); r != nullptr) {
      reason = r;
    } else {
      char buf[256];
      ERR_error_string_n(code, buf, sizeof buf);
      reason = buf;
    }
    if (out.find(reason) != std::string::npos) continue;
    if (!out.empty()) out += "; ";
    out += reason;
  }
  if (out.empty()) out = fallback;
  return out;
}

void clear_errors() {
  ERR_clear_error();
}

}  // namespace satchel::tls
