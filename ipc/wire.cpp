#include "ipc/wire.h"

#include <string.h>

namespace satchel::ipc {

Writer::~Writer() {
  wipe(buf_);
}

void Writer::u8(std::uint8_t v) {
  buf_.push_back(static_cast<char>(v));
}

void Writer::u32(std::uint32_t v) {
  for (int i = 0; i < 4; ++i) buf_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void Writer::u64(std::uint64_t v) {
  for (int i = 0; i < 8; ++i) buf_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void Writer::bytes(std::string_view v) {
  // Callers bound their strings far below 4 GiB; a longer one would be a bug.
  SATCHEL_ASSERT(v.size() <= 0xffffffffu);
  u32(static_cast<std::uint32_t>(v.size()));
  // Grow once for the string so a secret is not left behind in a freed, smaller buffer.
  if (buf_.capacity() < buf_.size() + v.size()) {
    std::string bigger;
    bigger.reserve(2 * (buf_.size() + v.size()));
    bigger.append(buf_);
    wipe(buf_);
    buf_ = std::move(bigger);
  }
  buf_.append(v);
}

std::string Writer::take() {
  std::string out = std::move(buf_);
  buf_.clear();
  return out;
}

SecureString Writer::take_secure() {
  SecureString out(buf_);
  wipe(buf_);
  return out;
}

bool Reader::take(std::size_t n, std::string_view& out) {
  if (!ok_) return false;
  if (in_.size() - pos_ < n) {
    fail("truncated");
    return false;
  }
  out = in_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool Reader::u8(std::uint8_t& out) {
  std::string_view b;
  if (!take(1, b)) return false;
  out = static_cast<std::uint8_t>(b[0]);
  return true;
}

template <typename T>
bool Reader::little_endian(T& out) {
  std::string_view b;
  if (!take(sizeof(T), b)) return false;
  out = 0;
  for (std::size_t i = sizeof(T); i-- > 0;)
    out = static_cast<T>((out << 8) | static_cast<std::uint8_t>(b[i]));
  return true;
}

bool Reader::u32(std::uint32_t& out) {
  return little_endian(out);
}

bool Reader::u64(std::uint64_t& out) {
  return little_endian(out);
}

bool Reader::boolean(bool& out) {
  std::uint8_t v = 0;
  if (!u8(v)) return false;
  if (v > 1) {
    fail("bad boolean");
    return false;
  }
  out = v == 1;
  return true;
}

bool Reader::sized(std::size_t max, std::string_view& out) {
  std::uint32_t len = 0;
  if (!u32(len)) return false;
  if (len > max) {
    fail("string over its limit");
    return false;
  }
  return take(len, out);
}

bool Reader::bytes(std::string& out, std::size_t max) {
  std::string_view b;
  if (!sized(max, b)) return false;
  out.assign(b);
  return true;
}

bool Reader::secure(SecureString& out, std::size_t max) {
  std::string_view b;
  if (!sized(max, b)) return false;
  out = SecureString(b);
  return true;
}

void Reader::fail(std::string_view why) {
  if (ok_) why_.assign(why);
  ok_ = false;
}

Status Reader::end(std::string_view what) const {
  std::string why = why_;
  if (ok_ && pos_ != in_.size()) why = "trailing bytes";
  if (!why.empty())
    return Error{ErrorKind::ProtocolViolation, "IPC",
                 std::string(what) + ": malformed message: " + why};
  return ok_status();
}

void wipe(std::string& s) {
  if (!s.empty()) explicit_bzero(s.data(), s.size());
  s.clear();
}

}  // namespace satchel::ipc
