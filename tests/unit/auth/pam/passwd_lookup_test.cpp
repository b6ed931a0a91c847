#include "auth/pam/passwd_lookup.h"

#include <pwd.h>

#include <doctest/doctest.h>

using namespace satchel;
using namespace satchel::auth;

TEST_CASE("system_passwd_lookup finds root with uid 0 and its home") {
  auto r = system_passwd_lookup("root");
  REQUIRE(r.ok());
  CHECK(r->name == "root");
  CHECK(r->uid == 0);
  CHECK(r->gid == 0);
  const struct passwd* pw = ::getpwnam("root");
  REQUIRE(pw != nullptr);
  CHECK(r->home == pw->pw_dir);
}

TEST_CASE("system_passwd_lookup agrees with getpwnam for nobody") {
  const struct passwd* pw = ::getpwnam("nobody");
  REQUIRE(pw != nullptr);
  uid_t uid = pw->pw_uid;
  gid_t gid = pw->pw_gid;
  auto r = system_passwd_lookup("nobody");
  REQUIRE(r.ok());
  CHECK(r->uid == uid);
  CHECK(r->gid == gid);
}

TEST_CASE("system_passwd_lookup: unknown and invalid names are Permanent NONEXISTENT") {
  for (std::string_view name : {std::string_view("no-such-user-satchel-x"), std::string_view(""),
                                std::string_view("a\0b", 3)}) {
    auto r = system_passwd_lookup(name);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Permanent);
    CHECK(r.error().code == "NONEXISTENT");
  }
}
