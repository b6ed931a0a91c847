#include "base/crypto.h"

#include <doctest/doctest.h>

using namespace satchel;

TEST_CASE("base64 round-trips arbitrary bytes including NUL") {
  std::string data("\0user\0pass\xff", 11);
  std::string encoded = crypto::base64_encode(data);
  auto decoded = crypto::base64_decode(encoded);
  REQUIRE(decoded.has_value());
  CHECK(*decoded == data);
}

TEST_CASE("base64 encodes RFC 4648 test vectors") {
  CHECK(crypto::base64_encode("") == "");
  CHECK(crypto::base64_encode("f") == "Zg==");
  CHECK(crypto::base64_encode("fo") == "Zm8=");
  CHECK(crypto::base64_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64 decoding is strict") {
  CHECK_FALSE(crypto::base64_decode("Zg=").has_value());        // length not a multiple of 4
  CHECK_FALSE(crypto::base64_decode("Zm9v YmFy").has_value());  // whitespace
  CHECK_FALSE(crypto::base64_decode("Z===").has_value());       // too much padding
  CHECK_FALSE(crypto::base64_decode("Zg==Zg==").has_value());   // padding in the middle
  CHECK(crypto::base64_decode("Zm8=").value() == "fo");
}

TEST_CASE("random bytes differ between calls") {
  CHECK(crypto::random_bytes(16).size() == 16);
  CHECK(crypto::random_bytes(16) != crypto::random_bytes(16));
}

TEST_CASE("md5 and sha256 hex digests match known values") {
  CHECK(crypto::md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(crypto::sha256_hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
