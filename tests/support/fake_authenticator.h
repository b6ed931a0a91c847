// FakeAuthenticator: an in-memory user table for protocol and auth unit tests.
#pragma once

#include <map>
#include <string>

#include "auth/api/authenticator.h"

namespace satchel::testing {

class FakeAuthenticator : public auth::Authenticator {
 public:
  void add(const std::string& name, const std::string& password, unsigned uid = 0,
           unsigned gid = 0) {
    users_[name] = User{password, uid, gid};
  }

  // verify_password() records carry this login_ticket (as the auth process client sets one).
  void set_ticket(std::string ticket) { ticket_ = std::move(ticket); }
  // Every call answers Temporary UNAVAILABLE (the backend is down).
  void set_unavailable(bool unavailable) { unavailable_ = unavailable; }

  int verify_calls() const { return verify_calls_; }

  Result<auth::UserRecord> verify_password(std::string_view user,
                                           const SecureString& password) override {
    ++verify_calls_;
    if (unavailable_) return Error::temporary("UNAVAILABLE", "backend down");
    auto it = users_.find(std::string(user));
    if (it == users_.end() || it->second.password != password.view())
      return Error::permanent("AUTHENTICATIONFAILED", "bad user or password");
    auth::UserRecord r = record(it->first, it->second);
    r.login_ticket = ticket_;
    return r;
  }

  Result<auth::UserRecord> lookup(std::string_view user) override {
    if (unavailable_) return Error::temporary("UNAVAILABLE", "backend down");
    auto it = users_.find(std::string(user));
    if (it == users_.end()) return Error::permanent("NONEXISTENT", "no such user");
    return record(it->first, it->second);
  }

 private:
  struct User {
    std::string password;
    unsigned uid = 0;
    unsigned gid = 0;
  };

  static auth::UserRecord record(const std::string& name, const User& u) {
    auth::UserRecord r;
    r.name = name;
    r.uid = u.uid;
    r.gid = u.gid;
    r.home = "/nonexistent/" + name;
    r.mail_location = "memory:" + name;
    return r;
  }

  std::map<std::string, User> users_;
  std::string ticket_;
  bool unavailable_ = false;
  int verify_calls_ = 0;
};

}  // namespace satchel::testing
