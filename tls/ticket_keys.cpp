#include "tls/ticket_keys.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <string_view>

namespace satchel::tls {
namespace {

constexpr std::size_t kKeyBytes = 16 + 32 + 32;
static_assert(kKeyBytes == TicketKeys::kSeedSize);

void unpack(const unsigned char* bytes, TicketKeys::Key& key) {
  std::memcpy(key.name.data(), bytes, 16);
  std::memcpy(key.aes.data(), bytes + 16, 32);
  std::memcpy(key.hmac.data(), bytes + 48, 32);
}

void pack(const TicketKeys::Key& key, unsigned char* bytes) {
  std::memcpy(bytes, key.name.data(), 16);
  std::memcpy(bytes + 16, key.aes.data(), 32);
  std::memcpy(bytes + 48, key.hmac.data(), 32);
}

// One SHA-512 over label || key.
void digest(std::string_view label, const unsigned char* key, unsigned char* out64) {
  unsigned char in[16 + kKeyBytes] = {};
  std::memcpy(in, label.data(), label.size());
  std::memcpy(in + label.size(), key, kKeyBytes);
  unsigned int len = 0;
  EVP_Digest(in, label.size() + kKeyBytes, out64, &len, EVP_sha512(), nullptr);
  OPENSSL_cleanse(in, sizeof in);
}

// The next period's key: a one-way function of this one (two SHA-512 with distinct labels
// give the 80 bytes), so the past cannot be recomputed from the present.
TicketKeys::Key step(const TicketKeys::Key& key) {
  unsigned char bytes[kKeyBytes];
  pack(key, bytes);
  unsigned char a[64], b[64];
  digest("satchel-tk-a", bytes, a);
  digest("satchel-tk-b", bytes, b);
  unsigned char next[kKeyBytes];
  std::memcpy(next, a, 64);
  std::memcpy(next + 64, b, kKeyBytes - 64);
  TicketKeys::Key out;
  unpack(next, out);
  OPENSSL_cleanse(bytes, sizeof bytes);
  OPENSSL_cleanse(a, sizeof a);
  OPENSSL_cleanse(b, sizeof b);
  OPENSSL_cleanse(next, sizeof next);
  return out;
}

std::int64_t period_of(std::int64_t now, std::int64_t period_seconds) {
  // Floor division, so that times before the epoch (a broken clock) still order correctly.
  std::int64_t p = now / period_seconds;
  if (now % period_seconds != 0 && now < 0) --p;
  return p;
}

}  // namespace

void wipe(TicketKeys::Key& key) {
  OPENSSL_cleanse(&key, sizeof key);
}

Result<std::unique_ptr<TicketKeys>> TicketKeys::create(std::int64_t period_seconds,
                                                       std::int64_t now) {
  std::array<unsigned char, kSeedSize> seed{};
  if (RAND_bytes(seed.data(), static_cast<int>(seed.size())) != 1)
    return Error::internal("tls: no random bytes for session ticket keys");
  auto keys = std::make_unique<TicketKeys>(seed, period_seconds, now);
  OPENSSL_cleanse(seed.data(), seed.size());
  return keys;
}

TicketKeys::TicketKeys(std::span<const unsigned char, kSeedSize> seed, std::int64_t period_seconds,
                       std::int64_t now)
    : period_seconds_(std::max<std::int64_t>(period_seconds, 1)),
      period_(period_of(now, period_seconds_)) {
  unpack(seed.data(), current_);
}

TicketKeys::~TicketKeys() {
  wipe(current_);
  wipe(previous_);
}

void TicketKeys::advance_locked(std::int64_t now) {
  std::int64_t target = period_of(now, period_seconds_);
  // A clock that went back keeps the current key: stepping is one-way.
  while (period_ < target) {
    Key next = step(current_);
    wipe(previous_);
    previous_ = current_;
    has_previous_ = true;
    current_ = next;
    wipe(next);
    ++period_;
  }
}

TicketKeys::Key TicketKeys::sealing_key(std::int64_t now) {
  std::lock_guard lock(mutex_);
  advance_locked(now);
  return current_;
}

bool TicketKeys::opening_key(std::span<const unsigned char, 16> name, std::int64_t now, Key& out,
                             bool& renew) {
  std::lock_guard lock(mutex_);
  advance_locked(now);
  if (std::equal(name.begin(), name.end(), current_.name.begin())) {
    out = current_;
    renew = false;
    return true;
  }
  if (has_previous_ && std::equal(name.begin(), name.end(), previous_.name.begin())) {
    out = previous_;
    renew = true;
    return true;
  }
  return false;
}

}  // namespace satchel::tls
