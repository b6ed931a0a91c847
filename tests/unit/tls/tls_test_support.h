// Helpers for the tls/ unit tests: certificates made by tools/gen_test_cert.sh in a temporary
// directory, and an OpenSSL client with memory BIOs to talk to a tls::Engine without sockets.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tls/engine.h"

namespace satchel::tls::test {

namespace fs = std::filesystem;

inline fs::path gen_script() {
  return fs::path(__FILE__).parent_path() / "../../../tools/gen_test_cert.sh";
}

// A directory under $TMPDIR (or /tmp), removed with everything in it when this object dies.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/satchel-tls-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// Runs gen_test_cert.sh DIR NAMES... (with GEN_TEST_CERT_DAYS=days); true on success.
inline bool generate(const fs::path& dir, std::initializer_list<std::string> names,
                     int days = 365) {
  std::string cmd = "GEN_TEST_CERT_DAYS=" + std::to_string(days) + " sh " +
                    shell_quote(gen_script().string()) + " " + shell_quote(dir.string());
  for (const std::string& n : names) cmd += " " + shell_quote(n);
  return std::system(cmd.c_str()) == 0;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::string& path, const std::string& data, mode_t mode = 0600) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
  }
  ::chmod(path.c_str(), mode);
}

// Options with the given certificates (cert DIR/NAME.pem, key DIR/NAME.key), first = default.
inline ServerOptions options_for(const TempDir& dir, std::initializer_list<std::string> files,
                                 std::string alpn = "imap") {
  ServerOptions o;
  for (const std::string& f : files)
    o.certificates.push_back({f, dir.file(f + ".pem"), dir.file(f + ".key")});
  o.alpn = std::move(alpn);
  return o;
}

// The client end: an OpenSSL client SSL with its own memory BIOs, verifying the server against
// the test CA.
class Client {
 public:
  struct Settings {
    std::string ca_file;
    std::string sni;                // Empty: no SNI extension.
    std::vector<std::string> alpn;  // Empty: no ALPN extension.
    int max_version = 0;            // 0: newest.
    int min_version = 0;
    std::string cert_file, key_file;  // Client certificate, optional.
    SSL_SESSION* session = nullptr;   // A session to resume, optional (not owned).
  };

  explicit Client(const Settings& s) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (s.min_version != 0 || s.max_version != 0) {
      // Old versions need SHA-1 signatures, which OpenSSL 3 refuses above security level 0.
      SSL_CTX_set_security_level(ctx_, 0);
      SSL_CTX_set_min_proto_version(ctx_, s.min_version);
      SSL_CTX_set_max_proto_version(ctx_, s.max_version);
    }
    if (!s.ca_file.empty()) {
      SSL_CTX_load_verify_locations(ctx_, s.ca_file.c_str(), nullptr);
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    }
    if (!s.cert_file.empty()) {
      SSL_CTX_use_certificate_file(ctx_, s.cert_file.c_str(), SSL_FILETYPE_PEM);
      SSL_CTX_use_PrivateKey_file(ctx_, s.key_file.c_str(), SSL_FILETYPE_PEM);
    }
    ssl_ = SSL_new(ctx_);
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in_, -1);
    BIO_set_mem_eof_return(out_, -1);
    SSL_set_bio(ssl_, in_, out_);
    SSL_set_connect_state(ssl_);
    if (s.session != nullptr) SSL_set_session(ssl_, s.session);
    if (!s.sni.empty())  // SSL_set_tlsext_host_name() without its C-style cast.
      SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(s.sni.c_str()));
    if (!s.alpn.empty()) {
      std::string wire;
      for (const std::string& p : s.alpn) wire += static_cast<char>(p.size()) + p;
      SSL_set_alpn_protos(ssl_, reinterpret_cast<const unsigned char*>(wire.data()),
                          static_cast<unsigned>(wire.size()));
    }
  }
  ~Client() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  SSL* ssl() { return ssl_; }

  // Drives the client: handshake, then reads whatever plaintext arrived.
  void step() {
    if (!SSL_is_init_finished(ssl_)) {
      int rc = SSL_do_handshake(ssl_);
      if (rc != 1) {
        int err = SSL_get_error(ssl_, rc);
        if (err != SSL_ERROR_WANT_READ) failed_ = true;
        ERR_clear_error();
        return;
      }
    }
    char buf[4096];
    for (;;) {
      size_t got = 0;
      if (SSL_read_ex(ssl_, buf, sizeof buf, &got) == 1) {
        received_.append(buf, got);
        continue;
      }
      int err = SSL_get_error(ssl_, 0);
      if (err == SSL_ERROR_ZERO_RETURN)
        closed_ = true;
      else if (err != SSL_ERROR_WANT_READ)
        failed_ = true;
      ERR_clear_error();
      return;
    }
  }
  void feed(const std::string& bytes) {
    if (!bytes.empty()) BIO_write(in_, bytes.data(), static_cast<int>(bytes.size()));
  }
  std::string take() {
    std::string out(BIO_ctrl_pending(out_), '\0');
    if (!out.empty()) BIO_read(out_, out.data(), static_cast<int>(out.size()));
    return out;
  }
  void write(const std::string& plain) {
    size_t written = 0;
    if (SSL_write_ex(ssl_, plain.data(), plain.size(), &written) != 1) failed_ = true;
    ERR_clear_error();
  }
  bool done() const { return SSL_is_init_finished(ssl_) != 0; }
  bool failed() const { return failed_; }
  bool closed() const { return closed_; }
  std::string take_received() {
    std::string out;
    out.swap(received_);
    return out;
  }
  // The DNS names of the certificate the server presented.
  std::vector<std::string> server_names() const {
    std::vector<std::string> names;
    X509* cert = SSL_get0_peer_certificate(ssl_);
    if (cert == nullptr) return names;
    auto* sans =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans); ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
      if (gn->type == GEN_DNS)
        names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName)),
                           static_cast<size_t>(ASN1_STRING_length(gn->d.dNSName)));
    }
    GENERAL_NAMES_free(sans);
    return names;
  }
  long verify_result() const { return SSL_get_verify_result(ssl_); }
  bool session_reused() const { return SSL_session_reused(ssl_) == 1; }

 private:
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;
  BIO* out_ = nullptr;
  bool failed_ = false;
  bool closed_ = false;
  std::string received_;
};

// Moves bytes between client and engine until neither has anything more to say. Returns the
// number of round trips, and stops early when either side failed. The engine's plaintext is
// appended to *server_plain when given.
inline int pump(Client& client, Engine& engine, std::string* server_plain = nullptr,
                bool* handshake_event = nullptr) {
  int rounds = 0;
  for (; rounds < 20; ++rounds) {
    client.step();
    std::string c2s = client.take();
    if (!c2s.empty()) engine.feed_ciphertext(c2s);
    Engine::Progress p = engine.process();
    if (p.handshake_completed && handshake_event != nullptr) *handshake_event = true;
    std::string s2c = engine.take_ciphertext();
    if (server_plain != nullptr) *server_plain += engine.take_plaintext();
    client.feed(s2c);
    if (c2s.empty() && s2c.empty()) break;
    if (p.state == Engine::State::Failed) {
      client.step();
      break;
    }
  }
  return rounds;
}

}  // namespace satchel::tls::test

namespace satchel::tls::test {

// One set of certificates shared by the tests of this executable (made once; read-only):
// default.example.com, imap.example.com, mail.example.com, *.wild.example.com (files
// _.wild.example.com.*), and legacy.example.com with a CN but no subjectAltName.
inline const TempDir& shared_certs() {
  static TempDir dir;
  static bool made =
      generate(dir.path(), {"default.example.com", "imap.example.com", "mail.example.com",
                            "*.wild.example.com", "cn:legacy.example.com"});
  if (!made) std::abort();
  return dir;
}

}  // namespace satchel::tls::test
