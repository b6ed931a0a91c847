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

#include "protocol/pop3/make_session.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/session_fuzz.h"
#include "tests/support/memory_store.h"

namespace {

std::string run(std::string_view input, std::size_t piece, bool poll) {
  satchel::testing::MemoryStoreFactory stores;
  satchel::fuzz::Logins logins("alice");
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
  logins.into(services);
  services.stores = &stores;
  auto session = satchel::pop3::make_pop3_session(conn, limits, services);
  return satchel::fuzz::drive(*session, input, piece, poll);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  satchel::fuzz::silence_log();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return satchel::fuzz::run_session_input(data, size, run);
}
