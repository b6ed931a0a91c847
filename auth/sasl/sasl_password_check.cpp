#include "auth/sasl/sasl_password_check.h"

#include <sasl/sasl.h>

#include <string>

namespace satchel::auth {

namespace {

// A sasl_conn_t for one check, disposed of with the object.
class Conn {
 public:
  explicit Conn(const CyrusSasl& sasl) {
    const auto& o = sasl.options();
    rc_ = sasl_server_new("imap", o.hostname.empty() ? nullptr : o.hostname.c_str(),
                          o.realm.empty() ? nullptr : o.realm.c_str(), nullptr, nullptr,
                          sasl.callbacks(), 0, &conn_);
  }
  ~Conn() {
    if (conn_ != nullptr) sasl_dispose(&conn_);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  sasl_conn_t* get() const { return conn_; }
  int rc() const { return rc_; }

 private:
  sasl_conn_t* conn_ = nullptr;
  int rc_ = SASL_FAIL;
};

Error unavailable(const char* what, int rc) {
  return Error::temporary("UNAVAILABLE",
                          std::string(what) + ": " + sasl_errstring(rc, nullptr, nullptr));
}

// "No" rather than "cannot answer now".
bool is_refusal(int rc) {
  return rc == SASL_BADAUTH || rc == SASL_NOUSER || rc == SASL_NOVERIFY || rc == SASL_DISABLED ||
         rc == SASL_EXPIRED || rc == SASL_BADPARAM;
}

}  // namespace

Result<std::unique_ptr<SaslPasswordCheck>> SaslPasswordCheck::create(CyrusSaslOptions options) {
  options.userdb = nullptr;
  options.checkpass_via_userdb = false;
  options.mechanisms.clear();
  auto sasl = CyrusSasl::create(std::move(options));
  if (!sasl.ok()) return sasl.error();
  return std::unique_ptr<SaslPasswordCheck>(new SaslPasswordCheck(std::move(sasl.value())));
}

Result<UserRecord> SaslPasswordCheck::verify_password(std::string_view user,
                                                      const SecureString& password) {
  Conn conn(*sasl_);
  if (conn.rc() != SASL_OK) return unavailable("sasl_server_new", conn.rc());
  std::string name(user);
  int rc = sasl_checkpass(conn.get(), name.data(), static_cast<unsigned>(name.size()),
                          password.c_str(), static_cast<unsigned>(password.size()));
  if (rc == SASL_OK) {
    auto record = sasl_->record_for(user);
    // A name SASL accepts but Satchel cannot use as a mailbox owner is a refusal too.
    if (!record.ok() && record.error().kind == ErrorKind::Permanent)
      return Error::permanent("AUTHENTICATIONFAILED", record.error().message);
    return record;
  }
  if (is_refusal(rc)) return Error::permanent("AUTHENTICATIONFAILED", "authentication failed");
  return unavailable("sasl_checkpass", rc);
}

Result<UserRecord> SaslPasswordCheck::lookup(std::string_view user) {
  Conn conn(*sasl_);
  if (conn.rc() != SASL_OK) return unavailable("sasl_server_new", conn.rc());
  const auto& o = sasl_->options();
  std::string name(user);
  int rc = sasl_user_exists(conn.get(), "imap", o.realm.empty() ? nullptr : o.realm.c_str(),
                            name.c_str());
  if (rc == SASL_OK) return sasl_->record_for(user);
  if (is_refusal(rc)) return Error::permanent("NONEXISTENT", "no such user");
  return unavailable("sasl_user_exists", rc);
}

}  // namespace satchel::auth
