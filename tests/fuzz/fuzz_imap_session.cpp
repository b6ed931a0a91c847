// libFuzzer target for a whole imap::Session (sans-I/O) over the test MemoryStore: the input
// is a client conversation, fed in pieces like the server does. A mailbox with a few messages
// is there to select, fetch, search, store, copy and expunge. The first input octet chooses
// the piece size. Built when SATCHEL_FUZZ is on (clang).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "auth/plain/password_mechanisms.h"
#include "base/log.h"
#include "protocol/imap/session.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/support/fake_authenticator.h"
#include "tests/support/memory_store.h"

namespace {

constexpr std::string_view kMessages[] = {
    "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nFrom: Fred <fred@example.org>\r\n"
    "To: joe@example.org\r\nSubject: hello\r\nMessage-ID: <1@x>\r\n\r\nHello Joe.\r\n",
    "From: =?ISO-8859-1?Q?Andr=E9?= <a@example.org>\r\nSubject: =?utf-8?B?w6l0w6k=?=\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; "
    "charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nFran=E7ais\r\n"
    "--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n--b--\r\n",
    "Subject: no body",
};

std::string run(std::string_view input, std::size_t piece, bool poll) {
  satchel::testing::MemoryStoreFactory stores;
  // Owned here; the shared_ptr the mechanisms hold must not delete it.
  satchel::testing::FakeAuthenticator auth;
  auth.add("demo", "secret");
  auth.add("admin", "adminpw");
  auto sasl = satchel::auth::make_password_mechanisms(
      std::shared_ptr<satchel::auth::Authenticator>(&auth, [](satchel::auth::Authenticator*) {}),
      {"admin"});
  {
    satchel::testing::MemoryStore store(stores.user("demo"));
    for (std::string_view text : kMessages) store.deliver("INBOX", text);
    (void)store.create("Archive");
    store.deliver("Archive", kMessages[0], 1);
  }
  satchel::protocol::ConnectionInfo conn;
  conn.remote_ip = "127.0.0.1";
  conn.plaintext_auth_allowed = true;
  conn.starttls_offered = true;
  satchel::protocol::Limits limits;
  limits.max_line = 4096;  // Small limits so that the fuzzer reaches them.
  limits.max_command = 16384;
  limits.max_literal_prelogin = 1024;
  limits.max_message = 8192;
  limits.max_nesting = 8;
  limits.max_arguments = 128;
  satchel::protocol::Services services;
  services.authenticator = &auth;
  services.sasl = sasl.get();
  services.stores = &stores;
  satchel::imap::Session session(conn, limits, services);
  session.set_clock([] { return satchel::imap::DateTime{1700000000, 60}; });
  return satchel::fuzz::drive(session, input, piece, poll);
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
  satchel::fuzz::expect_imap_responses(pieces);
  if (!poll) satchel::fuzz::expect_same(pieces, run(input, input.size() + 1, false));
  return 0;
}
