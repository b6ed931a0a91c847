#include "ipc/wire.h"

#include <doctest/doctest.h>

using namespace satchel;
using namespace satchel::ipc;

TEST_CASE("wire: every primitive round-trips") {
  Writer w;
  w.u8(0xab);
  w.u32(0xdeadbeef);
  w.u64(0x0123456789abcdefULL);
  w.boolean(true);
  w.boolean(false);
  w.bytes(std::string("a\0b", 3));
  w.bytes("");
  std::string bytes = w.take();
  // Fixed layout: 1 + 4 + 8 + 1 + 1 + (4 + 3) + 4.
  CHECK(bytes.size() == 26);

  Reader r(bytes);
  std::uint8_t a = 0;
  std::uint32_t b = 0;
  std::uint64_t c = 0;
  bool t = false, f = true;
  std::string s1, s2 = "x";
  CHECK(r.u8(a));
  CHECK(r.u32(b));
  CHECK(r.u64(c));
  CHECK(r.boolean(t));
  CHECK(r.boolean(f));
  CHECK(r.bytes(s1, 3));
  CHECK(r.bytes(s2, 0));
  CHECK(r.end("test"));
  CHECK(a == 0xab);
  CHECK(b == 0xdeadbeef);
  CHECK(c == 0x0123456789abcdefULL);
  CHECK(t);
  CHECK_FALSE(f);
  CHECK(s1 == std::string("a\0b", 3));
  CHECK(s2.empty());
}

TEST_CASE("wire: integers are little-endian") {
  Writer w;
  w.u32(0x01020304);
  CHECK(w.take() == std::string("\x04\x03\x02\x01", 4));
}

TEST_CASE("wire: truncation fails and stays failed") {
  Writer w;
  w.u32(7);
  std::string bytes = w.take();
  Reader r(std::string_view(bytes).substr(0, 3));
  std::uint32_t v = 0;
  CHECK_FALSE(r.u32(v));
  std::uint8_t b = 0;
  CHECK_FALSE(r.u8(b));  // Sticky, even though a byte would be there.
  auto s = r.end("test");
  REQUIRE_FALSE(s);
  CHECK(s.error().kind == ErrorKind::ProtocolViolation);
  CHECK(s.error().code == "IPC");
  CHECK(s.error().message.find("truncated") != std::string::npos);
}

TEST_CASE("wire: a string over its limit fails before reading it") {
  Writer w;
  w.bytes("hello");
  std::string bytes = w.take();
  Reader r(bytes);
  std::string s;
  CHECK_FALSE(r.bytes(s, 4));
  CHECK_FALSE(r.end("test"));
}

TEST_CASE("wire: a length prefix beyond the input is truncation, not a huge allocation") {
  std::string bytes(
      "\xff\xff\xff\x7f"
      "abc",
      7);
  Reader r(bytes);
  std::string s;
  CHECK_FALSE(r.bytes(s, 0xffffffff));
  CHECK_FALSE(r.end("test"));
}

TEST_CASE("wire: booleans other than 0 and 1 are garbage") {
  Reader r(std::string_view("\x02", 1));
  bool b = false;
  CHECK_FALSE(r.boolean(b));
  CHECK_FALSE(r.end("test"));
}

TEST_CASE("wire: trailing bytes fail end()") {
  Reader r(std::string_view("\x01\x02", 2));
  std::uint8_t b = 0;
  CHECK(r.u8(b));
  auto s = r.end("test");
  REQUIRE_FALSE(s);
  CHECK(s.error().message.find("trailing") != std::string::npos);
}

TEST_CASE("wire: secrets come back as SecureString; take_secure empties the writer") {
  Writer w;
  w.bytes("s3cret");
  SecureString enc = w.take_secure();
  CHECK(w.take().empty());
  Reader r(enc.view());
  SecureString out;
  CHECK(r.secure(out, 100));
  CHECK(r.end("test"));
  CHECK(out.view() == "s3cret");
}
