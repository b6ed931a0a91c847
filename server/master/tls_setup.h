// TLS for the listeners: loads the certificates named in the configuration (in the master, as
// root, before privileges are dropped) and makes the per-connection transports the workers use.
#pragma once

#include <functional>
#include <memory>

#include "base/result.h"
#include "config/settings.h"
#include "server/net/transport.h"

namespace satchel::server {

struct TlsSetup {
  // Empty when no certificate is configured (then no TLS listener may exist: the config check
  // refuses it).
  std::function<std::unique_ptr<Transport>(config::Protocol)> make_transport;
};

// Loads every certificate (the first is the default, the rest chosen by SNI) for IMAP and
// POP3 (they differ only in their ALPN id). Errors name the file and the reason; warnings
// (certificates about to expire) are logged.
Result<TlsSetup> load_tls(const config::Settings& settings);

}  // namespace satchel::server
