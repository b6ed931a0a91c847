#include "server/master/tls_setup.h"

#include "base/log.h"
#include "server/net/tls_transport.h"
#include "tls/context_set.h"

namespace satchel::server {
namespace {

tls::ServerOptions options_for(const config::Tls& t, const char* alpn) {
  tls::ServerOptions o;
  for (const auto& c : t.certificates) o.certificates.push_back({c.name, c.cert_file, c.key_file});
  o.certificate_dir = t.certificate_dir;
  o.min_version = t.min_version;
  o.max_version = t.max_version;
  o.ciphers = t.ciphers;
  o.ciphersuites = t.ciphersuites;
  o.groups = t.groups;
  o.client_ca_file = t.client_ca_file;
  o.alpn = alpn;
  return o;
}

}  // namespace

Result<TlsSetup> load_tls(const config::Settings& settings) {
  TlsSetup setup;
  if (settings.tls.certificates.empty() && settings.tls.certificate_dir.empty()) return setup;
  std::vector<std::string> warnings;
  // RFC 7301 ids registered for IMAP and POP3; the sets differ only in this check.
  auto imap = tls::ContextSet::load(options_for(settings.tls, "imap"), &warnings);
  if (!imap) return imap.error();
  auto pop3 = tls::ContextSet::load(options_for(settings.tls, "pop3"), nullptr);
  if (!pop3) return pop3.error();
  for (const auto& w : warnings) log::warning("tls: " + w);
  std::shared_ptr<const tls::ContextSet> imap_set = *imap;
  std::shared_ptr<const tls::ContextSet> pop3_set = *pop3;
  setup.make_transport = [imap_set, pop3_set](config::Protocol protocol) {
    return make_tls_transport(protocol == config::Protocol::Imap ? imap_set : pop3_set);
  };
  return setup;
}

}  // namespace satchel::server
