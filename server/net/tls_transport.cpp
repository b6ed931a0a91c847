#include "server/net/tls_transport.h"

#include "base/log.h"
#include "tls/engine.h"

namespace satchel::server {
namespace {

class TlsTransport : public Transport {
 public:
  explicit TlsTransport(std::unique_ptr<tls::Engine> engine) : engine_(std::move(engine)) {}

  bool receive(std::string_view wire_bytes) override {
    engine_->feed_ciphertext(wire_bytes);
    auto progress = engine_->process();
    if (progress.state == tls::Engine::State::Failed) return false;
    if (progress.state == tls::Engine::State::Closed) {
      peer_closed_ = true;
      return false;
    }
    return true;
  }

  std::string take_plaintext() override { return engine_->take_plaintext(); }

  bool send(std::string_view plaintext) override {
    return static_cast<bool>(engine_->write_plaintext(plaintext));
  }

  std::string take_wire_bytes() override { return engine_->take_ciphertext(); }
  bool handshake_done() const override { return engine_->handshake_done(); }

  std::string error() const override {
    return peer_closed_ ? std::string("closed by the client") : engine_->error();
  }

  std::string describe() const override {
    std::string sni = engine_->sni();
    return engine_->protocol_version() + " " + engine_->cipher() +
           (sni.empty() ? std::string() : " sni=" + sni);
  }

  void close_notify() override { engine_->shutdown(); }

 private:
  std::unique_ptr<tls::Engine> engine_;
  bool peer_closed_ = false;
};

}  // namespace

std::unique_ptr<Transport> make_tls_transport(std::shared_ptr<const tls::ContextSet> contexts) {
  auto engine = tls::Engine::create(std::move(contexts));
  if (!engine) {
    log::error("tls: " + engine.error().message);
    return nullptr;
  }
  return std::make_unique<TlsTransport>(std::move(*engine));
}

}  // namespace satchel::server
