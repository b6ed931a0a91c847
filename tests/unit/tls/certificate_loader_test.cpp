#include "tls/certificate_loader.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <ctime>

#include <doctest/doctest.h>

#include "tls_test_support.h"

using namespace satchel;
using namespace satchel::tls;
using namespace satchel::tls::test;

namespace {

// A fresh server SSL_CTX per test, freed at the end.
struct Ctx {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  ~Ctx() { SSL_CTX_free(ctx); }
};

Result<CertificateInfo> load(const std::string& cert, const std::string& key,
                             std::vector<std::string>* warnings = nullptr) {
  Ctx c;
  return load_certificate(c.ctx, {"", cert, key}, std::time(nullptr), warnings);
}

bool message_has(const Result<CertificateInfo>& r, const std::string& part) {
  return !r.ok() && r.error().message.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("load_certificate installs a good pair and reports its names and end date") {
  const TempDir& certs = shared_certs();
  std::vector<std::string> warnings;
  auto info =
      load(certs.file("imap.example.com.pem"), certs.file("imap.example.com.key"), &warnings);
  REQUIRE(info.ok());
  CHECK(info->names == std::vector<std::string>{"imap.example.com"});
  CHECK(info->not_after.ends_with(" UTC"));
  CHECK(info->key_file == certs.file("imap.example.com.key"));
  CHECK(warnings.empty());
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("load_certificate takes a wildcard SAN as written and a CN only without SAN") {
  const TempDir& certs = shared_certs();
  auto wild = load(certs.file("_.wild.example.com.pem"), certs.file("_.wild.example.com.key"));
  REQUIRE(wild.ok());
  CHECK(wild->names == std::vector<std::string>{"*.wild.example.com"});
  auto legacy = load(certs.file("legacy.example.com.pem"), certs.file("legacy.example.com.key"));
  REQUIRE(legacy.ok());
  CHECK(legacy->names == std::vector<std::string>{"legacy.example.com"});
}

TEST_CASE("load_certificate accepts the key inside the certificate file") {
  const TempDir& certs = shared_certs();
  TempDir dir;
  std::string both = dir.file("both.pem");
  write_file(both, read_file(certs.file("mail.example.com.key")) +
                       read_file(certs.file("mail.example.com.pem")));
  auto info = load(both, "");
  REQUIRE(info.ok());
  CHECK(info->key_file == both);
  CHECK(info->names == std::vector<std::string>{"mail.example.com"});
}

TEST_CASE("load_certificate errors name the file and the reason") {
  const TempDir& certs = shared_certs();
  TempDir dir;
  std::string cert = certs.file("imap.example.com.pem");
  std::string key = certs.file("imap.example.com.key");

  SUBCASE("missing certificate file") {
    std::string missing = dir.file("missing.pem");
    auto r = load(missing, key);
    CHECK(message_has(r, missing + ": cannot read: No such file or directory"));
  }
  SUBCASE("missing key file") {
    std::string missing = dir.file("missing.key");
    auto r = load(cert, missing);
    CHECK(message_has(r, missing + ": cannot read"));
  }
  SUBCASE("no certificate in the file") {
    std::string junk = dir.file("junk.pem");
    write_file(junk, "hello\n", 0644);
    auto r = load(junk, key);
    CHECK(message_has(r, junk + ": no certificate in file"));
  }
  SUBCASE("no private key in the key file") {
    std::string nokey = dir.file("nokey.key");
    write_file(nokey, read_file(cert), 0600);
    auto r = load(cert, nokey);
    CHECK(message_has(r, nokey + ": no private key in file"));
  }
  SUBCASE("key of another certificate") {
    std::string other = certs.file("mail.example.com.key");
    auto r = load(cert, other);
    CHECK(message_has(r, other + ": the private key does not match the certificate in " + cert));
  }
  SUBCASE("key readable by others") {
    std::string open_key = dir.file("open.key");
    write_file(open_key, read_file(key), 0644);
    auto r = load(cert, open_key);
    CHECK(message_has(r, open_key + ": permissions too open (mode 0644)"));
  }
  SUBCASE("key readable by the group, inside the certificate file") {
    std::string both = dir.file("both.pem");
    write_file(both, read_file(cert) + read_file(key), 0640);
    auto r = load(both, "");
    CHECK(message_has(r, both + ": permissions too open (mode 0640)"));
  }
  SUBCASE("encrypted key") {
    std::string enc = dir.file("enc.key");
    std::string cmd = "openssl pkey -in " + shell_quote(key) + " -aes256 -passout pass:x -out " +
                      shell_quote(enc) + " 2>/dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
    ::chmod(enc.c_str(), 0600);
    auto r = load(cert, enc);
    CHECK(message_has(r, enc + ": the private key is encrypted"));
  }
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("load_certificate warns about expired and soon-expiring certificates") {
  TempDir dir;
  REQUIRE(generate(dir.path(), {"soon.example.com"}, 10));
  REQUIRE(generate(dir.path(), {"old.example.com"}, -1));
  std::vector<std::string> warnings;
  auto soon = load(dir.file("soon.example.com.pem"), dir.file("soon.example.com.key"), &warnings);
  REQUIRE(soon.ok());
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] ==
        dir.file("soon.example.com.pem") + ": certificate expires soon, on " + soon->not_after);
  warnings.clear();
  auto old = load(dir.file("old.example.com.pem"), dir.file("old.example.com.key"), &warnings);
  REQUIRE(old.ok());
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] ==
        dir.file("old.example.com.pem") + ": certificate expired on " + old->not_after);
}
