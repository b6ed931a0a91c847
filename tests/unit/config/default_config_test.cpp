// etc/satchel.conf (the file packaged for real deployments) must parse and say what its
// comments promise.
#include <filesystem>

#include <doctest/doctest.h>

#include "config/parser.h"

using namespace satchel::config;

namespace {

std::string default_config_path() {
  // tests/unit/config/default_config_test.cpp -> etc/satchel.conf
  auto root =
      std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path();
  return (root / "etc" / "satchel.conf").string();
}

const Listener* find(const Settings& s, std::string_view name) {
  for (const Listener& l : s.listeners)
    if (l.name == name) return &l;
  return nullptr;
}

}  // namespace

TEST_CASE("etc/satchel.conf parses and sets up the four standard listeners") {
  auto r = parse_file(default_config_path());
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  const Settings& s = r.value();
  // Mail owner and login user are two accounts: login workers must not reach mail.
  CHECK(s.user == "vmail");
  CHECK(s.login_user == "satchel");
  CHECK(s.process_model == ProcessModel::Split);
  CHECK(s.auth_backends == std::vector<std::string>{"sqlite"});
  CHECK(s.mail_root == "/var/lib/satchel/mail");
  CHECK(s.mail_location == "maildir:%h/Maildir");
  CHECK(s.idle_timeout_s >= 30 * 60);
  REQUIRE(s.tls.certificates.size() == 1);
  CHECK(s.tls.certificates[0].cert_file.rfind("/etc/satchel/tls/", 0) == 0);
  CHECK(s.tls.certificates[0].key_file.rfind("/etc/satchel/tls/", 0) == 0);

  struct Expect {
    const char* name;
    Protocol protocol;
    const char* address;
    TlsMode tls;
  };
  for (const Expect& e : {Expect{"imap", Protocol::Imap, "*:143", TlsMode::StartTls},
                          Expect{"imaps", Protocol::Imap, "*:993", TlsMode::Implicit},
                          Expect{"pop3", Protocol::Pop3, "*:110", TlsMode::StartTls},
                          Expect{"pop3s", Protocol::Pop3, "*:995", TlsMode::Implicit}}) {
    CAPTURE(e.name);
    const Listener* l = find(s, e.name);
    REQUIRE(l != nullptr);
    CHECK(l->protocol == e.protocol);
    CHECK(l->addresses == std::vector<std::string>{e.address});
    CHECK(l->tls == e.tls);
    CHECK_FALSE(l->plaintext_auth);
  }
  CHECK(s.listeners.size() == 4);
}

TEST_CASE("every prefix of etc/satchel.conf parses or fails with file:line") {
  // The parser is not incremental (it takes a whole file), so the byte-by-byte test cuts the
  // file at every byte: each cut must give Settings or well-formed errors, never a crash.
  auto whole = parse_file(default_config_path());
  REQUIRE(whole.ok());
  std::string text;
  {
    std::FILE* f = std::fopen(default_config_path().c_str(), "rb");
    REQUIRE(f != nullptr);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
  }
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    auto r = parse_text(std::string_view(text).substr(0, cut), "cut.conf");
    if (!r.ok()) {
      CAPTURE(cut);
      CHECK(r.error().message.rfind("cut.conf:", 0) == 0);
    }
  }
}
