#include "auth/sasl/cyrus_sasl.h"

#include <algorithm>
#include <map>

#include <doctest/doctest.h>

#include "../sqlite/temp_dir.h"
#include "sasl_test_support.h"

using namespace satchel;
using namespace satchel::auth;
using namespace satchel::testing;

namespace {

const std::vector<std::string> kExpected = {"PLAIN",      "LOGIN",       "CRAM-MD5",
                                            "DIGEST-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"};

// A Satchel backend that knows one user the sasldb does not.
class OneUser : public Authenticator {
 public:
  Result<UserRecord> verify_password(std::string_view user, const SecureString& pw) override {
    ++calls;
    if (user == "carol" && pw.view() == "c4rol") return rec();
    return Error::permanent("AUTHENTICATIONFAILED", "authentication failed");
  }
  Result<UserRecord> lookup(std::string_view user) override {
    if (user == "carol") return rec();
    return Error::permanent("NONEXISTENT", "no such user");
  }
  int calls = 0;

 private:
  static UserRecord rec() {
    UserRecord r;
    r.name = "carol";
    r.uid = 7000;
    r.home = "/userdb/carol";
    r.mail_location = "maildir:/userdb/carol/Maildir";
    return r;
  }
};

struct Fixture {
  TempDir dir;
  std::string db = dir.file("sasldb2");
  std::shared_ptr<OneUser> userdb = std::make_shared<OneUser>();
  std::unique_ptr<CyrusSasl> sasl;

  explicit Fixture(bool with_userdb = false) {
    saslpasswd(db, "alice", "Alice pw!");
    saslpasswd(db, "admin", "4dmin");
    CyrusSaslOptions o;
    o.sasldb_path = db;
    o.hostname = kHost;
    o.realm = kRealm;
    o.admins = {"admin"};
    o.mail_root = "/srv/mail";
    o.uid = 5000;
    o.gid = 5001;
    if (with_userdb) o.userdb = userdb;
    auto r = CyrusSasl::create(o);
    REQUIRE_MESSAGE(r.ok(), r.error().message);
    sasl = std::move(r.value());
  }

  Outcome login(const std::string& mech, const ClientCreds& creds, bool ir = true,
                bool tls = true) {
    SaslContext ctx;
    ctx.tls_active = tls;
    auto ex = sasl->new_exchange(ctx);
    REQUIRE(ex.ok());
    SaslClient client(creds, ctx.service);
    return run_exchange(**ex, client, mech, ir);
  }

  bool offers(const std::string& mech) const {
    const auto& i = sasl->installed();
    return std::find(i.begin(), i.end(), mech) != i.end();
  }
};

}  // namespace

TEST_CASE("CyrusSasl: the installed plugins offer the mechanisms libsasl2-modules ships") {
  Fixture f;
  for (const auto& m : kExpected) CHECK_MESSAGE(f.offers(m), m << " is not installed");
  SaslContext tls;
  tls.tls_active = true;
  auto offered = f.sasl->mechanisms(tls);
  CHECK(std::find(offered.begin(), offered.end(), "ANONYMOUS") == offered.end());
  CHECK(std::find(offered.begin(), offered.end(), "GSSAPI") == offered.end());  // No keytab.
  auto clear = f.sasl->mechanisms(SaslContext{});
  CHECK(std::find(clear.begin(), clear.end(), "PLAIN") == clear.end());
  CHECK(std::find(clear.begin(), clear.end(), "LOGIN") == clear.end());
  CHECK(clear.size() + 2 == offered.size());
}

TEST_CASE("CyrusSasl: every mechanism logs in from sasldb, with and without an initial response") {
  Fixture f;
  for (const auto& mech : kExpected) {
    if (!f.offers(mech)) continue;
    for (bool ir : {true, false}) {
      CAPTURE(mech);
      CAPTURE(ir);
      auto o = f.login(mech, {"alice", "Alice pw!", ""}, ir);
      REQUIRE_MESSAGE(o.done, o.failure.error.message);
      CHECK(o.success.user.name == "alice");
      CHECK(o.success.authcid == "alice");
      CHECK(o.success.user.uid == 5000);
      CHECK(o.success.user.gid == 5001);
      CHECK(o.success.user.home == "/srv/mail/alice");
      CHECK(o.success.user.mail_location == "maildir:/srv/mail/alice/Maildir");
    }
  }
}

TEST_CASE("CyrusSasl: a wrong password or an unknown user fails with AUTHENTICATIONFAILED") {
  Fixture f;
  for (const auto& mech : kExpected) {
    if (!f.offers(mech)) continue;
    CAPTURE(mech);
    auto wrong = f.login(mech, {"alice", "alice pw!", ""});
    CHECK_FALSE(wrong.done);
    CHECK(wrong.failure.error.code == "AUTHENTICATIONFAILED");
    CHECK(wrong.failure.error.kind == ErrorKind::Permanent);
    auto unknown = f.login(mech, {"mallory", "Alice pw!", ""});
    CHECK_FALSE(unknown.done);
    CHECK(unknown.failure.error.code == "AUTHENTICATIONFAILED");
  }
}

TEST_CASE("CyrusSasl: an authzid is honoured for admins only") {
  Fixture f;
  for (const std::string mech : {"PLAIN", "SCRAM-SHA-256", "DIGEST-MD5"}) {
    if (!f.offers(mech)) continue;
    CAPTURE(mech);
    auto as_bob = f.login(mech, {"admin", "4dmin", "bob"});
    REQUIRE_MESSAGE(as_bob.done, as_bob.failure.error.message);
    CHECK(as_bob.success.user.name == "bob");
    CHECK(as_bob.success.authcid == "admin");
    CHECK(as_bob.success.user.home == "/srv/mail/bob");

    auto refused = f.login(mech, {"alice", "Alice pw!", "bob"});
    CHECK_FALSE(refused.done);
    CHECK(refused.failure.error.code == "AUTHORIZATIONFAILED");

    auto self = f.login(mech, {"alice", "Alice pw!", "alice"});  // Same identity: fine.
    CHECK(self.done);
  }
}

TEST_CASE("CyrusSasl: PLAIN is refused on a cleartext connection unless allowed") {
  Fixture f;
  SaslContext clear;
  auto ex = f.sasl->new_exchange(clear);
  REQUIRE(ex.ok());
  std::string msg("\0alice\0Alice pw!", 16);
  auto st = (*ex)->start("plain", SecureString(msg));
  auto* failed = std::get_if<SaslFailed>(&st);
  REQUIRE(failed != nullptr);
  CHECK(failed->error.code.empty());  // Not offered: NO without a code.

  SaslContext allowed;
  allowed.plaintext_allowed = true;
  auto ex2 = f.sasl->new_exchange(allowed);
  REQUIRE(ex2.ok());
  auto st2 = (*ex2)->start("plain", SecureString(msg));
  REQUIRE(std::holds_alternative<SaslDone>(st2));
  CHECK(std::get<SaslDone>(st2).user.name == "alice");
}

TEST_CASE("CyrusSasl: unknown mechanisms, garbage and out-of-order calls fail cleanly") {
  Fixture f;
  SaslContext tls;
  tls.tls_active = true;
  {
    auto ex = f.sasl->new_exchange(tls);
    REQUIRE(ex.ok());
    auto st = (*ex)->start("ANONYMOUS", SecureString("x"));
    REQUIRE(std::holds_alternative<SaslFailed>(st));
  }
  {
    auto ex = f.sasl->new_exchange(tls);
    REQUIRE(ex.ok());
    auto st = (*ex)->start("PLAIN", SecureString("no nul bytes here"));
    REQUIRE(std::holds_alternative<SaslFailed>(st));
    CHECK(std::get<SaslFailed>(st).error.code == "AUTHENTICATIONFAILED");
  }
  {
    auto ex = f.sasl->new_exchange(tls);
    REQUIRE(ex.ok());
    auto st = (*ex)->step(SecureString("x"));
    REQUIRE(std::holds_alternative<SaslFailed>(st));
    CHECK(std::get<SaslFailed>(st).error.kind == ErrorKind::Internal);
  }
  {
    // CRAM-MD5 answered with garbage.
    auto ex = f.sasl->new_exchange(tls);
    REQUIRE(ex.ok());
    auto st = (*ex)->start("CRAM-MD5", std::nullopt);
    REQUIRE(std::holds_alternative<SaslContinue>(st));
    CHECK_FALSE(std::get<SaslContinue>(st).challenge.empty());
    auto st2 = (*ex)->step(SecureString("alice 0000"));
    REQUIRE(std::holds_alternative<SaslFailed>(st2));
    CHECK(std::get<SaslFailed>(st2).error.code == "AUTHENTICATIONFAILED");
  }
}

TEST_CASE("CyrusSasl: SCRAM's server signature is a last challenge answered with nothing") {
  Fixture f;
  if (!f.offers("SCRAM-SHA-256")) return;
  SaslContext tls;
  tls.tls_active = true;
  {
    auto ex = f.sasl->new_exchange(tls);
    REQUIRE(ex.ok());
    SaslClient client({"alice", "Alice pw!", ""}, "imap");
    auto first = client.start("SCRAM-SHA-256");
    REQUIRE(first);
    auto st = (*ex)->start("SCRAM-SHA-256", SecureString(*first));
    REQUIRE(std::holds_alternative<SaslContinue>(st));
    auto r = client.step(std::get<SaslContinue>(st).challenge.view());
    REQUIRE(r);
    auto st2 = (*ex)->step(SecureString(*r));
    // RFC 4422 §3.6: the server-final message ("v=" signature, RFC 5802 §7) is a challenge.
    REQUIRE(std::holds_alternative<SaslContinue>(st2));
    auto final_data = std::string(std::get<SaslContinue>(st2).challenge.view());
    CHECK(final_data.substr(0, 2) == "v=");
    int rc = 0;
    auto ack = client.step(final_data, &rc);
    REQUIRE(ack);
    CHECK(rc == SASL_OK);  // The client verified the server's signature.
    // (libsasl2 2.1.28 does not insist that this answer be empty.)
    auto st3 = (*ex)->step(SecureString(""));
    REQUIRE(std::holds_alternative<SaslDone>(st3));
    CHECK(std::get<SaslDone>(st3).user.name == "alice");
  }
}

TEST_CASE("CyrusSasl: PLAIN and LOGIN verify through the configured Satchel backend") {
  Fixture f(true);
  for (const std::string mech : {"PLAIN", "LOGIN"}) {
    CAPTURE(mech);
    auto o = f.login(mech, {"carol", "c4rol", ""});
    REQUIRE_MESSAGE(o.done, o.failure.error.message);
    CHECK(o.success.user.name == "carol");
    CHECK(o.success.user.uid == 7000);  // The backend's record, not the template.
    CHECK(o.success.user.home == "/userdb/carol");
    CHECK_FALSE(f.login(mech, {"carol", "wrong", ""}).done);
    // sasldb users still log in: the backend says no, SASL's own check says yes.
    auto alice = f.login(mech, {"alice", "Alice pw!", ""});
    REQUIRE(alice.done);
    CHECK(alice.success.user.home == "/srv/mail/alice");
  }
  CHECK(f.userdb->calls >= 6);
  // Shared-secret mechanisms need the secret in sasldb: carol cannot use them.
  if (f.offers("CRAM-MD5")) CHECK_FALSE(f.login("CRAM-MD5", {"carol", "c4rol", ""}).done);
}

TEST_CASE("CyrusSasl::create refuses unknown mechanisms and bad templates") {
  CyrusSaslOptions o;
  o.mechanisms = {"PLAIN", "X-FOO"};
  CHECK_FALSE(CyrusSasl::create(o).ok());
  CyrusSaslOptions o2;
  o2.mail_location = "maildir:%q";
  CHECK_FALSE(CyrusSasl::create(o2).ok());
  REQUIRE(CyrusSasl::create(CyrusSaslOptions{}).ok());  // Initialises without a config_dir.
  CyrusSaslOptions o3;
  o3.config_dir = "/nonexistent/other/dir";  // The process was initialised without one.
  auto r = CyrusSasl::create(o3);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "CANNOT");
}

TEST_CASE("CyrusSasl: the configured mechanism list limits what is offered and started") {
  TempDir dir;
  saslpasswd(dir.file("db"), "alice", "Alice pw!");
  CyrusSaslOptions o;
  o.sasldb_path = dir.file("db");
  o.hostname = kHost;
  o.realm = kRealm;
  o.mechanisms = {"SCRAM-SHA-256", "PLAIN"};
  auto sasl = CyrusSasl::create(o);
  REQUIRE(sasl.ok());
  SaslContext tls;
  tls.tls_active = true;
  CHECK((*sasl)->mechanisms(tls) == std::vector<std::string>{"SCRAM-SHA-256", "PLAIN"});
  auto ex = (*sasl)->new_exchange(tls);
  REQUIRE(ex.ok());
  auto st = (*ex)->start("CRAM-MD5", std::nullopt);
  REQUIRE(std::holds_alternative<SaslFailed>(st));
}
