// libFuzzer target for a whole POP3 session (RFC 1939, RFC 2449, RFC 5034) over the test
// MemoryStore: the input is a client conversation fed in pieces like the server does; the
// first input octet chooses the piece size and whether poll() runs; without poll() the
// transcript must be the same as for the whole input at once. Built when SATCHEL_FUZZ is on
// (clang).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "auth/plain/password_mechanisms.h"
#include "base/log.h"
#include "protocol/pop3/make_session.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/support/fake_authenticator.h"
#include "tests/support/memory_store.h"

namespace {

std::string run(std::string_view input, std::size_t piece, bool poll) {
  satchel::testing::MemoryStoreFactory stores;
  // Owned here; the shared_ptr the mechanisms hold must not delete it.
  satchel::testing::FakeAuthenticator auth;
  auth.add("alice", "secret");
  auth.add("admin", "adminpw");
  auto sasl = satchel::auth::make_password_mechanisms(
      std::shared_ptr<satchel::auth::Authenticator>(&auth, [](satchel::auth::Authenticator*) {}),
      {"admin"});
  {
    satchel::testing::MemoryStore store(stores.user("alice"));
    store.deliver("INBOX", "Subject: one\r\n\r\nfirst\r\n.dot line\r\n");
    store.deliver("INBOX", "Subject: two\r\n\r\nsecond\r\n", 1);
    store.deliver("INBOX", "Subject: three");
  }
  satchel::protocol::ConnectionInfo conn;
  conn.remote_ip = "127.0.0.1";
  conn.plaintext_auth_allowed = true;
  conn.starttls_offered = true;
  satchel::protocol::Limits limits;
  limits.max_line = 1024;
  satchel::protocol::Services services;
  services.authenticator = &auth;
  services.sasl = sasl.get();
  services.stores = &stores;
  auto session = satchel::pop3::make_pop3_session(conn, limits, services);
  return satchel::fuzz::drive(*session, input, piece, poll);
}

}  // namespace

// Login and logout lines would flood the fuzzer's output and slow it down.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  satchel::log::set_sink([](satchel::log::Level, std::string_view) {});
  return 0;
}

// The first octet: bits 0-6 choose the piece size (0: one octet), bit 7 turns poll() on.
// Without poll(), the transcript must not depend on how the input was cut into pieces.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t piece = (data[0] & 0x7f) == 0 ? 1 : (data[0] & 0x7f);
  bool poll = (data[0] & 0x80) != 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string pieces = run(input, piece, poll);
  if (!poll) satchel::fuzz::expect_same(pieces, run(input, input.size() + 1, false));
  return 0;
}
