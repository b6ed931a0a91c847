// Fakes for the auth process tests: a thread-safe password table, a SASL "mechanism" with two
// round trips, and a LoginPolicy that records its calls.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "auth/api/authenticator.h"
#include "auth/api/login_policy.h"
#include "auth/api/sasl_exchange.h"
#include "server/auth/backends.h"

namespace satchel::testing {

class SafeAuthenticator : public auth::Authenticator {
 public:
  void add(const std::string& name, const std::string& password, unsigned uid = 0) {
    std::lock_guard lock(mu_);
    users_[name] = {password, uid};
  }
  Result<auth::UserRecord> verify_password(std::string_view user,
                                           const SecureString& password) override {
    std::lock_guard lock(mu_);
    auto it = users_.find(std::string(user));
    if (it == users_.end() || it->second.first != password.view())
      return Error::permanent("AUTHENTICATIONFAILED", "bad user or password");
    return record(it->first, it->second.second);
  }
  Result<auth::UserRecord> lookup(std::string_view user) override {
    std::lock_guard lock(mu_);
    auto it = users_.find(std::string(user));
    if (it == users_.end()) return Error::permanent("NONEXISTENT", "no such user");
    return record(it->first, it->second.second);
  }

 private:
  static auth::UserRecord record(const std::string& name, unsigned uid) {
    auth::UserRecord r;
    r.name = name;
    r.uid = uid;
    r.gid = uid;
    r.home = "/home/" + name;
    r.mail_location = "maildir:~/Maildir";
    return r;
  }
  std::mutex mu_;
  std::map<std::string, std::pair<std::string, unsigned>> users_;
};

// "TWOSTEP": the server sends "who?", the client answers a user name, the server sends
// "secret?", the client answers the password of that user in `auth`.
class TwoStepExchange : public auth::SaslExchange {
 public:
  TwoStepExchange(std::shared_ptr<auth::Authenticator> auth, std::atomic<int>& live)
      : auth_(std::move(auth)), live_(live) {
    ++live_;
  }
  ~TwoStepExchange() override { --live_; }

  auth::SaslStep start(std::string_view mechanism, const std::optional<SecureString>& ir) override {
    if (mechanism != "TWOSTEP") return auth::SaslFailed{Error::permanent("", "not offered"), ""};
    if (ir) return step(*ir);
    return auth::SaslContinue{SecureString("who?")};
  }
  auth::SaslStep step(const SecureString& response) override {
    if (user_.empty()) {
      user_ = std::string(response.view());
      return auth::SaslContinue{SecureString("secret?")};
    }
    auto r = auth_->verify_password(user_, response);
    if (!r.ok()) return auth::SaslFailed{r.error(), user_};
    return auth::SaslDone{r.value(), user_};
  }

 private:
  std::shared_ptr<auth::Authenticator> auth_;
  std::atomic<int>& live_;
  std::string user_;
};

class TwoStepMechanisms : public auth::SaslMechanisms {
 public:
  explicit TwoStepMechanisms(std::shared_ptr<auth::Authenticator> auth) : auth_(std::move(auth)) {}
  std::vector<std::string> mechanisms(const auth::SaslContext& ctx) const override {
    ++mechanism_calls;
    if (ctx.service == "pop") return {"TWOSTEP", "POPONLY"};
    return {"TWOSTEP"};
  }
  Result<std::unique_ptr<auth::SaslExchange>> new_exchange(const auth::SaslContext&) override {
    return std::unique_ptr<auth::SaslExchange>(new TwoStepExchange(auth_, live));
  }
  mutable std::atomic<int> mechanism_calls{0};
  std::atomic<int> live{0};  // Exchanges alive right now.

 private:
  std::shared_ptr<auth::Authenticator> auth_;
};

class RecordingPolicy : public auth::LoginPolicy {
 public:
  std::chrono::milliseconds failed(std::string_view user, std::string_view ip) override {
    std::lock_guard lock(mu_);
    log.push_back("failed " + std::string(user) + " " + std::string(ip));
    return std::chrono::milliseconds(1500);
  }
  void succeeded(std::string_view user, std::string_view ip) override {
    std::lock_guard lock(mu_);
    log.push_back("succeeded " + std::string(user) + " " + std::string(ip));
  }
  std::vector<std::string> log;

 private:
  std::mutex mu_;
};

// Backends over the fakes, with raw pointers kept for inspection (owned by the AuthBackends).
struct FakeBackends {
  std::shared_ptr<SafeAuthenticator> users = std::make_shared<SafeAuthenticator>();
  TwoStepMechanisms* sasl = nullptr;
  RecordingPolicy* policy = nullptr;

  server::AuthBackends make() {
    users->add("alice", "alice pw", 1001);
    server::AuthBackends b;
    b.authenticator = users;
    auto mechs = std::make_unique<TwoStepMechanisms>(users);
    sasl = mechs.get();
    b.sasl = std::move(mechs);
    auto pol = std::make_unique<RecordingPolicy>();
    policy = pol.get();
    b.policy = std::move(pol);
    return b;
  }
};

}  // namespace satchel::testing
