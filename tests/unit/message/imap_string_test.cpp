#include <doctest/doctest.h>

#include <string>

#include "message/message.h"

using namespace satchel::message;
using namespace std::string_literals;

// Seen while writing fuzz_mime's check that ENVELOPE and BODYSTRUCTURE are valid RFC 3501
// syntax: a NUL octet in a header value went out inside a literal, where RFC 3501 §9
// (CHAR8 = %x01-ff) allows none.
TEST_CASE("ENVELOPE and BODYSTRUCTURE strings never carry a NUL octet") {
  const std::string text =
      "Subject: a\0b\r\nFrom: \"N\0ame\" <x@y.example>\r\n"
      "Content-Type: text/plain; name=\"f\0\xE9.txt\"\r\n\r\nbody\r\n"s;
  REQUIRE(text.find('\0') != std::string::npos);
  auto m = parse(text);
  std::string env = envelope(*m);
  CHECK(env.find('\0') == std::string::npos);
  CHECK(env ==
        "(NIL \"ab\" ((\"Name\" NIL \"x\" \"y.example\")) ((\"Name\" NIL \"x\" "
        "\"y.example\")) ((\"Name\" NIL \"x\" \"y.example\")) NIL NIL NIL NIL NIL)");
  std::string bs = body_structure(*m, true);
  CHECK(bs.find('\0') == std::string::npos);
  // The 8-bit value still goes out as a literal, now of 6 octets (then the default charset).
  CHECK(bs.find("(\"name\" {6}\r\nf\xE9.txt \"charset\" \"us-ascii\")") != std::string::npos);
}
