#include "tls/certificate_loader.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "tls/openssl_error.h"

namespace satchel::tls {
namespace {

constexpr std::size_t kMaxPemFile = 1024 * 1024;
constexpr std::time_t kExpiryWarning = 30 * 24 * 60 * 60;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct NamesFree {
  void operator()(GENERAL_NAMES* n) const { GENERAL_NAMES_free(n); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

Error file_error(const std::string& path, const std::string& reason) {
  return Error::permanent("", path + ": " + reason);
}

// Keys are never protected by a passphrase here: the daemon starts unattended.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

BioPtr memory_bio(const std::string& data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string asn1_time_text(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return "(unreadable date)";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d UTC", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string asn1_string_text(const ASN1_STRING* s) {
  const unsigned char* data = ASN1_STRING_get0_data(s);
  int len = ASN1_STRING_length(s);
  if (data == nullptr || len <= 0) return {};
  return std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(len));
}

std::vector<std::string> certificate_names(X509* cert) {
  std::vector<std::string> names;
  std::unique_ptr<GENERAL_NAMES, NamesFree> sans(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (sans) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans.get()); ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans.get(), i);
      if (gn->type != GEN_DNS) continue;
      std::string name = asn1_string_text(gn->d.dNSName);
      if (!name.empty()) names.push_back(std::move(name));
    }
  }
  if (!names.empty()) return names;
  // RFC 6125 §6.4.4: the CN counts only when there is no DNS subjectAltName.
  X509_NAME* subject = X509_get_subject_name(cert);
  int pos = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (pos >= 0) {
    std::string cn = asn1_string_text(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, pos)));
    if (!cn.empty()) names.push_back(std::move(cn));
  }
  return names;
}

// A private key readable by group or others is refused: whoever can read it can impersonate
// the server. (Debian's ssl-cert convention of mode 0640 is refused too, deliberately.)
Status check_key_mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return file_error(path, std::string("cannot read: ") + std::strerror(errno));
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return file_error(path, std::string("permissions too open (mode ") + mode +
                                "): a private key must not be readable by group or others "
                                "(chmod 600)");
  }
  return ok_status();
}

Result<PkeyPtr> parse_key(const std::string& path, const std::string& pem) {
  BioPtr bio = memory_bio(pem);
  if (!bio) return file_error(path, "out of memory");
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (key) return key;
  std::string reason = last_error_string();
  if (pem.find("ENCRYPTED") != std::string::npos)
    return file_error(path, "the private key is encrypted; passphrases are not supported");
  if (pem.find("PRIVATE KEY-----") == std::string::npos)
    return file_error(path, "no private key in file");
  return file_error(path, "bad private key: " + reason);
}

}  // namespace

Result<std::string> read_small_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return file_error(path, std::string("cannot read: ") + std::strerror(errno));
  std::string out;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return file_error(path, "cannot read: not a regular file");
  }
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return file_error(path, std::string("cannot read: ") + std::strerror(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > kMaxPemFile) {
      ::close(fd);
      return file_error(path, "file too large for a PEM file (over 1 MiB)");
    }
  }
  ::close(fd);
  return out;
}

Result<CertificateInfo> load_certificate(ssl_ctx_st* ctx, const CertificateFiles& files,
                                         std::time_t now, std::vector<std::string>* warnings) {
  clear_errors();
  CertificateInfo info;
  info.cert_file = files.cert_file;
  info.key_file = files.key_file.empty() ? files.cert_file : files.key_file;
  if (files.cert_file.empty()) return Error::permanent("", "certificate: no cert_file given");

  auto cert_pem = read_small_file(info.cert_file);
  if (!cert_pem) return cert_pem.error();
  if (auto mode = check_key_mode(info.key_file); !mode) return mode.error();
  std::string key_pem;
  if (info.key_file == info.cert_file) {
    key_pem = *cert_pem;
  } else {
    auto read = read_small_file(info.key_file);
    if (!read) return read.error();
    key_pem = std::move(*read);
  }

  // The leaf certificate first, then the chain in file order. PEM reading skips blocks of
  // other types, so a key before or between the certificates is fine.
  BioPtr bio = memory_bio(*cert_pem);
  if (!bio) return file_error(info.cert_file, "out of memory");
  X509Ptr leaf(PEM_read_bio_X509_AUX(bio.get(), nullptr, no_passphrase, nullptr));
  if (!leaf) {
    clear_errors();
    return file_error(info.cert_file, "no certificate in file");
  }
  if (SSL_CTX_use_certificate(ctx, leaf.get()) != 1)
    return file_error(info.cert_file, "certificate refused: " + last_error_string());
  SSL_CTX_clear_chain_certs(ctx);
  for (;;) {
    X509Ptr extra(PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr));
    if (!extra) break;
    if (SSL_CTX_add1_chain_cert(ctx, extra.get()) != 1)
      return file_error(info.cert_file, "chain certificate refused: " + last_error_string());
  }
  // The loop ends on "no start line" at the end of the file; anything else is a broken block.
  unsigned long err = ERR_peek_last_error();
  if (err != 0 && !(ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE))
    return file_error(info.cert_file, "bad certificate in chain: " + last_error_string());
  clear_errors();

  auto key = parse_key(info.key_file, key_pem);
  if (!key) return key.error();
  if (SSL_CTX_use_PrivateKey(ctx, key->get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    clear_errors();
    return file_error(info.key_file,
                      "the private key does not match the certificate in " + info.cert_file);
  }

  info.names = certificate_names(leaf.get());
  const ASN1_TIME* not_after = X509_get0_notAfter(leaf.get());
  info.not_after = asn1_time_text(not_after);
  if (warnings != nullptr) {
    std::time_t soon = now + kExpiryWarning;
    if (X509_cmp_time(not_after, &now) < 0)
      warnings->push_back(info.cert_file + ": certificate expired on " + info.not_after);
    else if (X509_cmp_time(not_after, &soon) < 0)
      warnings->push_back(info.cert_file + ": certificate expires soon, on " + info.not_after);
  }
  clear_errors();
  return info;
}

}  // namespace satchel::tls
