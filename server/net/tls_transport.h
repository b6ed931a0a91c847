// TlsTransport: the Transport of a TLS connection, over tls::Engine.
#pragma once

#include <memory>

#include "server/net/transport.h"

namespace satchel::tls {
class ContextSet;
}

namespace satchel::server {

// Returns nullptr (and logs) if OpenSSL cannot allocate the connection's state.
std::unique_ptr<Transport> make_tls_transport(std::shared_ptr<const tls::ContextSet> contexts);

}  // namespace satchel::server
