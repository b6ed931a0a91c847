// Loading one PEM certificate chain and its private key into an SSL_CTX, with errors that name
// the file and the reason (DESIGN.md: bad PEMs are refused at start-up, naming the file).
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "base/result.h"
#include "tls/server_options.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX; only tls/ sources include <openssl/ssl.h>.

namespace satchel::tls {

// What the loader learned about a certificate it installed.
struct CertificateInfo {
  std::string cert_file;
  std::string key_file;  // The file the key came from (cert_file when it holds the key).
  // The DNS names of the subjectAltName extension, as written ("*.example.com" included);
  // the subject CN only when the certificate has no DNS subjectAltName at all.
  std::vector<std::string> names;
  std::string not_after;  // "2027-12-01 21:25:42 UTC".
};

// Reads files.cert_file (the certificate, then its chain) and the private key (from
// files.key_file, or from cert_file when key_file is empty) and installs them in `ctx`.
// Refuses, with an Error whose message starts with the offending file's path: an unreadable or
// missing file, a file with no certificate or no key, an encrypted key, a key file whose mode
// lets group or others read it, and a key that does not match the certificate.
// Appends to `warnings` (when not null) a line naming the file and the date when the
// certificate has expired or expires within 30 days of `now`. Reads files: call at start-up or
// on reload, not from the event loop. Leaves the OpenSSL error queue empty.
Result<CertificateInfo> load_certificate(ssl_ctx_st* ctx, const CertificateFiles& files,
                                         std::time_t now, std::vector<std::string>* warnings);

// Reads a whole (small) file. Errors name the path: "PATH: cannot read: No such file or
// directory". Files over 1 MiB are refused, since no PEM bundle is that large.
Result<std::string> read_small_file(const std::string& path);

}  // namespace satchel::tls
