// Listening sockets, created by the master (as root, before privileges are dropped) and
// inherited by the workers, which accept on them from their own loops.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "config/settings.h"

namespace satchel::server {

struct ListenSocket {
  int fd = -1;
  std::string listener;       // [listener NAME]
  std::string bound_address;  // "127.0.0.1:1143" as actually bound (the real port for port 0).
  config::Protocol protocol = config::Protocol::Imap;
  config::TlsMode tls = config::TlsMode::None;
  bool plaintext_auth = false;
};

// Binds every address of every listener (blocking socket calls: start-up only). On failure
// names the listener and address, e.g. "listener 'imap' 127.0.0.1:143: Address already in use".
Result<std::vector<ListenSocket>> bind_listeners(const std::vector<config::Listener>& listeners);

void close_listeners(std::vector<ListenSocket>& sockets);

}  // namespace satchel::server
