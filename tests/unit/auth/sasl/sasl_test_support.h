// Test helpers for the Cyrus SASL backend: a sasldb made with the real saslpasswd2, and a real
// SASL client (the library's client API with the installed plugins) that drives an exchange
// against a SaslExchange, as an IMAP or POP3 client would through AUTHENTICATE / AUTH.
#pragma once

#include <sasl/sasl.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "auth/api/sasl_exchange.h"

namespace satchel::testing {

inline constexpr const char* kRealm = "satchel.test";
inline constexpr const char* kHost = "localhost";

// Adds a user to a sasldb file (created when missing) with saslpasswd2 -p (password on stdin).
inline void saslpasswd(const std::string& db, const std::string& user, const std::string& pw) {
  const char* tool = "/usr/sbin/saslpasswd2";
  std::string cmd = std::string(tool) + " -p -c -f '" + db + "' -u " + kRealm + " '" + user + "'";
  std::FILE* p = ::popen(cmd.c_str(), "w");
  REQUIRE_MESSAGE(p != nullptr, "cannot run saslpasswd2 (install sasl2-bin)");
  std::fwrite(pw.data(), 1, pw.size(), p);
  int status = ::pclose(p);
  REQUIRE_MESSAGE(status == 0, "saslpasswd2 failed for " << user);
}

struct ClientCreds {
  std::string authcid;
  std::string password;
  std::string authzid;  // Empty: none.
};

// One client connection of the SASL client library.
class SaslClient {
 public:
  SaslClient(const ClientCreds& creds, const std::string& service) : creds_(creds) {
    static const int init = sasl_client_init(nullptr);
    REQUIRE(init == SASL_OK);
    secret_.resize(sizeof(sasl_secret_t) + creds_.password.size() + 1);
    auto* s = reinterpret_cast<sasl_secret_t*>(secret_.data());
    s->len = creds_.password.size();
    std::memcpy(s->data, creds_.password.data(), creds_.password.size());
    callbacks_ = {
        {SASL_CB_AUTHNAME, proc(&simple), this},
        {SASL_CB_USER, proc(&simple), this},
        {SASL_CB_PASS, proc(&pass), this},
        {SASL_CB_LIST_END, nullptr, nullptr},
    };
    REQUIRE(sasl_client_new(service.c_str(), kHost, nullptr, nullptr, callbacks_.data(), 0,
                            &conn_) == SASL_OK);
    sasl_security_properties_t props{};
    props.max_ssf = 0;
    props.maxbufsize = 0;
    REQUIRE(sasl_setprop(conn_, SASL_SEC_PROPS, &props) == SASL_OK);
  }
  ~SaslClient() { sasl_dispose(&conn_); }
  SaslClient(const SaslClient&) = delete;
  SaslClient& operator=(const SaslClient&) = delete;

  // Starts `mech`; returns the initial response, if the mechanism has one.
  std::optional<std::string> start(const std::string& mech) {
    const char* out = nullptr;
    unsigned len = 0;
    const char* chosen = nullptr;
    int rc = sasl_client_start(conn_, mech.c_str(), nullptr, &out, &len, &chosen);
    REQUIRE_MESSAGE((rc == SASL_OK || rc == SASL_CONTINUE),
                    "sasl_client_start " << mech << ": " << sasl_errdetail(conn_));
    if (out == nullptr) return std::nullopt;
    return std::string(out, len);
  }

  // Answers a challenge. Returns the response, or nullopt when the client refuses (e.g. a
  // server signature that does not verify).
  std::optional<std::string> step(std::string_view challenge, int* rc_out = nullptr) {
    const char* out = nullptr;
    unsigned len = 0;
    int rc = sasl_client_step(conn_, challenge.data(), static_cast<unsigned>(challenge.size()),
                              nullptr, &out, &len);
    if (rc_out != nullptr) *rc_out = rc;
    if (rc != SASL_OK && rc != SASL_CONTINUE) return std::nullopt;
    return std::string(out != nullptr ? out : "", out != nullptr ? len : 0);
  }

 private:
  template <typename F>
  static int (*proc(F* f))(void) {
    return reinterpret_cast<int (*)(void)>(reinterpret_cast<void (*)(void)>(f));
  }
  static int simple(void* ctx, int id, const char** result, unsigned* len) {
    auto* self = static_cast<SaslClient*>(ctx);
    const std::string& v = id == SASL_CB_AUTHNAME ? self->creds_.authcid : self->creds_.authzid;
    *result = v.c_str();
    if (len != nullptr) *len = static_cast<unsigned>(v.size());
    return SASL_OK;
  }
  static int pass(sasl_conn_t*, void* ctx, int, sasl_secret_t** psecret) {
    auto* self = static_cast<SaslClient*>(ctx);
    *psecret = reinterpret_cast<sasl_secret_t*>(self->secret_.data());
    return SASL_OK;
  }

  ClientCreds creds_;
  std::vector<unsigned char> secret_;
  std::vector<sasl_callback_t> callbacks_;
  sasl_conn_t* conn_ = nullptr;
};

// The outcome of a whole exchange, as the protocol layer would see it.
struct Outcome {
  bool done = false;
  auth::SaslDone success;
  auth::SaslFailed failure;
  int round_trips = 0;
};

// Runs `mech` between a real client and `exchange`. With `initial_response`, the client's
// first message goes on the command line (SASL-IR); without, the server's empty challenge
// asks for it.
inline Outcome run_exchange(auth::SaslExchange& exchange, SaslClient& client,
                            const std::string& mech, bool initial_response) {
  Outcome o;
  std::optional<std::string> first = client.start(mech);
  // Server-first mechanisms (CRAM-MD5, DIGEST-MD5) give an empty initial "response": none.
  if (first && first->empty()) first.reset();
  std::optional<SecureString> ir;
  if (initial_response && first) ir = SecureString(*first);
  auth::SaslStep st = exchange.start(mech, ir);
  bool first_pending = first.has_value() && !ir.has_value();
  for (int guard = 0; guard < 10; ++guard) {
    if (auto* c = std::get_if<auth::SaslContinue>(&st)) {
      ++o.round_trips;
      std::string response;
      if (first_pending && c->challenge.empty()) {
        // The server's empty challenge stands for "send your initial response".
        response = *first;
        first_pending = false;
      } else {
        // A server-first mechanism challenged at once: the client's optional first message
        // (DIGEST-MD5's reauthentication) is dropped and the challenge answered instead.
        first_pending = false;
        auto r = client.step(c->challenge.view());
        if (!r) {
          o.failure.error = Error::permanent("CLIENT", "client refused the challenge");
          return o;
        }
        response = *r;
      }
      st = exchange.step(SecureString(response));
      continue;
    }
    if (auto* d = std::get_if<auth::SaslDone>(&st)) {
      o.success = *d;
      o.done = true;
      return o;
    }
    o.failure = std::get<auth::SaslFailed>(st);
    return o;
  }
  FAIL("the exchange did not end");
  return o;
}

}  // namespace satchel::testing
