#include "server/auth/backends.h"

#include <algorithm>

#include <doctest/doctest.h>

#include "auth/sqlite/sqlite_userdb.h"
#include "tests/unit/auth/sasl/sasl_test_support.h"
#include "tests/unit/auth/sqlite/temp_dir.h"

using namespace satchel;
using namespace satchel::server;
using satchel::testing::TempDir;

namespace {

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

struct Fixture {
  TempDir dir;
  config::Settings s;

  Fixture() {
    s.userdb = dir.file("users.db");
    s.mail_root = "/srv/mail";
    s.mail_location = "maildir:%h/Maildir";
    auth::SqliteUserDb::Defaults defaults;
    defaults.mail_root = s.mail_root;  // Homes are stored when a user is added.
    auto db = auth::SqliteUserDb::open(s.userdb, defaults, /*create=*/true);
    REQUIRE(db);
    REQUIRE((*db)->add_user("dora", SecureString("dora pw")));
  }
};

auth::SaslContext tls_context() {
  auth::SaslContext c;
  c.tls_active = true;
  return c;
}

}  // namespace

TEST_CASE("build_auth_backends: sqlite alone gives the userdb, PLAIN/LOGIN and the delays") {
  Fixture f;
  f.s.auth_backends = {"sqlite"};
  f.s.auth_failure_delay_ms = 300;
  f.s.auth_failure_delay_max_ms = 1000;
  auto b = build_auth_backends(f.s);
  REQUIRE_MESSAGE(b, b.error().message);
  auto ok = b->authenticator->verify_password("dora", SecureString("dora pw"));
  REQUIRE(ok);
  CHECK(ok->home == "/srv/mail/dora");
  auto wrong = b->authenticator->verify_password("dora", SecureString("nope"));
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == "AUTHENTICATIONFAILED");
  auto mechs = b->sasl->mechanisms(tls_context());
  CHECK(contains(mechs, "PLAIN"));
  CHECK(contains(mechs, "LOGIN"));
  CHECK(b->sasl->mechanisms(auth::SaslContext{}).empty());
  CHECK(b->policy->failed("dora", "192.0.2.1") == std::chrono::milliseconds(300));
  CHECK(b->policy->failed("dora", "192.0.2.1") == std::chrono::milliseconds(600));
}

TEST_CASE("build_auth_backends: trusted networks get no delay; a bad prefix is an error") {
  Fixture f;
  f.s.auth_trusted_networks = {"10.0.0.0/8"};
  auto b = build_auth_backends(f.s);
  REQUIRE(b);
  CHECK(b->policy->failed("dora", "10.1.2.3") == std::chrono::milliseconds(0));
  f.s.auth_trusted_networks = {"10.0.0.0/99"};
  auto bad = build_auth_backends(f.s);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("10.0.0.0/99") != std::string::npos);
}

TEST_CASE("build_auth_backends: a missing userdb, an unknown backend or none are errors") {
  Fixture f;
  f.s.userdb = f.dir.file("absent.db");
  auto missing = build_auth_backends(f.s);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("absent.db") != std::string::npos);

  Fixture g;
  g.s.auth_backends = {"sqlite", "ldap"};
  auto unknown = build_auth_backends(g.s);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message.find("ldap") != std::string::npos);

  g.s.auth_backends = {};
  CHECK_FALSE(build_auth_backends(g.s));
}

TEST_CASE("auth_needs_root: only with pam") {
  config::Settings s;
  s.auth_backends = {"sqlite", "sasl"};
  CHECK_FALSE(auth_needs_root(s));
  s.auth_backends = {"sqlite", "pam"};
  CHECK(auth_needs_root(s));
}

TEST_CASE("build_auth_backends: pam is a chain member and answers without touching accounts") {
  Fixture f;
  f.s.auth_backends = {"sqlite", "pam"};
  f.s.pam_service = "satchel-unit-test-no-such-service";
  auto b = build_auth_backends(f.s);
  REQUIRE(b);
  // The sqlite user still logs in first; an unknown user is refused or unavailable, never a
  // success.
  CHECK(b->authenticator->verify_password("dora", SecureString("dora pw")));
  CHECK_FALSE(b->authenticator->verify_password("nobody-here", SecureString("x")));
}

TEST_CASE("build_auth_backends: sasl gives Cyrus mechanisms and sasldb users for LOGIN") {
  using namespace satchel::testing;
  Fixture f;
  std::string sasldb = f.dir.file("sasldb2");
  saslpasswd(sasldb, "erin", "Erin pw");
  f.s.auth_backends = {"sqlite", "sasl"};
  f.s.sasldb_path = sasldb;
  f.s.sasl_realm = kRealm;
  f.s.hostname = kHost;
  auto b = build_auth_backends(f.s);
  REQUIRE_MESSAGE(b, b.error().message);

  // LOGIN / USER+PASS: the sqlite user through sqlite, the sasldb-only user through SASL.
  auto dora = b->authenticator->verify_password("dora", SecureString("dora pw"));
  REQUIRE(dora);
  auto erin = b->authenticator->verify_password("erin", SecureString("Erin pw"));
  REQUIRE_MESSAGE(erin, erin.error().message);
  CHECK(erin->name == "erin");
  CHECK(erin->home == "/srv/mail/erin");
  auto wrong = b->authenticator->verify_password("erin", SecureString("erin pw"));
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == "AUTHENTICATIONFAILED");
  CHECK(b->authenticator->lookup("erin"));
  CHECK_FALSE(b->authenticator->lookup("frank"));

  // AUTHENTICATE: Cyrus mechanisms; PLAIN verifies the sqlite user through the other backends.
  auto mechs = b->sasl->mechanisms(tls_context());
  CHECK(contains(mechs, "PLAIN"));
  auto ex = b->sasl->new_exchange(tls_context());
  REQUIRE(ex);
  auto step = (*ex)->start("PLAIN", SecureString(std::string("\0dora\0dora pw", 13)));
  auto* done = std::get_if<auth::SaslDone>(&step);
  REQUIRE(done != nullptr);
  CHECK(done->user.name == "dora");
}
