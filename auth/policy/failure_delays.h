// The failed-login delay ([auth] failure_delay, failure_delay_max, trusted_networks): the n-th
// consecutive failure of one user name from one remote address is answered after
// base * 2^(n-1), capped at max. Keyed on (user lower-cased, address) so that one user's
// failures never slow down another user behind the same address (issue 6: Outlook's cloud
// service logs many users in from a few addresses).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "auth/api/login_policy.h"
#include "base/cidr.h"

namespace satchel::auth {

struct FailureDelayOptions {
  std::chrono::milliseconds base{2000};
  std::chrono::milliseconds max{15000};
  std::vector<Cidr> trusted;  // Addresses inside get no delay and are not recorded.
  // A key is forgotten this long after its last failure.
  std::chrono::milliseconds forget_after{std::chrono::minutes(15)};
  // At most this many keys; the one whose last failure is oldest goes first.
  std::size_t max_entries = 100000;
  // The clock (tests inject one); empty: std::chrono::steady_clock::now.
  std::function<std::chrono::steady_clock::time_point()> now;
};

// Never returns nullptr. Thread-safe (one mutex); never blocks beyond that.
std::unique_ptr<LoginPolicy> make_failure_delays(FailureDelayOptions options);

}  // namespace satchel::auth
