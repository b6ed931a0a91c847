#include "base/result.h"

#include <cstdio>

namespace satchel {

void detail_assert_fail(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "satchel: assertion failed: %s at %s:%d\n", expr, file, line);
  std::abort();
}

}  // namespace satchel
