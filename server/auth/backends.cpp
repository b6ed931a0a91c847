#include "server/auth/backends.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "auth/chain/auth_chain.h"
#include "auth/pam/pam_authenticator.h"
#include "auth/plain/password_mechanisms.h"
#include "auth/policy/failure_delays.h"
#include "auth/sasl/cyrus_sasl.h"
#include "auth/sasl/sasl_password_check.h"
#include "auth/sqlite/sqlite_userdb.h"
#include "base/cidr.h"

namespace satchel::server {

namespace {

bool has_backend(const config::Settings& s, const std::string& name) {
  return std::find(s.auth_backends.begin(), s.auth_backends.end(), name) != s.auth_backends.end();
}

Error with_context(const std::string& what, Error e) {
  e.message = what + ": " + e.message;
  return e;
}

auth::CyrusSaslOptions sasl_options(const config::Settings& s) {
  auth::CyrusSaslOptions o;
  o.config_dir = s.sasl_config_dir;
  o.sasldb_path = s.sasldb_path;
  o.hostname = s.hostname;
  o.realm = s.sasl_realm;
  o.mechanisms = s.sasl_mechanisms;
  o.keytab = s.sasl_keytab;
  o.admins = s.auth_admins;
  o.checkpass_via_userdb = s.sasl_checkpass_via_userdb;
  o.mail_root = s.mail_root;
  o.mail_location = s.mail_location;
  return o;
}

// One backend other than "sasl" (which needs the others and is made by the caller).
Result<std::shared_ptr<auth::Authenticator>> make_plain_backend(const config::Settings& s,
                                                                const std::string& name) {
  if (name == "sqlite") {
    auth::SqliteUserDb::Defaults defaults;
    defaults.mail_root = s.mail_root;
    defaults.mail_location = s.mail_location;
    auto db = auth::SqliteUserDb::open(s.userdb, std::move(defaults), /*create=*/false);
    if (!db.ok()) return with_context("userdb " + s.userdb, db.error());
    return std::shared_ptr<auth::Authenticator>(std::move(db.value()));
  }
  if (name == "pam") {
    auth::PamOptions o;
    o.service = s.pam_service;
    o.mail_location = s.pam_mail_location;
    o.first_valid_uid = static_cast<uid_t>(s.pam_first_valid_uid);
    return std::shared_ptr<auth::Authenticator>(std::make_shared<auth::PamAuthenticator>(o));
  }
  return Error::permanent("CANNOT", "unknown auth backend '" + name + "'");
}

Result<std::unique_ptr<auth::LoginPolicy>> make_policy(const config::Settings& s) {
  auth::FailureDelayOptions o;
  o.base = std::chrono::milliseconds(s.auth_failure_delay_ms);
  o.max = std::chrono::milliseconds(std::max(s.auth_failure_delay_ms, s.auth_failure_delay_max_ms));
  for (const auto& text : s.auth_trusted_networks) {
    auto cidr = Cidr::parse(text);
    if (!cidr)
      return Error::permanent("CANNOT", "auth_trusted_networks: bad prefix '" + text + "'");
    o.trusted.push_back(*cidr);
  }
  return auth::make_failure_delays(std::move(o));
}

}  // namespace

bool auth_needs_root(const config::Settings& s) {
  return has_backend(s, "pam");
}

Result<AuthBackends> build_auth_backends(const config::Settings& s) {
  if (s.auth_backends.empty()) return Error::permanent("CANNOT", "no auth backends configured");

  // Every backend but "sasl", in order, kept aside: SASL's PLAIN/LOGIN check them (its
  // "userdb"), which must never include SASL itself.
  std::vector<auth::AuthChain::Backend> others;
  for (const auto& name : s.auth_backends) {
    if (name == "sasl") continue;
    auto b = make_plain_backend(s, name);
    if (!b.ok()) return b.error();
    others.push_back({name, std::move(b.value())});
  }

  AuthBackends out;
  std::vector<auth::AuthChain::Backend> chain;
  if (has_backend(s, "sasl")) {
    std::shared_ptr<auth::Authenticator> userdb;
    if (!others.empty()) userdb = std::make_shared<auth::AuthChain>(others);
    auto check = auth::SaslPasswordCheck::create(sasl_options(s));
    if (!check.ok()) return with_context("sasl", check.error());
    std::shared_ptr<auth::Authenticator> sasl_check = std::move(check.value());
    for (const auto& name : s.auth_backends) {
      if (name == "sasl") {
        chain.push_back({"sasl", sasl_check});
      } else {
        auto it = std::find_if(others.begin(), others.end(),
                               [&](const auto& b) { return b.name == name; });
        chain.push_back(*it);
      }
    }
    auto o = sasl_options(s);
    o.userdb = std::move(userdb);
    auto cyrus = auth::CyrusSasl::create(std::move(o));
    if (!cyrus.ok()) return with_context("sasl", cyrus.error());
    out.sasl = std::move(cyrus.value());
    out.authenticator = std::make_shared<auth::AuthChain>(std::move(chain));
  } else {
    out.authenticator = std::make_shared<auth::AuthChain>(std::move(others));
    out.sasl = auth::make_password_mechanisms(out.authenticator, s.auth_admins);
  }

  auto policy = make_policy(s);
  if (!policy.ok()) return policy.error();
  out.policy = std::move(policy.value());
  return out;
}

}  // namespace satchel::server
