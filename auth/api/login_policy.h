// LoginPolicy: how long the answer to a failed login is held (DESIGN.md, Authentication). The
// delay grows with the failures of one user name from one remote address, so a brute-force
// run slows down while other users behind the same address (Outlook's cloud service logs many
// users in from a few Microsoft addresses) are not locked out. Trusted networks get none.
//
// Thread-safe. May block briefly (in the split process model it asks the auth process): call
// it where Authenticator::verify_password may be called.
#pragma once

#include <chrono>
#include <string_view>

namespace satchel::auth {

class LoginPolicy {
 public:
  virtual ~LoginPolicy() = default;

  // A failed login of `user` from `remote_ip`: records it and returns how long to hold the
  // answer (0 for a trusted network).
  virtual std::chrono::milliseconds failed(std::string_view user, std::string_view remote_ip) = 0;

  // A successful login: forgets the failures of that user from that address.
  virtual void succeeded(std::string_view user, std::string_view remote_ip) = 0;
};

}  // namespace satchel::auth
