#include "base/secure_string.h"

#include <string.h>

namespace satchel {

void SecureString::wipe() {
  // explicit_bzero is not optimised away, unlike a memset before the memory is freed.
  if (!s_.empty()) explicit_bzero(s_.data(), s_.size());
  s_.clear();
}

}  // namespace satchel
