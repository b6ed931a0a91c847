#include "auth/policy/failure_delays.h"

#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "base/ascii.h"

namespace satchel::auth {
namespace {

using Clock = std::chrono::steady_clock;

class FailureDelays : public LoginPolicy {
 public:
  explicit FailureDelays(FailureDelayOptions options) : options_(std::move(options)) {
    if (!options_.now) options_.now = [] { return Clock::now(); };
    if (options_.max_entries == 0) options_.max_entries = 1;
  }

  std::chrono::milliseconds failed(std::string_view user, std::string_view remote_ip) override {
    if (any_contains(options_.trusted, remote_ip)) return std::chrono::milliseconds(0);
    std::string k = key(user, remote_ip);
    std::lock_guard lock(mutex_);
    Clock::time_point now = options_.now();
    expire(now);
    unsigned count = 1;
    auto it = entries_.find(k);
    if (it != entries_.end()) {
      count = it->second.failures + 1;
      order_.erase(it->second.position);
      entries_.erase(it);
    }
    while (entries_.size() >= options_.max_entries) {
      entries_.erase(order_.front());
      order_.pop_front();
    }
    order_.push_back(k);
    entries_.emplace(std::move(k), Entry{count, now, std::prev(order_.end())});
    return delay_for(count);
  }

  void succeeded(std::string_view user, std::string_view remote_ip) override {
    std::string k = key(user, remote_ip);
    std::lock_guard lock(mutex_);
    auto it = entries_.find(k);
    if (it == entries_.end()) return;
    order_.erase(it->second.position);
    entries_.erase(it);
  }

 private:
  struct Entry {
    unsigned failures = 0;
    Clock::time_point last_failure;
    std::list<std::string>::iterator position;  // In order_.
  };

  static std::string key(std::string_view user, std::string_view remote_ip) {
    std::string k = ascii::lower(user);
    k.push_back('\0');
    k.append(remote_ip);
    return k;
  }

  // order_ runs from the oldest last failure to the newest, so expired keys are at its front.
  void expire(Clock::time_point now) {
    while (!order_.empty()) {
      auto it = entries_.find(order_.front());
      if (now - it->second.last_failure < options_.forget_after) break;
      entries_.erase(it);
      order_.pop_front();
    }
  }

  std::chrono::milliseconds delay_for(unsigned count) const {
    std::chrono::milliseconds d = options_.base;
    for (unsigned i = 1; i < count && i < 64 && d < options_.max; ++i) d *= 2;
    return d < options_.max ? d : options_.max;
  }

  FailureDelayOptions options_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> order_;
};

}  // namespace

std::unique_ptr<LoginPolicy> make_failure_delays(FailureDelayOptions options) {
  return std::make_unique<FailureDelays>(std::move(options));
}

}  // namespace satchel::auth
