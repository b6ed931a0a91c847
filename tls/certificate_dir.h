// Finding the certificate/key pairs in a certificate directory (ServerOptions::certificate_dir).
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "tls/server_options.h"

namespace satchel::tls {

// Lists the pairs in `dir`, sorted by file name so that the order (which decides who wins when
// two certificates claim one name) does not depend on the file system:
//   NAME.pem or NAME.crt  with NAME.key when that file exists, otherwise with the key inside.
// Skipped: names starting with ".", anything that is not a regular file (symbolic links to
// regular files count), and .pem files holding no certificate (a key or DH parameters, say).
// Error: the directory cannot be read (the message names it). Reads files: not for the loop.
Result<std::vector<CertificateFiles>> scan_certificate_dir(const std::string& dir);

}  // namespace satchel::tls
