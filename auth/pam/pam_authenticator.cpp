#include "auth/pam/pam_authenticator.h"

#include <security/pam_appl.h>
#include <string.h>

#include <cstdlib>
#include <cstring>

#include "auth/sqlite/user_name.h"
#include "base/log.h"

namespace satchel::auth {

namespace {

struct ConvData {
  const std::string* user;
  const SecureString* password;
};

// Frees a response array built by the conversation, wiping what was written into it.
void free_responses(pam_response* r, int n) {
  if (r == nullptr) return;
  for (int i = 0; i < n; ++i) {
    if (r[i].resp != nullptr) {
      explicit_bzero(r[i].resp, std::strlen(r[i].resp));
      std::free(r[i].resp);
    }
  }
  std::free(r);
}

// A malloc'ed copy: PAM frees the responses with free(), so they must come from malloc.
char* malloc_copy(std::string_view s) {
  auto* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p == nullptr) return nullptr;
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}

// The PAM conversation: a hidden prompt is the password, a visible one the user name (some
// modules ask for a login name again); informational messages are only logged.
extern "C" int satchel_pam_conv(int num_msg, const struct pam_message** msg,
                                struct pam_response** resp, void* appdata) {
  if (num_msg <= 0 || num_msg > PAM_MAX_NUM_MSG || msg == nullptr || resp == nullptr)
    return PAM_CONV_ERR;
  auto* data = static_cast<ConvData*>(appdata);
  auto* out = static_cast<pam_response*>(
      std::calloc(static_cast<std::size_t>(num_msg), sizeof(pam_response)));
  if (out == nullptr) return PAM_BUF_ERR;
  for (int i = 0; i < num_msg; ++i) {
    const pam_message* m = msg[i];
    switch (m->msg_style) {
      case PAM_PROMPT_ECHO_OFF:
        out[i].resp = malloc_copy(data->password->view());
        break;
      case PAM_PROMPT_ECHO_ON:
        out[i].resp = malloc_copy(*data->user);
        break;
      case PAM_ERROR_MSG:
      case PAM_TEXT_INFO:
        if (m->msg != nullptr) log::debug(std::string("pam: ") + m->msg);
        continue;
      default:
        free_responses(out, num_msg);
        return PAM_CONV_ERR;
    }
    if (out[i].resp == nullptr) {
      free_responses(out, num_msg);
      return PAM_BUF_ERR;
    }
  }
  *resp = out;
  return PAM_SUCCESS;
}

// pam_end on every path.
class PamHandle {
 public:
  PamHandle() = default;
  ~PamHandle() {
    if (h_ != nullptr) pam_end(h_, last_);
  }
  PamHandle(const PamHandle&) = delete;
  PamHandle& operator=(const PamHandle&) = delete;

  pam_handle_t** out() { return &h_; }
  pam_handle_t* get() const { return h_; }
  int track(int rc) {
    last_ = rc;
    return rc;
  }

 private:
  pam_handle_t* h_ = nullptr;
  int last_ = PAM_SUCCESS;
};

Error unavailable(pam_handle_t* h, std::string_view step, int rc) {
  return Error::temporary("UNAVAILABLE", "pam " + std::string(step) + ": " + pam_strerror(h, rc));
}

// PAM_FAIL_DELAY's callback: no pause (see verify_password).
void no_fail_delay(int, unsigned, void*) {}

}  // namespace

bool pam_is_refusal(int pam_code) {
  switch (pam_code) {
    case PAM_AUTH_ERR:
    case PAM_USER_UNKNOWN:
    case PAM_MAXTRIES:
    case PAM_CRED_INSUFFICIENT:
    case PAM_PERM_DENIED:
    case PAM_ACCT_EXPIRED:
    case PAM_NEW_AUTHTOK_REQD:
    case PAM_AUTHTOK_EXPIRED:
      return true;
    default:
      return false;
  }
}

std::string pam_refusal_reason(int pam_code, bool account_step) {
  switch (pam_code) {
    case PAM_ACCT_EXPIRED:
      return "account expired";
    case PAM_NEW_AUTHTOK_REQD:
    case PAM_AUTHTOK_EXPIRED:
      return "password expired";
    case PAM_PERM_DENIED:
      return account_step ? "account locked or access denied" : "access denied";
    case PAM_MAXTRIES:
      return "too many attempts";
    default:
      // Say which answer it was: the log is where an administrator finds out why.
      if (account_step) return std::string("account refused: ") + pam_strerror(nullptr, pam_code);
      return "authentication failed";
  }
}

Result<std::string> expand_pam_location(std::string_view templ, std::string_view user,
                                        std::string_view home) {
  auto expanded = expand_location(templ, user, home);
  if (!expanded.ok()) return expanded.error();
  std::string s = std::move(expanded.value());
  // "~" opens the path part, which follows the "driver:" prefix when there is one.
  std::size_t colon = s.find(':');
  std::size_t start = colon == std::string::npos ? 0 : colon + 1;
  if (start < s.size() && s[start] == '~' && (start + 1 == s.size() || s[start + 1] == '/'))
    s.replace(start, 1, home);
  return s;
}

PamAuthenticator::PamAuthenticator(PamOptions options, PasswdLookup passwd)
    : options_(std::move(options)), passwd_(std::move(passwd)) {
  SATCHEL_ASSERT(passwd_ != nullptr);
}

Result<UserRecord> PamAuthenticator::record_for(std::string_view user) {
  auto pw = passwd_(user);
  if (!pw.ok()) return pw.error();
  if (pw->uid < options_.first_valid_uid)
    return Error::permanent(
        "NONEXISTENT", "system user '" + std::string(user) + "' has a uid below first_valid_uid");
  auto location = expand_pam_location(options_.mail_location, pw->name, pw->home);
  if (!location.ok()) return location.error();
  UserRecord r;
  r.name = pw->name;
  r.uid = pw->uid;
  r.gid = pw->gid;
  r.home = pw->home;
  r.mail_location = std::move(location.value());
  return r;
}

Result<UserRecord> PamAuthenticator::verify_password(std::string_view user,
                                                     const SecureString& password) {
  // An empty password never logs in, whatever a module's nullok says. PAM takes C strings: a
  // NUL inside would cut the password short, so "right\0anything" must not reach it.
  if (user.empty() || password.empty() || user.find('\0') != std::string_view::npos ||
      password.view().find('\0') != std::string_view::npos)
    return Error::permanent("AUTHENTICATIONFAILED", "authentication failed");

  std::string name(user);
  ConvData data{&name, &password};
  struct pam_conv conv {
    satchel_pam_conv, &data
  };
  PamHandle h;
  int rc = pam_start(options_.service.c_str(), name.c_str(), &conv, h.out());
  if (rc != PAM_SUCCESS) return unavailable(h.get(), "start", rc);
  // Modules ask for a pause after a failure (pam_unix: 2 s, pam_faildelay); Satchel's growing
  // per-user+IP delay replaces it, so an auth thread is not held for nothing.
  pam_set_item(h.get(), PAM_FAIL_DELAY, reinterpret_cast<const void*>(&no_fail_delay));

  rc = h.track(pam_authenticate(h.get(), PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK));
  if (rc != PAM_SUCCESS) {
    if (pam_is_refusal(rc))
      return Error::permanent("AUTHENTICATIONFAILED", pam_refusal_reason(rc, false));
    return unavailable(h.get(), "authenticate", rc);
  }
  rc = h.track(pam_acct_mgmt(h.get(), PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK));
  if (rc != PAM_SUCCESS) {
    if (pam_is_refusal(rc))
      return Error::permanent("AUTHENTICATIONFAILED", pam_refusal_reason(rc, true));
    return unavailable(h.get(), "acct_mgmt", rc);
  }

  // A module may map the login name to another account (PAM_USER): that one owns the mail.
  const void* item = nullptr;
  if (pam_get_item(h.get(), PAM_USER, &item) == PAM_SUCCESS && item != nullptr)
    name = static_cast<const char*>(item);

  auto record = record_for(name);
  if (!record.ok()) {
    if (record.error().kind == ErrorKind::Permanent)
      return Error::permanent("AUTHENTICATIONFAILED",
                              "no usable system account: " + record.error().message);
    return record.error();
  }
  return record;
}

Result<UserRecord> PamAuthenticator::lookup(std::string_view user) {
  return record_for(user);
}

}  // namespace satchel::auth
