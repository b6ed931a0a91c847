#include "auth/sqlite/password_hash.h"

#include <crypt.h>

#include <doctest/doctest.h>

using namespace satchel;
using namespace satchel::auth;

TEST_CASE("new hashes are yescrypt with a fresh salt, and verify") {
  auto a = hash_password(SecureString("correct horse"));
  auto b = hash_password(SecureString("correct horse"));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->rfind("$y$", 0) == 0);
  CHECK(a.value() != b.value());  // Different salts.
  CHECK(verify_password_hash(SecureString("correct horse"), a.value()));
  CHECK(verify_password_hash(SecureString("correct horse"), b.value()));
  CHECK_FALSE(verify_password_hash(SecureString("correct hors"), a.value()));
  CHECK_FALSE(verify_password_hash(SecureString("Correct horse"), a.value()));
}

TEST_CASE("unusable passwords are refused for hashing and never verify") {
  CHECK(hash_password(SecureString("")).error().code == "CANNOT");
  CHECK(hash_password(SecureString(std::string("a\0b", 3))).error().code == "CANNOT");
  CHECK(hash_password(SecureString(std::string(512, 'x'))).error().code == "CANNOT");
  CHECK(hash_password(SecureString(std::string(511, 'x'))).ok());
  auto h = hash_password(SecureString("a"));
  REQUIRE(h.ok());
  // "a\0b" must not be verified as "a" (crypt would stop at the NUL).
  CHECK_FALSE(verify_password_hash(SecureString(std::string("a\0b", 3)), h.value()));
}

TEST_CASE("hashes of other libxcrypt schemes verify, for migration") {
  for (const char* prefix : {"$6$", "$5$", "$2b$"}) {
    CAPTURE(prefix);
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    REQUIRE(crypt_gensalt_rn(prefix, 0, nullptr, 0, setting, sizeof setting) != nullptr);
    crypt_data data{};
    const char* h = crypt_rn("legacy pw", setting, &data, sizeof data);
    REQUIRE(h != nullptr);
    std::string hash = h;
    CHECK(hash.rfind(prefix, 0) == 0);
    CHECK(is_supported_hash(hash));
    CHECK(verify_password_hash(SecureString("legacy pw"), hash));
    CHECK_FALSE(verify_password_hash(SecureString("legacy pw!"), hash));
  }
}

TEST_CASE("locked accounts and garbage hashes never verify") {
  CHECK_FALSE(is_supported_hash(""));
  CHECK_FALSE(is_supported_hash("*"));
  CHECK_FALSE(is_supported_hash("!$y$j9T$abc"));
  CHECK_FALSE(is_supported_hash("$nonsense$abc"));
  CHECK_FALSE(verify_password_hash(SecureString("x"), "!"));
  CHECK_FALSE(verify_password_hash(SecureString("x"), "$nonsense$abc"));
}

TEST_CASE("constant_time_equals compares whole strings") {
  CHECK(constant_time_equals("", ""));
  CHECK(constant_time_equals("abc", "abc"));
  CHECK_FALSE(constant_time_equals("abc", "abd"));
  CHECK_FALSE(constant_time_equals("abc", "xbc"));
  CHECK_FALSE(constant_time_equals("abc", "abcd"));
  CHECK_FALSE(constant_time_equals(std::string_view("a\0c", 3), std::string_view("a\0d", 3)));
}
