// The primitive encoding under every ipc/ message: fixed-width little-endian integers and
// length-prefixed byte strings, nothing else. Writer appends; Reader takes them back with a
// sticky failure flag, so a decoder reads every field and checks once at the end (OpenSMTPD's
// m_get_* then m_end()): truncated input, an oversized string, a bad boolean or trailing bytes
// make end() fail. Pure: no I/O, no allocation beyond the strings it returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/secure_string.h"

namespace satchel::ipc {

class Writer {
 public:
  Writer() = default;
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  // The buffer may hold secrets (passwords, SASL responses): it is wiped unless taken.
  ~Writer();

  void u8(std::uint8_t v);
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void boolean(bool v) { u8(v ? 1 : 0); }
  // A u32 length followed by the bytes.
  void bytes(std::string_view v);

  // The encoded message; the writer is empty afterwards.
  std::string take();
  // The same as a SecureString, for messages that carry secrets; the internal buffer is wiped.
  SecureString take_secure();

 private:
  std::string buf_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  // Each getter returns false (and leaves `out` unspecified) once anything failed; after a
  // failure every later call fails too.
  bool u8(std::uint8_t& out);
  bool u32(std::uint32_t& out);
  bool u64(std::uint64_t& out);
  // Only 0 and 1 are booleans; anything else is garbage.
  bool boolean(bool& out);
  // A string longer than `max` fails before any allocation.
  bool bytes(std::string& out, std::size_t max);
  bool secure(SecureString& out, std::size_t max);

  // Marks the message as bad for a reason found above the wire level (unknown kind, a value
  // out of range). The first reason is kept.
  void fail(std::string_view why);

  bool ok() const { return ok_; }
  // Success only when nothing failed and every byte was consumed. Errors are
  // ProtocolViolation with code "IPC" and a message naming `what` and the reason.
  Status end(std::string_view what) const;

 private:
  bool take(std::size_t n, std::string_view& out);
  // A u32 length (at most `max`) and that many bytes.
  bool sized(std::size_t max, std::string_view& out);
  template <typename T>
  bool little_endian(T& out);

  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
  std::string why_;
};

// Overwrites a buffer that held an encoded secret, then clears it.
void wipe(std::string& s);

}  // namespace satchel::ipc
