#include "tls/context_set.h"

#include <openssl/core_names.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include <cstring>
#include <ctime>

#include "base/ascii.h"
#include "tls/certificate_dir.h"
#include "tls/openssl_error.h"

namespace satchel::tls {
namespace {

// Mozilla's "intermediate" list for TLS <= 1.2: forward secrecy (ECDHE) and AEAD only.
constexpr const char* kDefaultCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Sessions kept for TLS 1.2 clients that resume by session id rather than by ticket. The
// OpenSSL default (20480 per context) would let a worker's cache grow to tens of megabytes.
constexpr long kSessionCacheSize = 2048;

Error option_error(std::string_view option, const std::string& reason) {
  return Error::permanent("", std::string(option) + ": " + reason);
}

// RFC 6066 §3: the server picks the certificate for the name in the ClientHello. No name, or
// a name no certificate covers, keeps the default context (index 0) the SSL started with.
int on_servername(SSL* ssl, int* /*alert*/, void* arg) {
  const auto* set = static_cast<const ContextSet*>(arg);
  const char* host = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (host == nullptr) return SSL_TLSEXT_ERR_OK;
  std::size_t index = set->select(host);
  if (index != 0 && SSL_set_SSL_CTX(ssl, set->context(index)) == nullptr) {
    clear_errors();
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  return SSL_TLSEXT_ERR_OK;
}

// RFC 7301 §3.2: when the client offers protocols and none is ours, the server answers with a
// fatal no_application_protocol alert (OpenSSL sends it for SSL_TLSEXT_ERR_ALERT_FATAL). A
// client that offers no ALPN never reaches this callback and is accepted.
int on_alpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
            unsigned int inlen, void* arg) {
  const auto* set = static_cast<const ContextSet*>(arg);
  const std::string& ours = set->alpn_wire();
  if (ours.empty()) return SSL_TLSEXT_ERR_NOACK;
  std::string_view wanted(ours.data() + 1, ours.size() - 1);
  unsigned int pos = 0;
  while (pos < inlen) {
    unsigned int len = in[pos];
    if (len == 0 || pos + 1 + len > inlen) break;  // Malformed list: refuse below.
    std::string_view offered(reinterpret_cast<const char*>(in + pos + 1), len);
    if (offered == wanted) {
      *out = in + pos + 1;
      *outlen = static_cast<unsigned char>(len);
      return SSL_TLSEXT_ERR_OK;
    }
    pos += 1 + len;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

// Seals and opens session tickets with the set's rotating keys instead of OpenSSL's per-context
// keys, which would live as long as the worker. Returns 1 (use the key), 2 (opened with the
// previous period's key: issue a new ticket), 0 (unknown or expired: full handshake), -1 (error).
int on_ticket_key(SSL* ssl, unsigned char key_name[16], unsigned char* iv, EVP_CIPHER_CTX* cipher,
                  EVP_MAC_CTX* mac, int enc) {
  const auto* set = static_cast<const ContextSet*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), 0));
  if (set == nullptr) return -1;
  std::int64_t now = std::time(nullptr);
  TicketKeys::Key key;
  int result = 1;
  if (enc == 1) {
    key = set->ticket_keys().sealing_key(now);
    std::memcpy(key_name, key.name.data(), key.name.size());
    if (RAND_bytes(iv, 16) != 1 ||
        EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes.data(), iv) != 1)
      result = -1;
  } else {
    bool renew = false;
    if (!set->ticket_keys().opening_key(std::span<const unsigned char, 16>(key_name, 16), now, key,
                                        renew))
      return 0;
    if (EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes.data(), iv) != 1)
      result = -1;
    else if (renew)
      result = 2;
  }
  if (result != -1) {
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key.hmac.data(), key.hmac.size()),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(mac, params) != 1) result = -1;
  }
  wipe(key);
  return result;
}

}  // namespace

Result<int> parse_tls_version(std::string_view text, std::string_view option) {
  if (ascii::iequals(text, "TLSv1") || ascii::iequals(text, "TLSv1.0")) return TLS1_VERSION;
  if (ascii::iequals(text, "TLSv1.1")) return TLS1_1_VERSION;
  if (ascii::iequals(text, "TLSv1.2")) return TLS1_2_VERSION;
  if (ascii::iequals(text, "TLSv1.3")) return TLS1_3_VERSION;
  return option_error(option, "unknown TLS version \"" + std::string(text) +
                                  "\" (use TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3)");
}

ContextSet::~ContextSet() {
  for (Entry& e : entries_) SSL_CTX_free(e.ctx);
}

std::size_t ContextSet::select(std::string_view host) const {
  if (host.empty()) return 0;
  return names_.find(host).value_or(0);
}

Status ContextSet::configure(SSL_CTX* ctx, const ServerOptions& options, int min_version,
                             int max_version) {
  // Compression invites CRIME; renegotiation is a DoS lever and nothing here needs it.
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_clear_options(ctx, SSL_OP_NO_TICKET);
  // An idle connection keeps no 16 kB record buffers (DESIGN.md, memory per session).
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_sess_set_cache_size(ctx, kSessionCacheSize);
  if (SSL_CTX_set_min_proto_version(ctx, min_version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, max_version) != 1)
    return option_error("min_version", "refused by OpenSSL: " + last_error_string());

  const char* ciphers = options.ciphers.empty() ? kDefaultCiphers : options.ciphers.c_str();
  if (SSL_CTX_set_cipher_list(ctx, ciphers) != 1)
    return option_error(
        "ciphers", "no usable cipher in \"" + std::string(ciphers) + "\": " + last_error_string());
  if (!options.ciphersuites.empty() &&
      SSL_CTX_set_ciphersuites(ctx, options.ciphersuites.c_str()) != 1)
    return option_error("ciphersuites", "no usable TLS 1.3 suite in \"" + options.ciphersuites +
                                            "\": " + last_error_string());
  if (!options.groups.empty() && SSL_CTX_set1_groups_list(ctx, options.groups.c_str()) != 1)
    return option_error("groups",
                        "bad group list \"" + options.groups + "\": " + last_error_string());

  // The session id context ties cached sessions and tickets to this kind of listener; OpenSSL
  // requires one when client certificates are requested.
  std::string sid = "satchel/" + options.alpn;
  if (sid.size() > SSL_MAX_SID_CTX_LENGTH) sid.resize(SSL_MAX_SID_CTX_LENGTH);
  SSL_CTX_set_session_id_context(ctx, reinterpret_cast<const unsigned char*>(sid.data()),
                                 static_cast<unsigned int>(sid.size()));

  if (!options.client_ca_file.empty()) {
    const std::string& file = options.client_ca_file;
    if (auto readable = read_small_file(file); !readable) return readable.error();
    if (SSL_CTX_load_verify_locations(ctx, file.c_str(), nullptr) != 1)
      return Error::permanent("", file + ": bad client CA file: " + last_error_string());
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(file.c_str());
    if (names == nullptr) {
      clear_errors();
      return Error::permanent("", file + ": no certificate in client CA file");
    }
    SSL_CTX_set_client_CA_list(ctx, names);
    // Requested, not required: a client without a certificate still gets in (it will log in
    // with a password), but a certificate it does send must verify.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, nullptr);
  }

  // The OpenSSL macro for this uses a C-style cast; its expansion, written out:
  SSL_CTX_callback_ctrl(ctx, SSL_CTRL_SET_TLSEXT_SERVERNAME_CB,
                        reinterpret_cast<void (*)(void)>(on_servername));
  SSL_CTX_set_tlsext_servername_arg(ctx, this);
  SSL_CTX_set_alpn_select_cb(ctx, on_alpn, this);
  // Index 0 is OpenSSL's "app data" slot; on_ticket_key finds the set (and its keys) there,
  // whichever context SNI switched to.
  SSL_CTX_set_ex_data(ctx, 0, this);
  SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, on_ticket_key);
  clear_errors();
  return ok_status();
}

Status ContextSet::add_certificate(const CertificateFiles& files, const ServerOptions& options,
                                   int min_version, int max_version,
                                   std::vector<std::string>* warnings) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return Error::internal("SSL_CTX_new failed: " + last_error_string());
  entries_.push_back(Entry{ctx, {}});  // Owned by the set from here on, even on error.
  if (auto st = configure(ctx, options, min_version, max_version); !st) return st;
  auto info = load_certificate(ctx, files, std::time(nullptr), warnings);
  if (!info) return info.error();

  std::size_t index = entries_.size() - 1;
  for (const std::string& name : info->names) {
    if (names_.add(name, index) || warnings == nullptr) continue;
    auto owner = names_.owner_of(name);
    if (!owner)
      warnings->push_back(info->cert_file + ": name " + name + " cannot be used for SNI");
    else if (*owner != index)
      warnings->push_back(info->cert_file + ": name " + name + " is already served by " +
                          entries_[*owner].info.cert_file + "; ignored here");
  }
  if (info->names.empty() && index != 0 && warnings != nullptr)
    warnings->push_back(info->cert_file + ": certificate has no DNS name; SNI never selects it");
  entries_.back().info = std::move(*info);
  return ok_status();
}

Result<std::shared_ptr<const ContextSet>> ContextSet::load(const ServerOptions& options,
                                                           std::vector<std::string>* warnings) {
  clear_errors();
  auto min_version = parse_tls_version(options.min_version, "min_version");
  if (!min_version) return min_version.error();
  int max_version = 0;  // 0: the newest version OpenSSL supports.
  if (!options.max_version.empty()) {
    auto parsed = parse_tls_version(options.max_version, "max_version");
    if (!parsed) return parsed.error();
    max_version = *parsed;
    if (max_version < *min_version)
      return option_error("max_version", "\"" + options.max_version +
                                             "\" is older than "
                                             "min_version \"" +
                                             options.min_version + "\"");
  }
  if (options.alpn.size() > 255) return option_error("alpn", "protocol id longer than 255 bytes");

  std::vector<CertificateFiles> all = options.certificates;
  if (!options.certificate_dir.empty()) {
    auto found = scan_certificate_dir(options.certificate_dir);
    if (!found) return found.error();
    all.insert(all.end(), found->begin(), found->end());
  }
  if (all.empty())
    return Error::permanent("", "tls: no certificate configured (cert_file or certificate_dir)");

  std::shared_ptr<ContextSet> set(new ContextSet());
  auto keys = TicketKeys::create(TicketKeys::kDefaultPeriodSeconds, std::time(nullptr));
  if (!keys) return keys.error();
  set->ticket_keys_ = std::move(*keys);
  if (!options.alpn.empty())
    set->alpn_wire_ = static_cast<char>(options.alpn.size()) + options.alpn;
  for (const CertificateFiles& files : all) {
    if (auto st = set->add_certificate(files, options, *min_version, max_version, warnings); !st)
      return st.error();
  }
  clear_errors();
  return std::shared_ptr<const ContextSet>(std::move(set));
}

}  // namespace satchel::tls
