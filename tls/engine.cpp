#include "tls/engine.h"

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>

#include "tls/openssl_error.h"

namespace satchel::tls {
namespace {

// A memory BIO keeps its largest-ever buffer. Once drained, one that grew past this is
// replaced by a fresh one, so an idle connection does not keep the memory of its biggest
// FETCH (DESIGN.md: memory per idle session).
constexpr std::size_t kRetainedBioBytes = 4096;

// Chunk size for handing large spans to OpenSSL, whose lengths are ints.
constexpr std::size_t kChunk = 1 << 20;

BIO* new_memory_bio() {
  BIO* bio = BIO_new(BIO_s_mem());
  // An empty BIO means "no data yet, retry", not end of file.
  if (bio != nullptr) BIO_set_mem_eof_return(bio, -1);
  return bio;
}

std::size_t bio_capacity(BIO* bio) {
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio, &mem);
  return mem == nullptr ? 0 : mem->max;
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::create(std::shared_ptr<const ContextSet> contexts) {
  SATCHEL_ASSERT(contexts != nullptr);
  clear_errors();
  SSL* ssl = SSL_new(contexts->default_context());
  BIO* in = new_memory_bio();
  BIO* out = new_memory_bio();
  if (ssl == nullptr || in == nullptr || out == nullptr) {
    SSL_free(ssl);
    BIO_free(in);
    BIO_free(out);
    return Error::internal("cannot create a TLS connection: " + last_error_string());
  }
  SSL_set_bio(ssl, in, out);  // The SSL owns both BIOs from here.
  SSL_set_accept_state(ssl);
  return std::unique_ptr<Engine>(new Engine(std::move(contexts), ssl, in, out));
}

Engine::Engine(std::shared_ptr<const ContextSet> contexts, SSL* ssl, BIO* in, BIO* out)
    : contexts_(std::move(contexts)), ssl_(ssl), in_(in), out_(out) {}

Engine::~Engine() {
  SSL_free(ssl_);
}

void Engine::fail(std::string reason) {
  state_ = State::Failed;
  error_ = std::move(reason);
  pending_plaintext_.clear();
}

void Engine::feed_ciphertext(std::span<const char> bytes) {
  // RFC 8446 §6.1: data after close_notify is ignored; after a failure nothing is read.
  if (state_ == State::Failed || state_ == State::Closed) return;
  while (!bytes.empty()) {
    std::size_t n = std::min(bytes.size(), kChunk);
    if (BIO_write(in_, bytes.data(), static_cast<int>(n)) != static_cast<int>(n)) {
      fail("out of memory: " + last_error_string());
      return;
    }
    bytes = bytes.subspan(n);
  }
}

Engine::Progress Engine::process() {
  Progress progress;
  if (state_ == State::Failed || state_ == State::Closed) {
    progress.state = state_;
    return progress;
  }
  clear_errors();
  if (state_ == State::Handshaking) {
    int rc = SSL_do_handshake(ssl_);
    if (rc != 1) {
      int err = SSL_get_error(ssl_, rc);
      if (err == SSL_ERROR_WANT_READ) {
        clear_errors();
        release_idle_buffers();
        progress.state = state_;
        return progress;
      }
      fail(last_error_string("handshake failed"));
      progress.state = state_;
      return progress;
    }
    state_ = State::Open;
    progress.handshake_completed = true;
    if (!pending_plaintext_.empty()) {
      std::string queued = std::move(pending_plaintext_);
      pending_plaintext_.clear();
      if (!encrypt(queued)) {
        progress.state = state_;
        return progress;
      }
    }
  }

  char buf[16 * 1024];
  for (;;) {
    std::size_t got = 0;
    int rc = SSL_read_ex(ssl_, buf, sizeof buf, &got);
    if (rc == 1) {
      plaintext_.append(buf, got);
      continue;
    }
    int err = SSL_get_error(ssl_, 0);
    if (err == SSL_ERROR_WANT_READ) break;
    if (err == SSL_ERROR_ZERO_RETURN) {
      state_ = State::Closed;  // RFC 8446 §6.1: close_notify; nothing more will come.
      break;
    }
    fail(last_error_string("TLS record error"));
    break;
  }
  clear_errors();
  release_idle_buffers();
  progress.state = state_;
  return progress;
}

std::string Engine::take_plaintext() {
  std::string out;
  out.swap(plaintext_);
  return out;
}

Status Engine::encrypt(std::span<const char> bytes) {
  clear_errors();
  while (!bytes.empty()) {
    std::size_t n = std::min(bytes.size(), kChunk);
    std::size_t written = 0;
    // Memory BIOs never refuse bytes, so without partial-write mode SSL_write_ex takes all.
    if (SSL_write_ex(ssl_, bytes.data(), n, &written) != 1 || written != n) {
      fail(last_error_string("TLS write failed"));
      return Error::permanent("", "TLS write failed: " + error_);
    }
    bytes = bytes.subspan(n);
  }
  return ok_status();
}

Status Engine::write_plaintext(std::span<const char> bytes) {
  if (state_ == State::Failed) return Error::permanent("", "TLS connection failed: " + error_);
  if (shutdown_sent_) return Error::permanent("", "TLS connection already shut down");
  if (bytes.empty()) return ok_status();
  if (state_ == State::Handshaking) {
    pending_plaintext_.append(bytes.data(), bytes.size());
    return ok_status();
  }
  return encrypt(bytes);
}

std::string Engine::take_ciphertext() {
  std::string out;
  std::size_t pending = BIO_ctrl_pending(out_);
  if (pending > 0) {
    out.resize(pending);
    int n = BIO_read(out_, out.data(), static_cast<int>(std::min<std::size_t>(pending, INT_MAX)));
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  }
  release_idle_buffers();
  return out;
}

bool Engine::has_ciphertext() const {
  return BIO_ctrl_pending(out_) > 0;
}

void Engine::shutdown() {
  if (shutdown_sent_ || !handshake_done()) return;
  shutdown_sent_ = true;
  // One call queues close_notify; waiting for the peer's is pointless, since the connection
  // is about to be closed.
  SSL_shutdown(ssl_);
  clear_errors();
}

void Engine::release_idle_buffers() {
  if (BIO_ctrl_pending(in_) == 0 && bio_capacity(in_) > kRetainedBioBytes) {
    if (BIO* fresh = new_memory_bio(); fresh != nullptr) {
      SSL_set0_rbio(ssl_, fresh);  // Frees the old one.
      in_ = fresh;
    }
  }
  if (BIO_ctrl_pending(out_) == 0 && bio_capacity(out_) > kRetainedBioBytes) {
    if (BIO* fresh = new_memory_bio(); fresh != nullptr) {
      SSL_set0_wbio(ssl_, fresh);
      out_ = fresh;
    }
  }
  clear_errors();
}

std::string Engine::sni() const {
  if (!handshake_done()) return {};
  const char* host = SSL_get_servername(ssl_, TLSEXT_NAMETYPE_host_name);
  return host == nullptr ? std::string() : std::string(host);
}

std::string Engine::protocol_version() const {
  return handshake_done() ? std::string(SSL_get_version(ssl_)) : std::string();
}

std::string Engine::cipher() const {
  if (!handshake_done()) return {};
  const char* name = SSL_get_cipher_name(ssl_);
  return name == nullptr ? std::string() : std::string(name);
}

std::string Engine::alpn() const {
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(ssl_, &data, &len);
  if (data == nullptr || len == 0) return {};
  return std::string(reinterpret_cast<const char*>(data), len);
}

std::string Engine::certificate_file() const {
  SSL_CTX* current = SSL_get_SSL_CTX(ssl_);
  for (std::size_t i = 0; i < contexts_->size(); ++i)
    if (contexts_->context(i) == current) return contexts_->certificate(i).cert_file;
  return {};
}

std::string Engine::peer_subject() const {
  X509* peer = SSL_get0_peer_certificate(ssl_);
  if (peer == nullptr || SSL_get_verify_result(ssl_) != X509_V_OK) return {};
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return {};
  std::string out;
  if (X509_NAME_print_ex(bio, X509_get_subject_name(peer), 0, XN_FLAG_RFC2253) >= 0) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    if (data != nullptr && len > 0) out.assign(data, static_cast<std::size_t>(len));
  }
  BIO_free(bio);
  clear_errors();
  return out;
}

}  // namespace satchel::tls
