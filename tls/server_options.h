// Options of one TLS server endpoint (one listener). tls/ does not see config/: server/ copies
// config::Tls (config/settings.h) field by field into these structs, plus the listener's ALPN id.
#pragma once

#include <string>
#include <vector>

namespace satchel::tls {

// ALPN protocol ids of the IANA registry for the listeners' ServerOptions::alpn.
inline constexpr const char* kAlpnImap = "imap";
inline constexpr const char* kAlpnPop3 = "pop3";

// One certificate and its private key, both PEM.
struct CertificateFiles {
  std::string name;       // A label for log lines (the config section name); may be empty.
  std::string cert_file;  // The certificate, then any intermediate certificates (the chain).
  std::string key_file;   // The private key; empty means it is in cert_file too.
};

struct ServerOptions {
  // The first certificate is the default: it is served when the client sends no SNI name or
  // one that no certificate covers. Others are chosen by SNI (see ContextSet).
  std::vector<CertificateFiles> certificates;
  // A directory of further certificates, indexed by their names like the ones above: every
  // NAME.pem or NAME.crt, whose key is NAME.key when that exists and inside the same file
  // otherwise. Files starting with "." and .pem files holding no certificate are skipped.
  std::string certificate_dir;
  std::string min_version = "TLSv1.2";  // "TLSv1", "TLSv1.1", "TLSv1.2" or "TLSv1.3".
  std::string max_version;              // Same spellings; empty: the newest OpenSSL knows.
  std::string ciphers;                  // OpenSSL cipher list for TLS <= 1.2; empty: ECDHE+AEAD.
  std::string ciphersuites;             // TLS 1.3 suites; empty: OpenSSL's default.
  std::string groups;                   // Key exchange groups; empty: OpenSSL's default.
  std::string client_ca_file;  // When set, client certificates are requested (not required)
                               // and, when sent, must verify against these CAs.
  // The ALPN protocol id of the listener ("imap" or "pop3"). A client that offers ALPN without
  // this id is refused; a client that offers no ALPN is accepted. Empty: ALPN is ignored.
  std::string alpn;
};

}  // namespace satchel::tls
