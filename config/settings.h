// Typed settings of satchel.conf (documented key by key in docs/configuration.md).
// Produced by config::parse_file / parse_text (config/parser.h); consumed by server/ and cli/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace satchel::config {

enum class TlsMode { None, StartTls, Implicit };
enum class Protocol { Imap, Pop3 };
// DESIGN.md, Processes: privilege-separated login and mail workers, or one worker type running
// as the mail owner (small or benchmark set-ups).
enum class ProcessModel { Split, Single };

// One [listener NAME] section.
struct Listener {
  std::string name;  // The section's NAME.
  Protocol protocol = Protocol::Imap;
  std::vector<std::string> addresses;  // "127.0.0.1:1143", "[::1]:1143", "*:143" (all v4+v6).
  TlsMode tls = TlsMode::None;
  bool plaintext_auth = false;  // Allow cleartext passwords without TLS from non-loopback.
};

// One certificate (the [tls] section's cert/key, or an extra [certificate NAME] section).
struct Certificate {
  std::string name;
  std::string cert_file;  // PEM: certificate chain (may also hold the key).
  std::string key_file;   // PEM: private key; empty means "in cert_file".
};

struct Tls {
  std::vector<Certificate> certificates;  // The first is the default (no SNI match).
  std::string certificate_dir;            // Extra PEM pairs indexed by subjectAltName.
  std::string min_version = "TLSv1.2";
  std::string max_version;     // Empty: the newest OpenSSL knows.
  std::string ciphers;         // TLS <= 1.2 cipher list; empty: our default.
  std::string ciphersuites;    // TLS 1.3; empty: OpenSSL's default.
  std::string groups;          // Curves/groups; empty: OpenSSL's default.
  std::string client_ca_file;  // Optional client certificates.
  int handshake_timeout_s = 30;
};

struct Settings {
  std::string source_file;  // The file these came from (for messages).

  // [server]
  std::string user;  // Drop to this user when started as root; empty: stay.
  std::string group;
  unsigned workers = 0;        // 0: one per CPU.
  std::string log = "stderr";  // stderr | syslog
  std::string log_level = "info";
  std::string hostname;  // Greeting name; empty: the system host name.
  std::string pid_file;
  ProcessModel process_model = ProcessModel::Split;
  // Split model: the login workers' user (no access to mail) and the empty directory they are
  // chrooted to (created by the master when missing; empty: no chroot).
  std::string login_user = "satchel";
  std::string login_group;
  std::string login_chroot = "/var/lib/satchel/empty";
  unsigned mail_workers = 0;         // Mail workers for virtual users; 0: as many as `workers`.
  unsigned user_worker_idle_s = 60;  // A system user's own mail worker exits after this idle.

  // Limits (defaults sized for thousands of sessions).
  unsigned max_connections = 10000;
  unsigned max_connections_per_user_ip = 50;
  std::size_t max_line = 64 * 1024;
  std::uint64_t max_message_size = 64ull * 1024 * 1024;
  unsigned idle_timeout_s = 30 * 60;  // Authenticated (RFC 3501 §5.4: at least 30 min).
  unsigned login_timeout_s = 60;      // Before authentication.
  unsigned thread_pool_size = 8;      // libuv pool: storage, auth, fsync.

  // [storage]
  std::string mail_root = "/var/lib/satchel/mail";
  std::string mail_location = "maildir:%h/Maildir";  // %h home, %u user.
  std::string pop3_mailbox = "INBOX";

  // [auth]
  std::string userdb = "/var/lib/satchel/users.db";
  std::vector<std::string> auth_backends = {"sqlite"};  // In order: sqlite, pam, sasl.
  unsigned auth_failure_delay_ms = 2000;                // The first failure's delay; doubles after.
  unsigned auth_failure_delay_max_ms = 15000;           // The growth stops here.
  std::vector<std::string> auth_trusted_networks;       // CIDR prefixes exempt from the delay.
  std::vector<std::string> auth_admins;  // May log in as another user (SASL authzid).
  std::string pam_service = "satchel";
  std::string pam_mail_location = "maildir:~/Maildir";
  unsigned pam_first_valid_uid = 1000;
  std::string sasl_config_dir;  // Holds satchel.conf for SASL; empty: SASL's default path.
  std::string sasldb_path;      // Empty: SASL's default (/etc/sasldb2).
  std::string sasl_realm;       // Empty: the host name.
  std::vector<std::string> sasl_mechanisms;  // Upper-case; empty: every known installed one.
  std::string sasl_keytab;                   // GSSAPI is offered only with a keytab.
  bool sasl_checkpass_via_userdb = true;     // PLAIN/LOGIN also check the other backends.

  Tls tls;
  std::vector<Listener> listeners;
};

}  // namespace satchel::config
