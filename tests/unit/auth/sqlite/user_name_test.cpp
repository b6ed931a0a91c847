#include "auth/sqlite/user_name.h"

#include <doctest/doctest.h>

using namespace satchel::auth;

TEST_CASE("valid user names") {
  for (const char* n : {"alice", "Alice", "a", "user@example.com", "j.doe", "..a", "é"})
    CHECK(validate_user_name(n).ok());
  CHECK(validate_user_name(std::string(255, 'x')).ok());
}

TEST_CASE("invalid user names say why") {
  CHECK(validate_user_name("").error().message == "user name must be 1 to 255 bytes");
  CHECK(validate_user_name(std::string(256, 'x')).error().message ==
        "user name must be 1 to 255 bytes");
  CHECK(validate_user_name(".").error().message == "user name must not be '.' or '..'");
  CHECK(validate_user_name("..").error().code == "CANNOT");
  CHECK(validate_user_name("a/b").error().message == "user name must not contain '/'");
  CHECK(validate_user_name("a\nb").error().message ==
        "user name must not contain control characters");
  CHECK_FALSE(validate_user_name(std::string("a\0b", 3)).ok());
  CHECK_FALSE(validate_user_name("a\x7f").ok());
}

TEST_CASE("mail location templates expand %u, %h and %%") {
  CHECK(expand_location("maildir:%h/Maildir", "bob", "/m/bob").value() == "maildir:/m/bob/Maildir");
  CHECK(expand_location("mbox:/var/mail/%u", "bob", "/m/bob").value() == "mbox:/var/mail/bob");
  CHECK(expand_location("maildir:/x/100%%/%u", "bob", "/h").value() == "maildir:/x/100%/bob");
  CHECK(expand_location("maildir:%d/%u", "bob", "/h").error().message ==
        "mail location 'maildir:%d/%u' uses unknown variable '%d' (known: %u, %h, %%)");
  CHECK(expand_location("maildir:/x%", "bob", "/h").error().code == "CANNOT");
}
