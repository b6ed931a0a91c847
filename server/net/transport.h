// Transport: a byte transform between the socket and the session (TLS now; COMPRESS later,
// stacked the same way), as Envoy's transport sockets are. Implemented over tls::Engine in
// server/net/tls_transport.cpp.
#pragma once

#include <string>
#include <string_view>

namespace satchel::server {

class Transport {
 public:
  virtual ~Transport() = default;

  // Bytes from the socket. Returns false when the transport failed (the connection closes;
  // `error()` says why).
  virtual bool receive(std::string_view wire_bytes) = 0;
  // Plaintext produced by receive(), taken by the caller.
  virtual std::string take_plaintext() = 0;
  // Plaintext to send; returns false on failure.
  virtual bool send(std::string_view plaintext) = 0;
  // Bytes to write to the socket (handshake records, alerts, encrypted data).
  virtual std::string take_wire_bytes() = 0;
  virtual bool handshake_done() const = 0;
  virtual std::string error() const = 0;
  // A short description for the log, e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384 sni=imap.example.com".
  virtual std::string describe() const = 0;
  // Queues a close_notify.
  virtual void close_notify() = 0;
};

}  // namespace satchel::server
