#include "tls/certificate_dir.h"

#include <doctest/doctest.h>

#include "tls_test_support.h"

using namespace satchel::tls;
using namespace satchel::tls::test;

TEST_CASE("scan_certificate_dir pairs NAME.pem/NAME.crt with NAME.key or the file itself") {
  const TempDir& certs = shared_certs();
  TempDir dir;
  std::string cert = read_file(certs.file("imap.example.com.pem"));
  std::string key = read_file(certs.file("imap.example.com.key"));
  write_file(dir.file("b.pem"), cert, 0644);
  write_file(dir.file("b.key"), key);
  write_file(dir.file("a.crt"), cert, 0644);
  write_file(dir.file("a.key"), key);
  write_file(dir.file("c.pem"), cert + key);
  write_file(dir.file("key-only.pem"), key);                  // No certificate: skipped.
  write_file(dir.file(".hidden.pem"), cert);                  // Hidden: skipped.
  write_file(dir.file("notes.txt"), "x", 0644);               // Other extension: skipped.
  std::filesystem::create_directory(dir.path() / "sub.pem");  // Not a file: skipped.

  auto found = scan_certificate_dir(dir.path().string());
  REQUIRE(found.ok());
  REQUIRE(found->size() == 3);
  CHECK((*found)[0].cert_file == dir.file("a.crt"));
  CHECK((*found)[0].key_file == dir.file("a.key"));
  CHECK((*found)[1].cert_file == dir.file("b.pem"));
  CHECK((*found)[1].key_file == dir.file("b.key"));
  CHECK((*found)[2].cert_file == dir.file("c.pem"));
  CHECK((*found)[2].key_file.empty());
}

TEST_CASE("scan_certificate_dir names a directory it cannot read") {
  TempDir dir;
  std::string missing = dir.file("nope");
  auto found = scan_certificate_dir(missing);
  REQUIRE_FALSE(found.ok());
  CHECK(found.error().message.starts_with(missing + ": cannot read certificate_dir"));
}
