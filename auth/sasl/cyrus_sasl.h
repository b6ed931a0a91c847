// CyrusSasl: SaslMechanisms (auth/api/sasl_exchange.h) over the Cyrus SASL server library
// (DESIGN.md, Authentication): the mechanisms of the installed plugins (libsasl2-modules),
// secrets from sasldb (managed with saslpasswd2) or whatever auxprop plugins SASL's own
// configuration names, and PLAIN/LOGIN optionally checked by another Satchel backend.
//
// No security layer is ever negotiated (max_ssf 0: TLS protects the connection), and an
// authorization identity (authzid) other than the authentication identity is accepted only
// for the configured admins.
//
// Blocking: exchanges read sasldb and may call the userdb (yescrypt) or PAM; call them from
// the thread pool or the auth process.
//
// Threading: the SASL library is initialised once per process (sasl_server_init, app name
// "satchel"); after that one CyrusSasl serves many threads, each exchange being used by one
// thread at a time. Exchanges must not outlive the CyrusSasl that made them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "auth/api/authenticator.h"
#include "auth/api/sasl_exchange.h"
#include "auth/sasl/mechanism_policy.h"

struct sasl_callback;

namespace satchel::auth {

struct CyrusSaslOptions {
  // The directory holding satchel.conf, SASL's configuration for our app name (shipped as
  // etc/sasl2/satchel.conf). Empty: SASL's default search path (/etc/sasl2, /usr/lib/sasl2).
  // Process-wide: the first CyrusSasl of a process fixes it.
  std::string config_dir;
  std::string sasldb_path;  // The sasldb file; empty: SASL's config or default (/etc/sasldb2).
  std::string hostname;     // Server FQDN (DIGEST-MD5 digest-uri, GSSAPI); empty: the host's.
  std::string realm;        // User realm of sasldb entries (saslpasswd2 -u); empty: hostname.
  std::vector<std::string> mechanisms;  // Allowed, upper-case; empty: every known one.
  std::string keytab;                   // GSSAPI is offered only with a keytab.
  std::vector<std::string> admins;      // Authentication identities that may use an authzid.
  // Another backend (the SQLite userdb, PAM, or a chain): when set, PLAIN and LOGIN passwords
  // are checked through it first (then through SASL's own pwcheck_method, sasldb by
  // default), and it supplies the UserRecord of users it knows.
  std::shared_ptr<Authenticator> userdb;
  bool checkpass_via_userdb = true;
  // Records for users the userdb does not know (sasldb-only users): home = mail_root/NAME.
  std::string mail_root = "/var/lib/satchel/mail";
  std::string mail_location = "maildir:%h/Maildir";  // %u user, %h home.
  uid_t uid = 0;  // 0: the mail worker's own uid (the vmail user).
  gid_t gid = 0;
};

class CyrusSasl : public SaslMechanisms {
 public:
  // Initialises the library on first use and probes the installed mechanisms. Errors:
  // Permanent CANNOT for a bad option (unknown mechanism name, mail_location template, a
  // config_dir different from the process's first), Temporary UNAVAILABLE when the library
  // fails to start.
  static Result<std::unique_ptr<CyrusSasl>> create(CyrusSaslOptions options);

  ~CyrusSasl() override;
  CyrusSasl(const CyrusSasl&) = delete;
  CyrusSasl& operator=(const CyrusSasl&) = delete;

  std::vector<std::string> mechanisms(const SaslContext& ctx) const override;
  Result<std::unique_ptr<SaslExchange>> new_exchange(const SaslContext& ctx) override;

  // What the plugins offer, before Satchel's policy (upper-case).
  const std::vector<std::string>& installed() const { return installed_; }
  const CyrusSaslOptions& options() const { return options_; }

  // Used by the exchange and the library callbacks (internal).
  bool is_admin(std::string_view authcid) const;
  Result<UserRecord> record_for(std::string_view user);
  const sasl_callback* callbacks() const;

 private:
  explicit CyrusSasl(CyrusSaslOptions options);
  Status probe();

  CyrusSaslOptions options_;
  MechanismPolicy policy_;
  std::vector<std::string> installed_;
  std::unique_ptr<sasl_callback[]> callbacks_;
};

}  // namespace satchel::auth
