// Result<T> and Error: how every fallible function in Satchel reports failure (CONVENTIONS.md
// rule 2). No exceptions cross a module boundary.
#pragma once

#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace satchel {

enum class ErrorKind {
  Temporary,          // Try again later: disk full, lock busy, backend down.
  Permanent,          // The request cannot succeed as made: no such mailbox, bad name.
  ProtocolViolation,  // The peer broke the protocol.
  Internal,           // Our own bug or an unexpected system failure.
};

// An error as a value. `code` is the IMAP response code (RFC 5530 and friends) without the
// brackets, such as "NONEXISTENT" or "OVERQUOTA", or empty when none fits; protocol layers map
// it to their own form (POP3 uses its RESP-CODES where one exists).
struct Error {
  ErrorKind kind = ErrorKind::Internal;
  std::string code;
  std::string message;

  static Error temporary(std::string code, std::string message) {
    return {ErrorKind::Temporary, std::move(code), std::move(message)};
  }
  static Error permanent(std::string code, std::string message) {
    return {ErrorKind::Permanent, std::move(code), std::move(message)};
  }
  static Error internal(std::string message) {
    return {ErrorKind::Internal, "SERVERBUG", std::move(message)};
  }
};

// Result<T>: either a T or an Error. Checked access: calling value() on an error is a bug and
// aborts, as does error() on a value.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    if (!ok()) std::abort();
    return std::get<0>(v_);
  }
  const T& value() const& {
    if (!ok()) std::abort();
    return std::get<0>(v_);
  }
  T&& value() && {
    if (!ok()) std::abort();
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    if (ok()) std::abort();
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// The value type of a Result that carries nothing on success.
struct Ok {};

using Status = Result<Ok>;

inline Status ok_status() {
  return Ok{};
}

}  // namespace satchel

// A broken invariant is a bug: crash loudly, never handle it (CONVENTIONS.md rule 2).
#define SATCHEL_ASSERT(cond)                                               \
  do {                                                                     \
    if (!(cond)) ::satchel::detail_assert_fail(#cond, __FILE__, __LINE__); \
  } while (0)

namespace satchel {
[[noreturn]] void detail_assert_fail(const char* expr, const char* file, int line);
}
