// The TLS server contexts of one listener: one OpenSSL SSL_CTX per certificate, and the choice
// among them by the name the client asks for (SNI, RFC 6066 §3).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "tls/certificate_loader.h"
#include "tls/name_index.h"
#include "tls/server_options.h"
#include "tls/ticket_keys.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX; only tls/ sources include <openssl/ssl.h>.

namespace satchel::tls {

class ContextSet {
 public:
  // Builds the contexts for `options`: every configured certificate, then those found in
  // certificate_dir, each in its own SSL_CTX with the same settings (versions, ciphers, groups,
  // client CAs, ALPN check, session tickets). Certificate names come from the subjectAltName
  // DNS entries (the CN only without any); when two certificates claim one name, the earlier
  // wins and a warning says so.
  //
  // Returns the set, or an Error whose message names the file or option and the reason (the
  // first problem found; nothing is half-loaded). Appends non-fatal findings to `warnings`
  // when not null: certificates expired or expiring within 30 days, names claimed twice.
  // Reads files and may take a few milliseconds per certificate: call at start-up and on
  // reload (SIGHUP), never per connection. A reload is simply a new load(); when it fails the
  // caller keeps the old set. Engines made from the old set keep it alive (shared_ptr) until
  // their connections end, so a reload never disturbs an open connection.
  static Result<std::shared_ptr<const ContextSet>> load(const ServerOptions& options,
                                                        std::vector<std::string>* warnings);

  ~ContextSet();
  ContextSet(const ContextSet&) = delete;
  ContextSet& operator=(const ContextSet&) = delete;

  // Number of certificates (at least one).
  std::size_t size() const { return entries_.size(); }
  // What was loaded, in order; index 0 is the default certificate.
  const CertificateInfo& certificate(std::size_t index) const { return entries_[index].info; }
  // The certificate index for an SNI host name; 0 (the default) when `host` is empty or no
  // certificate covers it.
  std::size_t select(std::string_view host) const;

  // For tls::Engine: the context new connections start with, and the one for an index.
  ssl_ctx_st* default_context() const { return entries_.front().ctx; }
  ssl_ctx_st* context(std::size_t index) const { return entries_[index].ctx; }
  // The listener's ALPN id in wire format (length-prefixed); empty when ALPN is not checked.
  const std::string& alpn_wire() const { return alpn_wire_; }
  // The session ticket keys shared by all contexts of the set (rotated; see ticket_keys.h).
  TicketKeys& ticket_keys() const { return *ticket_keys_; }

 private:
  struct Entry {
    ssl_ctx_st* ctx = nullptr;  // Owned: freed (reference dropped) in ~ContextSet.
    CertificateInfo info;
  };

  ContextSet() = default;
  Status configure(ssl_ctx_st* ctx, const ServerOptions& options, int min_version, int max_version);
  Status add_certificate(const CertificateFiles& files, const ServerOptions& options,
                         int min_version, int max_version, std::vector<std::string>* warnings);

  std::vector<Entry> entries_;
  NameIndex names_;
  std::string alpn_wire_;
  std::unique_ptr<TicketKeys> ticket_keys_;  // Mutable state behind a const set: it locks.
};

// Parses a version name as written in satchel.conf ("TLSv1.2"; case does not matter) into
// OpenSSL's protocol number. `option` names the setting for the error message.
Result<int> parse_tls_version(std::string_view text, std::string_view option);

}  // namespace satchel::tls
