// What the IMAP and POP3 session targets share: the logins they accept (a user and an admin,
// through the PLAIN/LOGIN mechanisms the server uses without Cyrus SASL), a silenced log, and
// the reading of a fuzz input into (piece size, poll, bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "auth/plain/password_mechanisms.h"
#include "base/log.h"
#include "protocol/session.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/support/fake_authenticator.h"

namespace satchel::fuzz {

// `user` (password "secret") and "admin" (password "adminpw", allowed an authzid), checked
// by a FakeAuthenticator through make_password_mechanisms.
struct Logins {
  explicit Logins(const std::string& user) {
    users.add(user, "secret");
    users.add("admin", "adminpw");
    // The shared_ptr the mechanisms hold must not delete the member.
    sasl = auth::make_password_mechanisms(
        std::shared_ptr<auth::Authenticator>(&users, [](auth::Authenticator*) {}), {"admin"});
  }
  void into(protocol::Services& services) {
    services.authenticator = &users;
    services.sasl = sasl.get();
  }

  testing::FakeAuthenticator users;
  std::unique_ptr<auth::SaslMechanisms> sasl;
};

// Login and logout lines would flood the fuzzer's output and slow it down.
inline void silence_log() {
  log::set_sink([](log::Level, std::string_view) {});
}

// The first octet: bits 0-6 choose the piece size (0: one octet), bit 7 turns poll() on.
// Without poll(), the transcript must not depend on how the input was cut into pieces.
// `check` looks at each transcript.
inline int run_session_input(
    const std::uint8_t* data, std::size_t size,
    const std::function<std::string(std::string_view, std::size_t, bool)>& run,
    const std::function<void(const std::string&)>& check = {}) {
  if (size == 0) return 0;
  std::size_t piece = (data[0] & 0x7f) == 0 ? 1 : (data[0] & 0x7f);
  bool poll = (data[0] & 0x80) != 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string pieces = run(input, piece, poll);
  if (check) check(pieces);
  if (!poll) expect_same(pieces, run(input, input.size() + 1, false));
  return 0;
}

}  // namespace satchel::fuzz
