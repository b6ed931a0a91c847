// One SASL exchange over a Cyrus sasl_conn_t (internal to auth/sasl; users see SaslExchange).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "auth/api/sasl_exchange.h"

typedef struct sasl_conn sasl_conn_t;

namespace satchel::auth {

class CyrusSasl;

class CyrusExchange : public SaslExchange {
 public:
  // Makes the connection context: no security layer (max_ssf 0), never ANONYMOUS, and no
  // plaintext mechanisms when the context does not allow them.
  static Result<std::unique_ptr<SaslExchange>> create(CyrusSasl& owner, const SaslContext& ctx);

  ~CyrusExchange() override;
  CyrusExchange(const CyrusExchange&) = delete;
  CyrusExchange& operator=(const CyrusExchange&) = delete;

  SaslStep start(std::string_view mechanism,
                 const std::optional<SecureString>& initial_response) override;
  SaslStep step(const SecureString& response) override;

 private:
  enum class State { Fresh, Continuing, Done, Failed };

  CyrusExchange(CyrusSasl& owner, SaslContext ctx, sasl_conn_t* conn);

  // Turns a library result into a step; `out` is the server data that came with it.
  SaslStep outcome(int rc, const char* out, unsigned out_len);
  SaslStep fail(Error error);
  std::string prop_string(int prop) const;
  std::string strip_realm(std::string name) const;

  CyrusSasl& owner_;
  const SaslContext ctx_;
  sasl_conn_t* conn_;
  State state_ = State::Fresh;
};

}  // namespace satchel::auth
