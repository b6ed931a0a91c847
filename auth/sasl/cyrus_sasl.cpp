#include "auth/sasl/cyrus_sasl.h"

#include <sasl/sasl.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "auth/sasl/cyrus_exchange.h"
#include "auth/sqlite/user_name.h"
#include "base/ascii.h"
#include "base/log.h"

namespace satchel::auth {

namespace {

// sasl_callback_t::proc is declared as int (*)(void); each id has its own real signature.
// Casting through void (*)(void) is the one function-pointer cast GCC does not warn about.
template <typename F>
int (*as_proc(F* f))(void) {
  return reinterpret_cast<int (*)(void)>(reinterpret_cast<void (*)(void)>(f));
}

// ---- Process-wide callbacks (sasl_server_init) ----

std::mutex g_init_mu;
bool g_initialised = false;
int g_init_rc = SASL_OK;
std::string g_config_dir;

int log_cb(void*, int level, const char* message) {
  if (message == nullptr) return SASL_OK;
  // SASL_LOG_PASS traces may contain passwords: never logged.
  if (level >= SASL_LOG_PASS) return SASL_OK;
  std::string line = std::string("sasl: ") + message;
  if (level <= SASL_LOG_ERR)
    log::warning(line);
  else if (level <= SASL_LOG_WARN)
    log::info(line);
  else
    log::debug(line);
  return SASL_OK;
}

int getconfpath_cb(void*, char** path) {
  if (path == nullptr || g_config_dir.empty()) return SASL_FAIL;
  // The library frees the path with free().
  *path = ::strdup(g_config_dir.c_str());
  return *path != nullptr ? SASL_OK : SASL_NOMEM;
}

// The library's default mutexes do nothing; the auth process calls it from several threads
// (one per worker channel), and some plugins keep shared state (DIGEST-MD5's reauth cache).
void* mutex_alloc() {
  return new std::mutex;
}
int mutex_lock(void* m) {
  static_cast<std::mutex*>(m)->lock();
  return SASL_OK;
}
int mutex_unlock(void* m) {
  static_cast<std::mutex*>(m)->unlock();
  return SASL_OK;
}
void mutex_free(void* m) {
  delete static_cast<std::mutex*>(m);
}

Status init_process(const std::string& config_dir) {
  std::lock_guard lock(g_init_mu);
  if (g_initialised) {
    if (config_dir != g_config_dir)
      return Error::permanent(
          "CANNOT", "SASL was already initialised with config_dir '" + g_config_dir + "'");
    if (g_init_rc != SASL_OK)
      return Error::temporary("UNAVAILABLE", std::string("sasl_server_init: ") +
                                                 sasl_errstring(g_init_rc, nullptr, nullptr));
    return ok_status();
  }
  g_config_dir = config_dir;
  static sasl_callback_t global[] = {
      {SASL_CB_LOG, as_proc(&log_cb), nullptr},
      {SASL_CB_GETCONFPATH, as_proc(&getconfpath_cb), nullptr},
      {SASL_CB_LIST_END, nullptr, nullptr},
  };
  // Without a configured directory, leave SASL its default search path.
  if (config_dir.empty()) global[1] = {SASL_CB_LIST_END, nullptr, nullptr};
  sasl_set_mutex(&mutex_alloc, &mutex_lock, &mutex_unlock, &mutex_free);
  g_init_rc = sasl_server_init(global, "satchel");
  g_initialised = true;
  if (g_init_rc != SASL_OK)
    return Error::temporary("UNAVAILABLE", std::string("sasl_server_init: ") +
                                               sasl_errstring(g_init_rc, nullptr, nullptr));
  return ok_status();
}

// ---- Per-connection callbacks (context: the CyrusSasl) ----

int getopt_cb(void* context, const char*, const char* option, const char** result, unsigned* len) {
  auto* self = static_cast<CyrusSasl*>(context);
  if (option == nullptr || result == nullptr) return SASL_BADPARAM;
  const std::string* value = nullptr;
  if (std::strcmp(option, "sasldb_path") == 0 && !self->options().sasldb_path.empty())
    value = &self->options().sasldb_path;
  else if (std::strcmp(option, "keytab") == 0 && !self->options().keytab.empty())
    value = &self->options().keytab;
  // Anything else: SASL's own configuration file answers.
  if (value == nullptr) return SASL_FAIL;
  *result = value->c_str();
  if (len != nullptr) *len = static_cast<unsigned>(value->size());
  return SASL_OK;
}

// The name without the default realm the library may append ("alice@example.com" when the
// realm is example.com): Satchel's users and admins are bare names there.
std::string strip_default_realm(std::string name, const std::string& realm) {
  std::size_t at = name.rfind('@');
  if (at != std::string::npos && !realm.empty() &&
      name.compare(at + 1, std::string::npos, realm) == 0)
    name.resize(at);
  return name;
}

// RFC 4422 §3.4.1: the server decides whether the authentication identity may act as the
// requested authorization identity. Satchel allows it for configured admins only.
int proxy_policy_cb(sasl_conn_t* conn, void* context, const char* requested_user, unsigned rlen,
                    const char* auth_identity, unsigned alen, const char*, unsigned,
                    struct propctx*) {
  auto* self = static_cast<CyrusSasl*>(context);
  const std::string& realm = self->options().realm;
  std::string authz = strip_default_realm(
      std::string(requested_user != nullptr ? requested_user : "", rlen), realm);
  std::string authc =
      strip_default_realm(std::string(auth_identity != nullptr ? auth_identity : "", alen), realm);
  if (authz == authc || self->is_admin(authc)) return SASL_OK;
  sasl_seterror(conn, 0, "%s may not act as another user", authc.c_str());
  return SASL_NOAUTHZ;
}

// PLAIN and LOGIN passwords through the configured Satchel backend.
int checkpass_cb(sasl_conn_t*, void* context, const char* user, const char* pass, unsigned passlen,
                 struct propctx*) {
  auto* self = static_cast<CyrusSasl*>(context);
  if (!self->options().userdb || !self->options().checkpass_via_userdb || user == nullptr ||
      pass == nullptr)
    return SASL_NOUSER;
  // SASL hands "user@realm"; Satchel backends know bare names in the default realm.
  std::string name = strip_default_realm(user, self->options().realm);
  auto r =
      self->options().userdb->verify_password(name, SecureString(std::string_view(pass, passlen)));
  if (r.ok()) return SASL_OK;
  return r.error().kind == ErrorKind::Permanent ? SASL_BADAUTH : SASL_UNAVAIL;
}

}  // namespace

CyrusSasl::CyrusSasl(CyrusSaslOptions options) : options_(std::move(options)) {
  policy_.allowed = options_.mechanisms;
  policy_.keytab_configured = !options_.keytab.empty();
  callbacks_ = std::make_unique<sasl_callback_t[]>(5);
  callbacks_[0] = {SASL_CB_GETOPT, as_proc(&getopt_cb), this};
  callbacks_[1] = {SASL_CB_PROXY_POLICY, as_proc(&proxy_policy_cb), this};
  callbacks_[2] = {SASL_CB_SERVER_USERDB_CHECKPASS, as_proc(&checkpass_cb), this};
  callbacks_[3] = {SASL_CB_LOG, as_proc(&log_cb), nullptr};
  callbacks_[4] = {SASL_CB_LIST_END, nullptr, nullptr};
}

CyrusSasl::~CyrusSasl() = default;

const sasl_callback* CyrusSasl::callbacks() const {
  return callbacks_.get();
}

Result<std::unique_ptr<CyrusSasl>> CyrusSasl::create(CyrusSaslOptions options) {
  std::string joined;
  for (const auto& m : options.mechanisms) joined += m + " ";
  auto parsed = parse_mechanism_list(joined);
  if (!parsed.ok()) return parsed.error();
  options.mechanisms = std::move(parsed.value());
  auto probe_location = expand_location(options.mail_location, "user", "/home");
  if (!probe_location.ok()) return probe_location.error();
  auto st = init_process(options.config_dir);
  if (!st.ok()) return st.error();
  std::unique_ptr<CyrusSasl> self(new CyrusSasl(std::move(options)));
  auto probed = self->probe();
  if (!probed.ok()) return probed.error();
  return self;
}

// The mechanisms the plugins offer under SASL's own configuration (its mech_list, if any),
// asked once from a connection with no security restrictions.
Status CyrusSasl::probe() {
  sasl_conn_t* conn = nullptr;
  int rc = sasl_server_new("imap", options_.hostname.empty() ? nullptr : options_.hostname.c_str(),
                           options_.realm.empty() ? nullptr : options_.realm.c_str(), nullptr,
                           nullptr, callbacks(), 0, &conn);
  if (rc != SASL_OK)
    return Error::temporary(
        "UNAVAILABLE", std::string("sasl_server_new: ") + sasl_errstring(rc, nullptr, nullptr));
  const char* list = nullptr;
  rc = sasl_listmech(conn, nullptr, "", " ", "", &list, nullptr, nullptr);
  if (rc == SASL_OK && list != nullptr) {
    std::string_view s(list);
    std::size_t i = 0;
    while (i < s.size()) {
      std::size_t j = s.find(' ', i);
      if (j == std::string_view::npos) j = s.size();
      if (j > i) installed_.push_back(ascii::upper(s.substr(i, j - i)));
      i = j + 1;
    }
  }
  sasl_dispose(&conn);
  if (rc != SASL_OK && rc != SASL_NOMECH)
    return Error::temporary("UNAVAILABLE",
                            std::string("sasl_listmech: ") + sasl_errstring(rc, nullptr, nullptr));
  return ok_status();
}

std::vector<std::string> CyrusSasl::mechanisms(const SaslContext& ctx) const {
  return select_mechanisms(installed_, policy_, ctx);
}

Result<std::unique_ptr<SaslExchange>> CyrusSasl::new_exchange(const SaslContext& ctx) {
  return CyrusExchange::create(*this, ctx);
}

bool CyrusSasl::is_admin(std::string_view authcid) const {
  for (const auto& a : options_.admins)
    if (a == authcid) return true;
  return false;
}

Result<UserRecord> CyrusSasl::record_for(std::string_view user) {
  if (options_.userdb) {
    auto r = options_.userdb->lookup(user);
    if (r.ok() || r.error().kind != ErrorKind::Permanent) return r;
  }
  auto valid = validate_user_name(user);
  if (!valid.ok()) return valid.error();
  UserRecord r;
  r.name = std::string(user);
  r.uid = options_.uid;
  r.gid = options_.gid;
  r.home = options_.mail_root + "/" + r.name;
  auto location = expand_location(options_.mail_location, r.name, r.home);
  if (!location.ok()) return location.error();
  r.mail_location = std::move(location.value());
  return r;
}

}  // namespace satchel::auth
