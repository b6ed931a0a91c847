// libFuzzer target for the satchel.conf parser: config::parse_text must never crash, and an
// error must carry a message. Built when SATCHEL_FUZZ is on (clang).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto settings = satchel::config::parse_text(text, "fuzz.conf");
  if (!settings && settings.error().message.empty()) __builtin_trap();
  return 0;
}
