#include "tls/context_set.h"

#include <openssl/err.h>

#include <doctest/doctest.h>

#include "tls_test_support.h"

using namespace satchel::tls;
using namespace satchel::tls::test;

namespace {

bool fails_with(const ServerOptions& o, const std::string& part) {
  auto set = ContextSet::load(o, nullptr);
  if (set.ok()) return false;
  INFO(set.error().message);
  return set.error().message.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("ContextSet loads several certificates and selects them by SNI name") {
  const TempDir& certs = shared_certs();
  ServerOptions o =
      options_for(certs, {"default.example.com", "imap.example.com", "mail.example.com",
                          "_.wild.example.com", "legacy.example.com"});
  std::vector<std::string> warnings;
  auto set = ContextSet::load(o, &warnings);
  REQUIRE(set.ok());
  CHECK(warnings.empty());
  const ContextSet& s = **set;
  REQUIRE(s.size() == 5);
  CHECK(s.select("imap.example.com") == 1);
  CHECK(s.select("MAIL.example.com") == 2);
  CHECK(s.select("x.wild.example.com") == 3);
  CHECK(s.select("legacy.example.com") == 4);
  CHECK(s.select("unknown.example.org") == 0);
  CHECK(s.select("") == 0);
  CHECK(s.certificate(1).cert_file == certs.file("imap.example.com.pem"));
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("ContextSet refuses bad options, naming the option") {
  const TempDir& certs = shared_certs();
  ServerOptions o = options_for(certs, {"default.example.com"});
  SUBCASE("bad min_version") {
    o.min_version = "TLSv1.4";
    CHECK(fails_with(o, "min_version: unknown TLS version \"TLSv1.4\""));
  }
  SUBCASE("bad max_version") {
    o.max_version = "SSLv3";
    CHECK(fails_with(o, "max_version: unknown TLS version \"SSLv3\""));
  }
  SUBCASE("max below min") {
    o.min_version = "TLSv1.3";
    o.max_version = "tlsv1.2";
    CHECK(fails_with(o, "max_version: \"tlsv1.2\" is older than min_version"));
  }
  SUBCASE("cipher list without a usable cipher") {
    o.ciphers = "NO-SUCH-CIPHER";
    CHECK(fails_with(o, "ciphers: no usable cipher in \"NO-SUCH-CIPHER\""));
  }
  SUBCASE("bad TLS 1.3 suites") {
    o.ciphersuites = "TLS_NOPE";
    CHECK(fails_with(o, "ciphersuites: no usable TLS 1.3 suite"));
  }
  SUBCASE("bad groups") {
    o.groups = "nosuchcurve";
    CHECK(fails_with(o, "groups: bad group list \"nosuchcurve\""));
  }
  SUBCASE("no certificate at all") {
    o.certificates.clear();
    CHECK(fails_with(o, "no certificate configured"));
  }
  SUBCASE("missing client CA file") {
    o.client_ca_file = certs.file("no-such-ca.pem");
    CHECK(fails_with(o, o.client_ca_file + ": cannot read"));
  }
  SUBCASE("a bad second certificate fails the whole load, naming its file") {
    o.certificates.push_back(
        {"", certs.file("imap.example.com.pem"), certs.file("mail.example.com.key")});
    CHECK(fails_with(o, certs.file("mail.example.com.key") + ": the private key does not match"));
  }
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("ContextSet warns when two certificates claim the same name; the first wins") {
  const TempDir& certs = shared_certs();
  TempDir dir;
  write_file(dir.file("again.pem"), read_file(certs.file("imap.example.com.pem")), 0644);
  write_file(dir.file("again.key"), read_file(certs.file("imap.example.com.key")));
  ServerOptions o = options_for(certs, {"default.example.com", "imap.example.com"});
  o.certificate_dir = dir.path().string();
  std::vector<std::string> warnings;
  auto set = ContextSet::load(o, &warnings);
  REQUIRE(set.ok());
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] == dir.file("again.pem") + ": name imap.example.com is already served by " +
                           certs.file("imap.example.com.pem") + "; ignored here");
  CHECK((*set)->select("imap.example.com") == 1);
}

TEST_CASE("ContextSet indexes certificate_dir, and a new load picks up a new file") {
  const TempDir& certs = shared_certs();
  TempDir dir;
  REQUIRE(generate(dir.path(), {"pop.example.com"}));
  std::filesystem::remove(dir.path() / "ca.pem");  // Not a server certificate.
  std::filesystem::remove(dir.path() / "ca.key");
  ServerOptions o = options_for(certs, {"default.example.com"});
  o.certificate_dir = dir.path().string();

  auto first = ContextSet::load(o, nullptr);
  REQUIRE(first.ok());
  CHECK((*first)->size() == 2);
  CHECK((*first)->select("pop.example.com") == 1);
  CHECK((*first)->select("new.example.com") == 0);

  REQUIRE(generate(dir.path(), {"new.example.com"}));
  std::filesystem::remove(dir.path() / "ca.pem");
  std::filesystem::remove(dir.path() / "ca.key");
  auto second = ContextSet::load(o, nullptr);
  REQUIRE(second.ok());
  CHECK((*second)->size() == 3);
  CHECK((*second)->certificate((*second)->select("new.example.com")).cert_file ==
        dir.file("new.example.com.pem"));
  // The first set is untouched by the reload.
  CHECK((*first)->select("new.example.com") == 0);

  // A broken file makes the reload fail; the caller keeps the previous set.
  write_file(dir.file("broken.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n", 0600);
  auto third = ContextSet::load(o, nullptr);
  REQUIRE_FALSE(third.ok());
  CHECK(third.error().message.find(dir.file("broken.pem")) == 0);
}

TEST_CASE("ContextSet with only a certificate_dir uses its first file as the default") {
  TempDir dir;
  REQUIRE(generate(dir.path(), {"b.example.com", "a.example.com"}));
  std::filesystem::remove(dir.path() / "ca.pem");
  std::filesystem::remove(dir.path() / "ca.key");
  ServerOptions o;
  o.certificate_dir = dir.path().string();
  auto set = ContextSet::load(o, nullptr);
  REQUIRE(set.ok());
  CHECK((*set)->certificate(0).cert_file == dir.file("a.example.com.pem"));
}
