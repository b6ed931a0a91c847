#include "auth/sasl/mechanism_policy.h"

#include <algorithm>

#include <doctest/doctest.h>

using namespace satchel;
using namespace satchel::auth;

namespace {

const std::vector<std::string> kInstalled = {
    "anonymous", "PLAIN",       "LOGIN",         "CRAM-MD5", "DIGEST-MD5",
    "NTLM",      "SCRAM-SHA-1", "SCRAM-SHA-256", "GSSAPI",   "SCRAM-SHA-256-PLUS"};

SaslContext plain_conn() {
  return SaslContext{};
}
SaslContext tls_conn() {
  SaslContext c;
  c.tls_active = true;
  return c;
}

}  // namespace

TEST_CASE("select_mechanisms: PLAIN and LOGIN only with TLS or when cleartext is allowed") {
  MechanismPolicy p;
  auto clear = select_mechanisms(kInstalled, p, plain_conn());
  CHECK(clear ==
        std::vector<std::string>{"SCRAM-SHA-256", "SCRAM-SHA-1", "DIGEST-MD5", "CRAM-MD5"});
  auto tls = select_mechanisms(kInstalled, p, tls_conn());
  CHECK(tls == std::vector<std::string>{"SCRAM-SHA-256", "SCRAM-SHA-1", "DIGEST-MD5", "CRAM-MD5",
                                        "PLAIN", "LOGIN"});
  SaslContext loopback;
  loopback.plaintext_allowed = true;
  CHECK(select_mechanisms(kInstalled, p, loopback) == tls);
}

TEST_CASE("select_mechanisms: GSSAPI only with a keytab; unknown plugins never") {
  MechanismPolicy p;
  p.keytab_configured = true;
  auto m = select_mechanisms(kInstalled, p, tls_conn());
  CHECK(m.front() == "SCRAM-SHA-256");
  CHECK(std::find(m.begin(), m.end(), "GSSAPI") != m.end());
  for (const auto& name : m) {
    CHECK(name != "ANONYMOUS");
    CHECK(name != "NTLM");
    CHECK(name != "SCRAM-SHA-256-PLUS");
  }
}

TEST_CASE("select_mechanisms: the configured list filters and orders, installed or not") {
  MechanismPolicy p;
  p.allowed = {"PLAIN", "CRAM-MD5", "GSSAPI", "SCRAM-SHA-1"};
  CHECK(select_mechanisms(kInstalled, p, tls_conn()) ==
        std::vector<std::string>{"PLAIN", "CRAM-MD5", "SCRAM-SHA-1"});
  CHECK(select_mechanisms({"plain"}, p, tls_conn()) == std::vector<std::string>{"PLAIN"});
  CHECK(select_mechanisms({"CRAM-MD5"}, MechanismPolicy{}, tls_conn()) ==
        std::vector<std::string>{"CRAM-MD5"});
  CHECK(select_mechanisms({}, MechanismPolicy{}, tls_conn()).empty());
}

TEST_CASE("parse_mechanism_list: spaces or commas, any case, duplicates once, unknown refused") {
  auto ok = parse_mechanism_list(" plain,  SCRAM-sha-256 ,cram-md5 PLAIN");
  REQUIRE(ok.ok());
  CHECK(*ok == std::vector<std::string>{"PLAIN", "SCRAM-SHA-256", "CRAM-MD5"});
  auto empty = parse_mechanism_list("");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  auto bad = parse_mechanism_list("PLAIN ANONYMOUS");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == "CANNOT");
  CHECK(bad.error().message.find("ANONYMOUS") != std::string::npos);
  CHECK(is_plaintext_mechanism("login"));
  CHECK_FALSE(is_plaintext_mechanism("CRAM-MD5"));
}
