#include "auth/chain/auth_chain.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

using namespace satchel;
using namespace satchel::auth;

namespace {

// A scripted backend: a table of users, or one fixed error for every call, and a call counter.
class ScriptedBackend : public Authenticator {
 public:
  explicit ScriptedBackend(std::string home) : home_(std::move(home)) {}

  std::map<std::string, std::string> users;
  std::optional<Error> fail_with;  // When set, every call returns this error.
  std::string refuse_message = "authentication failed";
  int calls = 0;

  Result<UserRecord> verify_password(std::string_view user, const SecureString& password) override {
    ++calls;
    if (fail_with) return *fail_with;
    auto it = users.find(std::string(user));
    if (it == users.end() || it->second != password.view())
      return Error::permanent("AUTHENTICATIONFAILED", refuse_message);
    return record(user);
  }

  Result<UserRecord> lookup(std::string_view user) override {
    ++calls;
    if (fail_with) return *fail_with;
    if (!users.count(std::string(user))) return Error::permanent("NONEXISTENT", "no such user");
    return record(user);
  }

 private:
  UserRecord record(std::string_view user) const {
    UserRecord r;
    r.name = std::string(user);
    r.home = home_;
    return r;
  }
  std::string home_;
};

struct Fixture {
  std::shared_ptr<ScriptedBackend> first = std::make_shared<ScriptedBackend>("/first");
  std::shared_ptr<ScriptedBackend> second = std::make_shared<ScriptedBackend>("/second");
  AuthChain chain{{{"first", first}, {"second", second}}};
};

}  // namespace

TEST_CASE("AuthChain: the first backend that accepts wins and later ones are not asked") {
  Fixture f;
  f.first->users["alice"] = "a";
  f.second->users["alice"] = "other";
  auto r = f.chain.verify_password("alice", SecureString("a"));
  REQUIRE(r.ok());
  CHECK(r->home == "/first");
  CHECK(f.second->calls == 0);
}

TEST_CASE("AuthChain: a user known only to a later backend logs in through it") {
  Fixture f;
  f.second->users["bob"] = "b";
  auto r = f.chain.verify_password("bob", SecureString("b"));
  REQUIRE(r.ok());
  CHECK(r->home == "/second");
  CHECK(f.first->calls == 1);
}

TEST_CASE("AuthChain: a password valid only in an earlier backend is not tried against later") {
  Fixture f;
  f.first->users["carol"] = "one";
  f.second->users["carol"] = "two";
  auto r = f.chain.verify_password("carol", SecureString("two"));
  REQUIRE(r.ok());
  CHECK(r->home == "/second");
}

TEST_CASE("AuthChain: all say no gives Permanent AUTHENTICATIONFAILED") {
  Fixture f;
  f.first->users["dave"] = "x";
  auto r = f.chain.verify_password("dave", SecureString("wrong"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Permanent);
  CHECK(r.error().code == "AUTHENTICATIONFAILED");
  CHECK(f.first->calls == 1);
  CHECK(f.second->calls == 1);
}

TEST_CASE("AuthChain: a specific refusal reason survives for the log, the code stays the same") {
  Fixture f;
  f.first->refuse_message = "account expired";
  auto r = f.chain.verify_password("erin", SecureString("p"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "AUTHENTICATIONFAILED");
  CHECK(r.error().message == "first: account expired");
}

TEST_CASE("AuthChain: a Temporary failure is returned when no backend accepts") {
  Fixture f;
  f.first->fail_with = Error::temporary("UNAVAILABLE", "pam down");
  auto r = f.chain.verify_password("frank", SecureString("p"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Temporary);
  CHECK(r.error().code == "UNAVAILABLE");
  CHECK(r.error().message.find("pam down") != std::string::npos);
  CHECK(f.second->calls == 1);  // The next backend was still asked.
}

TEST_CASE("AuthChain: a Temporary failure does not hide a later success") {
  Fixture f;
  f.first->fail_with = Error::temporary("UNAVAILABLE", "busy");
  f.second->users["gina"] = "g";
  auto r = f.chain.verify_password("gina", SecureString("g"));
  REQUIRE(r.ok());
  CHECK(r->home == "/second");
}

TEST_CASE("AuthChain: lookup follows the same order") {
  Fixture f;
  f.first->users["h"] = "1";
  f.second->users["h"] = "2";
  f.second->users["i"] = "2";
  auto h = f.chain.lookup("h");
  REQUIRE(h.ok());
  CHECK(h->home == "/first");
  auto i = f.chain.lookup("i");
  REQUIRE(i.ok());
  CHECK(i->home == "/second");
  auto none = f.chain.lookup("nobody-here");
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().kind == ErrorKind::Permanent);
  CHECK(none.error().code == "NONEXISTENT");
}

TEST_CASE("AuthChain: lookup returns a remembered Temporary failure when nobody knows the user") {
  Fixture f;
  f.second->fail_with = Error::temporary("UNAVAILABLE", "db locked");
  auto r = f.chain.lookup("j");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Temporary);
  f.first->users["j"] = "x";
  CHECK(f.chain.lookup("j").ok());
}

TEST_CASE("AuthChain: an empty chain refuses everyone") {
  AuthChain chain({});
  auto r = chain.verify_password("k", SecureString("p"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "AUTHENTICATIONFAILED");
}
