// libFuzzer target for a whole POP3 session (RFC 1939, RFC 2449, RFC 5034) over the test
// MemoryStore: the input is a client conversation fed in pieces like the server does; the
// first input octet chooses the piece size. Built when SATCHEL_FUZZ is on (clang).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/pop3/make_session.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/support/fake_authenticator.h"
#include "tests/support/memory_store.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t piece = data[0] == 0 ? size : data[0];
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  satchel::testing::MemoryStoreFactory stores;
  satchel::testing::FakeAuthenticator auth;
  auth.add("alice", "secret");
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
  services.stores = &stores;
  auto session = satchel::pop3::make_pop3_session(conn, limits, services);
  satchel::fuzz::drive(*session, input, piece);
  return 0;
}
