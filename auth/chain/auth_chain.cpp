#include "auth/chain/auth_chain.h"

#include <optional>
#include <utility>

namespace satchel::auth {

namespace {

bool is_definite_no(const Error& e) {
  return e.kind == ErrorKind::Permanent;
}

}  // namespace

AuthChain::AuthChain(std::vector<Backend> backends) : backends_(std::move(backends)) {
  for (const auto& b : backends_) SATCHEL_ASSERT(b.authenticator != nullptr);
}

Result<UserRecord> AuthChain::verify_password(std::string_view user, const SecureString& password) {
  std::optional<Error> unavailable;
  std::string reason = "authentication failed";
  for (const auto& b : backends_) {
    auto r = b.authenticator->verify_password(user, password);
    if (r.ok()) return r;
    const Error& e = r.error();
    if (!is_definite_no(e)) {
      if (!unavailable) {
        unavailable = e;
        unavailable->message = b.name + ": " + e.message;
      }
      continue;
    }
    // A backend that refused for a specific reason (an expired account) says more than one
    // that merely did not recognise the password: keep that reason for the log line.
    if (e.message != "authentication failed" && !e.message.empty())
      reason = b.name + ": " + e.message;
  }
  if (unavailable) return *unavailable;
  return Error::permanent("AUTHENTICATIONFAILED", reason);
}

Result<UserRecord> AuthChain::lookup(std::string_view user) {
  std::optional<Error> unavailable;
  for (const auto& b : backends_) {
    auto r = b.authenticator->lookup(user);
    if (r.ok()) return r;
    if (!is_definite_no(r.error()) && !unavailable) {
      unavailable = r.error();
      unavailable->message = b.name + ": " + r.error().message;
    }
  }
  if (unavailable) return *unavailable;
  return Error::permanent("NONEXISTENT", "user '" + std::string(user) + "' does not exist");
}

}  // namespace satchel::auth
