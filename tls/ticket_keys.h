// Session ticket keys that change over time. RFC 5077 §5.5 / RFC 8446 §4.6.1: whoever holds a
// ticket key can open every session sealed under it, so keys must not live as long as the
// process. Here the key of each period is derived from the previous one by a one-way step and
// the older key is wiped: a key stolen from memory opens tickets of its own and the previous
// period only, never earlier ones (forward secrecy for resumed sessions).
//
// The workers are forked from the master after the keys are made, and every worker steps the
// same key forward at the same period boundaries (wall clock), so a ticket sealed by one
// worker opens in any other of the same generation with no communication between them. A
// reload (new ContextSet) starts a new, unrelated chain.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>

#include "base/result.h"

namespace satchel::tls {

class TicketKeys {
 public:
  static constexpr std::size_t kSeedSize = 80;
  // A ticket is sealed with the key of its period and opens during that period and the next.
  static constexpr std::int64_t kDefaultPeriodSeconds = 6 * 3600;

  struct Key {
    std::array<unsigned char, 16> name{};  // Sent in the ticket: picks the key to open it.
    std::array<unsigned char, 32> aes{};   // AES-256-CBC key.
    std::array<unsigned char, 32> hmac{};  // HMAC-SHA256 key.
  };

  // Keys for the period containing `now` (seconds since the epoch) from a random seed.
  static Result<std::unique_ptr<TicketKeys>> create(std::int64_t period_seconds, std::int64_t now);
  // The same from a given seed (tests; the chain is a pure function of seed, period, start).
  TicketKeys(std::span<const unsigned char, kSeedSize> seed, std::int64_t period_seconds,
             std::int64_t now);
  ~TicketKeys();
  TicketKeys(const TicketKeys&) = delete;
  TicketKeys& operator=(const TicketKeys&) = delete;

  // The key that seals new tickets at `now`. The returned copy is the caller's to wipe.
  Key sealing_key(std::int64_t now);
  // The key named `name` when it is the current or the previous period's. `renew` says the
  // ticket should be replaced with one under the current key. False: the ticket is too old
  // (or foreign): the client gets a full handshake.
  bool opening_key(std::span<const unsigned char, 16> name, std::int64_t now, Key& out,
                   bool& renew);

 private:
  void advance_locked(std::int64_t now);

  std::mutex mutex_;
  std::int64_t period_seconds_;
  std::int64_t period_;  // The period of current_.
  Key current_;
  Key previous_;
  bool has_previous_ = false;
};

// Wipes a key copy (OPENSSL_cleanse; not optimized away).
void wipe(TicketKeys::Key& key);

}  // namespace satchel::tls
