#include "auth/sqlite/password_hash.h"

#include <crypt.h>

#include <cstring>
#include <memory>

namespace satchel::auth {

namespace {

// struct crypt_data is about 32 kB and holds the passphrase and intermediate state: keep it
// off the stack of pool threads and wipe it after use.
struct CryptScratch {
  CryptScratch() : data(std::make_unique<crypt_data>()) {
    std::memset(data.get(), 0, sizeof *data);
  }
  ~CryptScratch() {
    // A volatile pointer keeps the compiler from dropping the wipe of memory about to be freed.
    volatile unsigned char* p = reinterpret_cast<volatile unsigned char*>(data.get());
    for (std::size_t i = 0; i < sizeof(crypt_data); ++i) p[i] = 0;
  }
  CryptScratch(const CryptScratch&) = delete;
  CryptScratch& operator=(const CryptScratch&) = delete;

  std::unique_ptr<crypt_data> data;
};

bool usable_password(const SecureString& password) {
  return !password.empty() && password.size() < CRYPT_MAX_PASSPHRASE_SIZE &&
         password.view().find('\0') == std::string_view::npos;
}

}  // namespace

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  volatile unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff = static_cast<unsigned char>(
        diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
  return diff == 0;
}

Result<std::string> hash_password(const SecureString& password) {
  if (!usable_password(password))
    return Error::permanent("CANNOT", "password must be 1 to 511 bytes without NUL");
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  // A null rbytes asks libxcrypt for its own random bytes from the OS; count 0 is the default
  // yescrypt cost.
  if (crypt_gensalt_rn("$y$", 0, nullptr, 0, setting, sizeof setting) == nullptr)
    return Error::internal("crypt_gensalt_rn($y$) failed");
  CryptScratch scratch;
  const char* out =
      crypt_rn(password.c_str(), setting, scratch.data.get(), static_cast<int>(sizeof(crypt_data)));
  if (out == nullptr || out[0] == '*') return Error::internal("crypt_rn(yescrypt) failed");
  return std::string(out);
}

bool verify_password_hash(const SecureString& password, const std::string& stored) {
  if (!usable_password(password) || !is_supported_hash(stored)) return false;
  CryptScratch scratch;
  const char* out = crypt_rn(password.c_str(), stored.c_str(), scratch.data.get(),
                             static_cast<int>(sizeof(crypt_data)));
  if (out == nullptr || out[0] == '*') return false;
  return constant_time_equals(out, stored);
}

bool is_supported_hash(const std::string& hash) {
  if (hash.empty() || hash[0] == '*' || hash[0] == '!') return false;
  int r = crypt_checksalt(hash.c_str());
  return r == CRYPT_SALT_OK || r == CRYPT_SALT_METHOD_LEGACY;
}

}  // namespace satchel::auth
