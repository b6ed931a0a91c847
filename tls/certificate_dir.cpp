#include "tls/certificate_dir.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "tls/certificate_loader.h"

namespace satchel::tls {

namespace fs = std::filesystem;

Result<std::vector<CertificateFiles>> scan_certificate_dir(const std::string& dir) {
  std::vector<CertificateFiles> found;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return Error::permanent("", dir + ": cannot read certificate_dir: " + ec.message());
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const fs::path& path = it->path();
    std::string file = path.filename().string();
    std::string ext = path.extension().string();
    if (file.starts_with(".") || (ext != ".pem" && ext != ".crt")) continue;
    std::error_code type_ec;
    if (!fs::is_regular_file(path, type_ec)) continue;
    if (ext == ".pem") {
      auto content = read_small_file(path.string());
      if (content && content->find("-----BEGIN CERTIFICATE-----") == std::string::npos &&
          content->find("-----BEGIN TRUSTED CERTIFICATE-----") == std::string::npos)
        continue;
      // An unreadable file is kept: loading it reports the reason with its name.
    }
    CertificateFiles pair;
    pair.name = file;
    pair.cert_file = path.string();
    fs::path key = path;
    key.replace_extension(".key");
    std::error_code key_ec;
    if (fs::exists(key, key_ec)) pair.key_file = key.string();
    found.push_back(std::move(pair));
  }
  if (ec) return Error::permanent("", dir + ": cannot read certificate_dir: " + ec.message());
  std::sort(found.begin(), found.end(), [](const CertificateFiles& a, const CertificateFiles& b) {
    return a.cert_file < b.cert_file;
  });
  return found;
}

}  // namespace satchel::tls
