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
  unsigned auth_failure_delay_ms = 2000;

  Tls tls;
  std::vector<Listener> listeners;
};

}  // namespace satchel::config
