// libFuzzer target for the ipc/ codecs: arbitrary bytes go through every decoder. Whatever
// decodes must encode back to exactly the same bytes (the encoding is canonical: each op has a
// fixed field list, and decoding refuses trailing bytes), and that encoding must decode again.
// Built when SATCHEL_FUZZ is on (clang).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ipc/auth_protocol.h"
#include "ipc/handoff.h"

using namespace satchel;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  if (auto q = ipc::decode_auth_request(input)) {
    SecureString again = ipc::encode(*q);
    if (again.view() != input) __builtin_trap();
    if (!ipc::decode_auth_request(again.view())) __builtin_trap();
  }
  if (auto p = ipc::decode_auth_response(input)) {
    SecureString again = ipc::encode(*p);
    if (again.view() != input) __builtin_trap();
    if (!ipc::decode_auth_response(again.view())) __builtin_trap();
  }
  if (auto m = ipc::decode_control(input)) {
    if (!ipc::fits(*m)) __builtin_trap();
    std::string again = ipc::encode(*m);
    if (again != input) __builtin_trap();
    if (!ipc::decode_control(again)) __builtin_trap();
  }
  return 0;
}
