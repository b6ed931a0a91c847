// FakeAuthenticator: an in-memory user table for protocol unit tests.
#pragma once

#include <map>
#include <string>

#include "auth/api/authenticator.h"

namespace satchel::testing {

class FakeAuthenticator : public auth::Authenticator {
 public:
  void add(const std::string& name, const std::string& password) { users_[name] = password; }

  Result<auth::UserRecord> verify_password(std::string_view user,
                                           const SecureString& password) override {
    auto it = users_.find(std::string(user));
    if (it == users_.end() || it->second != password.view())
      return Error::permanent("AUTHENTICATIONFAILED", "bad user or password");
    return record(it->first);
  }

  Result<auth::UserRecord> lookup(std::string_view user) override {
    auto it = users_.find(std::string(user));
    if (it == users_.end()) return Error::permanent("NONEXISTENT", "no such user");
    return record(it->first);
  }

 private:
  static auth::UserRecord record(const std::string& name) {
    auth::UserRecord r;
    r.name = name;
    r.home = "/nonexistent/" + name;
    r.mail_location = "memory:" + name;
    return r;
  }

  std::map<std::string, std::string> users_;
};

}  // namespace satchel::testing
