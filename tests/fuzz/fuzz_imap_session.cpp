// libFuzzer target for a whole imap::Session (sans-I/O) over the test MemoryStore: the input
// is a client conversation, fed in pieces like the server does. A mailbox with a few messages
// is there to select, fetch, search, store, copy and expunge. The first input octet chooses
// the piece size. Built when SATCHEL_FUZZ is on (clang).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "protocol/imap/session.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/session_fuzz.h"
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
  satchel::fuzz::Logins logins("demo");
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
  logins.into(services);
  services.stores = &stores;
  satchel::imap::Session session(conn, limits, services);
  session.set_clock([] { return satchel::imap::DateTime{1700000000, 60}; });
  return satchel::fuzz::drive(session, input, piece, poll);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  satchel::fuzz::silence_log();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return satchel::fuzz::run_session_input(data, size, run, satchel::fuzz::expect_imap_responses);
}
