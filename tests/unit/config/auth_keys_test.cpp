// The [auth] keys of issue 6 and the split model's [server] keys.
#include <doctest/doctest.h>

#include "config/parser.h"

using namespace satchel;
using namespace satchel::config;

namespace {

std::string error_of(std::string_view text) {
  auto r = parse_text(text, "satchel.conf");
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

}  // namespace

TEST_CASE("auth and process-split keys are read, in order, case-normalised") {
  auto r = parse_text(
      "[server]\n"
      "login_user = satchel\n"
      "login_group = nogroup\n"
      "login_chroot = /run/satchel/empty\n"
      "mail_workers = 3\n"
      "user_worker_idle = 2m\n"
      "[auth]\n"
      "backends = PAM, sqlite sasl\n"
      "failure_delay = 1s\n"
      "failure_delay_max = 30s\n"
      "trusted_networks = 10.0.0.0/8, ::1\n"
      "admins = root-admin helpdesk\n"
      "pam_service = mail\n"
      "pam_mail_location = maildir:~/Mail\n"
      "pam_first_valid_uid = 500\n"
      "sasl_config_dir = /etc/satchel/sasl2\n"
      "sasldb_path = /etc/sasldb2\n"
      "sasl_realm = example.com\n"
      "sasl_mechanisms = scram-sha-256 plain\n"
      "sasl_keytab = /etc/krb5.keytab\n"
      "sasl_checkpass_via_userdb = no\n",
      "satchel.conf");
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  const Settings& s = r.value();
  CHECK(s.login_user == "satchel");
  CHECK(s.login_group == "nogroup");
  CHECK(s.login_chroot == "/run/satchel/empty");
  CHECK(s.mail_workers == 3);
  CHECK(s.user_worker_idle_s == 120);
  CHECK(s.auth_backends == std::vector<std::string>{"pam", "sqlite", "sasl"});
  CHECK(s.auth_failure_delay_ms == 1000);
  CHECK(s.auth_failure_delay_max_ms == 30000);
  CHECK(s.auth_trusted_networks == std::vector<std::string>{"10.0.0.0/8", "::1"});
  CHECK(s.auth_admins == std::vector<std::string>{"root-admin", "helpdesk"});
  CHECK(s.pam_service == "mail");
  CHECK(s.pam_mail_location == "maildir:~/Mail");
  CHECK(s.pam_first_valid_uid == 500);
  CHECK(s.sasl_config_dir == "/etc/satchel/sasl2");
  CHECK(s.sasldb_path == "/etc/sasldb2");
  CHECK(s.sasl_realm == "example.com");
  CHECK(s.sasl_mechanisms == std::vector<std::string>{"SCRAM-SHA-256", "PLAIN"});
  CHECK(s.sasl_keytab == "/etc/krb5.keytab");
  CHECK_FALSE(s.sasl_checkpass_via_userdb);
}

TEST_CASE("auth defaults: sqlite only, the satchel login user in its chroot, uid floor 1000") {
  auto r = parse_text("", "satchel.conf");
  REQUIRE(r.ok());
  CHECK(r->auth_backends == std::vector<std::string>{"sqlite"});
  CHECK(r->login_user == "satchel");
  CHECK(r->login_chroot == "/var/lib/satchel/empty");
  CHECK(r->pam_first_valid_uid == 1000);
  CHECK(r->auth_failure_delay_max_ms >= r->auth_failure_delay_ms);
}

TEST_CASE("bad auth values name the line and what is wrong") {
  CHECK(error_of("[auth]\nbackends = sqlite ldap\n") ==
        "satchel.conf:2: bad value 'sqlite ldap' for backends: unknown backend 'ldap' "
        "(expected sqlite, pam or sasl)");
  CHECK(error_of("[auth]\nbackends = pam pam\n") ==
        "satchel.conf:2: bad value 'pam pam' for backends: backend 'pam' listed twice");
  CHECK(error_of("[auth]\nbackends =\n").find("expected one or more of sqlite, pam, sasl") !=
        std::string::npos);
  CHECK(error_of("[auth]\nsasl_mechanisms = PLAIN NTLM\n").find("unknown mechanism 'NTLM'") !=
        std::string::npos);
  CHECK(error_of("[auth]\ntrusted_networks = 10.0.0.0/33\n") ==
        "satchel.conf:2: bad value '10.0.0.0/33' for trusted_networks: '10.0.0.0/33' is not an "
        "address or ADDRESS/BITS prefix");
  CHECK(error_of("[auth]\npam_service = ../shadow\n").find("expected a PAM service name") !=
        std::string::npos);
  CHECK(error_of("[auth]\npam_first_valid_uid = 0\n").find("must be between 1") !=
        std::string::npos);
  CHECK(error_of("[server]\nlogin_chroot = relative\n").find("expected an absolute path") !=
        std::string::npos);
  CHECK(error_of("[auth]\nlogin_user = x\n").find("it belongs in [server]") != std::string::npos);
}
