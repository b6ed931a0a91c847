// FakeSasl: an auth::SaslMechanisms for protocol tests, with a mechanism of several round
// trips and server data on success, as SCRAM has (RFC 4422 §3.6: sent as one more challenge).
//
// X-TEST: the server asks "who?"; the client answers a user name; the server sends "v=ok" and
// the client answers empty; the user is then looked up. A name of "fail" fails with
// AUTHENTICATIONFAILED, "down" with UNAVAILABLE, "other" with AUTHORIZATIONFAILED.
#pragma once

#include <string>
#include <vector>

#include "auth/api/login_policy.h"
#include "auth/api/sasl_exchange.h"

namespace satchel::testing {

class FakeSasl : public auth::SaslMechanisms {
 public:
  explicit FakeSasl(auth::Authenticator& users) : users_(users) {}

  int exchanges_alive() const { return alive_; }
  const auth::SaslContext& last_context() const { return last_ctx_; }

  std::vector<std::string> mechanisms(const auth::SaslContext& ctx) const override {
    if (ctx.tls_active || ctx.plaintext_allowed) return {"X-TEST", "X-EMPTY"};
    return {"X-TEST"};
  }

  Result<std::unique_ptr<auth::SaslExchange>> new_exchange(const auth::SaslContext& ctx) override {
    last_ctx_ = ctx;
    return std::unique_ptr<auth::SaslExchange>(std::make_unique<Exchange>(*this));
  }

 private:
  class Exchange : public auth::SaslExchange {
   public:
    explicit Exchange(FakeSasl& owner) : owner_(owner) { ++owner_.alive_; }
    ~Exchange() override { --owner_.alive_; }

    auth::SaslStep start(std::string_view mechanism,
                         const std::optional<SecureString>& initial) override {
      mech_ = std::string(mechanism);
      if (mech_ == "X-EMPTY") {
        // Expects an empty initial response ("=") and logs in "demo".
        if (!initial || !initial->empty()) return fail("AUTHENTICATIONFAILED", "");
        return done("demo");
      }
      if (mech_ != "X-TEST") return auth::SaslFailed{Error::permanent("", "not offered"), ""};
      if (initial) return got_name(*initial);
      step_ = 1;
      return auth::SaslContinue{SecureString("who?")};
    }

    auth::SaslStep step(const SecureString& response) override {
      if (step_ == 1) return got_name(response);
      if (step_ == 2) {
        step_ = 0;
        if (!response.empty()) return fail("AUTHENTICATIONFAILED", name_);
        return done(name_);
      }
      return auth::SaslFailed{Error::internal("no challenge pending"), ""};
    }

   private:
    auth::SaslStep got_name(const SecureString& name) {
      name_ = std::string(name.view());
      if (name_ == "fail") return fail("AUTHENTICATIONFAILED", name_);
      if (name_ == "down")
        return auth::SaslFailed{Error::temporary("UNAVAILABLE", "backend down"), name_};
      if (name_ == "other") return fail("AUTHORIZATIONFAILED", name_);
      step_ = 2;
      return auth::SaslContinue{SecureString("v=ok")};
    }
    auth::SaslStep done(const std::string& name) {
      auto r = owner_.users_.lookup(name);
      if (!r) return fail("AUTHENTICATIONFAILED", name);
      r->login_ticket = "ticket-of-" + name;
      return auth::SaslDone{std::move(r).value(), name};
    }
    static auth::SaslStep fail(const char* code, std::string authcid) {
      return auth::SaslFailed{Error::permanent(code, "refused"), std::move(authcid)};
    }

    FakeSasl& owner_;
    std::string mech_;
    std::string name_;
    int step_ = 0;
  };

  auth::Authenticator& users_;
  auth::SaslContext last_ctx_;
  int alive_ = 0;
};

// A LoginPolicy that records calls and answers a fixed delay.
class RecordingPolicy : public auth::LoginPolicy {
 public:
  std::vector<std::string> failures, successes;  // "user@ip"
  std::chrono::milliseconds failed(std::string_view user, std::string_view ip) override {
    failures.push_back(std::string(user) + "@" + std::string(ip));
    return std::chrono::milliseconds(1234);
  }
  void succeeded(std::string_view user, std::string_view ip) override {
    successes.push_back(std::string(user) + "@" + std::string(ip));
  }
};

}  // namespace satchel::testing
