#include "ipc/handoff.h"

#include <doctest/doctest.h>

using namespace satchel;
using namespace satchel::ipc;

namespace {

ControlMessage sample_handoff() {
  ControlMessage m;
  m.kind = ControlKind::Handoff;
  HandoffMessage& h = m.handoff;
  h.pop3 = true;
  h.conn.remote_ip = "2001:db8::7";
  h.conn.remote_port = 50123;
  h.conn.local_ip = "192.0.2.1";
  h.conn.local_port = 995;
  h.conn.tls_active = true;
  h.conn.starttls_offered = false;
  h.conn.plaintext_auth_allowed = true;
  h.conn.listener_name = "pop3s";
  h.login.user = "alice";
  h.login.mech = "SCRAM-SHA-256";
  h.login.imap_tag = "a001";
  h.login.ticket = "00112233445566778899aabbccddeeff";
  h.login.uid = 1001;
  h.login.gid = 4294967295u;
  h.pending_input = std::string("STAT\r\nLIST\r\n\0\xff", 14);
  return m;
}

void check_equal(const ControlMessage& a, const ControlMessage& b) {
  CHECK(a.kind == b.kind);
  const HandoffMessage& x = a.handoff;
  const HandoffMessage& y = b.handoff;
  CHECK(x.pop3 == y.pop3);
  CHECK(x.conn.remote_ip == y.conn.remote_ip);
  CHECK(x.conn.remote_port == y.conn.remote_port);
  CHECK(x.conn.local_ip == y.conn.local_ip);
  CHECK(x.conn.local_port == y.conn.local_port);
  CHECK(x.conn.tls_active == y.conn.tls_active);
  CHECK(x.conn.starttls_offered == y.conn.starttls_offered);
  CHECK(x.conn.plaintext_auth_allowed == y.conn.plaintext_auth_allowed);
  CHECK(x.conn.listener_name == y.conn.listener_name);
  CHECK(x.login.user == y.login.user);
  CHECK(x.login.mech == y.login.mech);
  CHECK(x.login.imap_tag == y.login.imap_tag);
  CHECK(x.login.ticket == y.login.ticket);
  CHECK(x.login.uid == y.login.uid);
  CHECK(x.login.gid == y.login.gid);
  CHECK(x.pending_input == y.pending_input);
}

}  // namespace

TEST_CASE("handoff: a Handoff round-trips with every field") {
  ControlMessage m = sample_handoff();
  REQUIRE(fits(m));
  auto back = decode_control(encode(m));
  REQUIRE(back);
  check_equal(*back, m);
}

TEST_CASE("handoff: Idle and Retire are two bytes and round-trip") {
  for (ControlKind k : {ControlKind::Idle, ControlKind::Retire}) {
    ControlMessage m;
    m.kind = k;
    m.handoff.login.user = "ignored";  // Not encoded for these kinds.
    std::string bytes = encode(m);
    CHECK(bytes.size() == 2);
    auto back = decode_control(bytes);
    REQUIRE(back);
    CHECK(back->kind == k);
    CHECK(back->handoff.login.user.empty());
  }
}

TEST_CASE("handoff: 1 MiB of pending input fits, one more octet does not") {
  ControlMessage m = sample_handoff();
  m.handoff.pending_input.assign(kMaxPendingInput, 'x');
  REQUIRE(fits(m));
  std::string bytes = encode(m);
  CHECK(bytes.size() <= kMaxControlMessage);
  auto back = decode_control(bytes);
  REQUIRE(back);
  CHECK(back->handoff.pending_input.size() == kMaxPendingInput);
  m.handoff.pending_input.push_back('y');
  CHECK_FALSE(fits(m));
}

TEST_CASE("handoff: fits() refuses long strings and bad ports") {
  ControlMessage m = sample_handoff();
  m.handoff.login.imap_tag.assign(kMaxControlString + 1, 't');
  CHECK_FALSE(fits(m));
  m = sample_handoff();
  m.handoff.conn.remote_port = 65536;
  CHECK_FALSE(fits(m));
  m = sample_handoff();
  m.handoff.conn.local_port = -1;
  CHECK_FALSE(fits(m));
}

TEST_CASE("handoff: every truncation of a valid message is refused") {
  std::string bytes = encode(sample_handoff());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto r = decode_control(std::string_view(bytes).substr(0, n));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::ProtocolViolation);
  }
}

TEST_CASE("handoff: garbage is refused") {
  std::string good = encode(sample_handoff());
  SUBCASE("trailing byte") {
    CHECK_FALSE(decode_control(good + "x"));
  }
  SUBCASE("wrong version") {
    std::string bad = good;
    bad[0] = 2;
    auto r = decode_control(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("version") != std::string::npos);
  }
  SUBCASE("unknown kinds") {
    for (int k : {0, 4, 255}) {
      std::string bad = good;
      bad[1] = static_cast<char>(k);
      CHECK_FALSE(decode_control(bad));
    }
  }
  SUBCASE("a bad boolean") {
    std::string bad = good;
    bad[2] = 7;  // pop3
    CHECK_FALSE(decode_control(bad));
  }
  SUBCASE("a port out of range") {
    // version, kind, pop3, u32 len + "2001:db8::7" (11), then the remote port.
    std::string bad = good;
    std::size_t port_at = 3 + 4 + 11;
    bad[port_at + 2] = 1;  // 65536 + ...
    auto r = decode_control(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("port") != std::string::npos);
  }
  SUBCASE("a string longer than its limit") {
    std::string bad = good;
    bad[3] = 0;
    bad[4] = 0;
    bad[5] = 0x10;  // remote_ip length 1 MiB > 64 KiB.
    CHECK_FALSE(decode_control(bad));
  }
  SUBCASE("Idle with a payload") {
    ControlMessage idle;
    idle.kind = ControlKind::Idle;
    CHECK_FALSE(decode_control(encode(idle) + std::string(1, '\0')));
  }
  SUBCASE("empty input") {
    CHECK_FALSE(decode_control(""));
  }
}
