#include "auth/policy/failure_delays.h"

#include <thread>

#include <doctest/doctest.h>

using namespace satchel;
using namespace satchel::auth;
using std::chrono::milliseconds;

namespace {

struct ManualTime {
  std::chrono::steady_clock::time_point t{};
  void advance(std::chrono::steady_clock::duration d) { t += d; }
};

std::unique_ptr<LoginPolicy> make(ManualTime& time, FailureDelayOptions o = {}) {
  o.now = [&time] { return time.t; };
  return make_failure_delays(std::move(o));
}

}  // namespace

TEST_CASE("failure delays double per consecutive failure and stop at the maximum") {
  ManualTime time;
  auto p = make(time);
  CHECK(p->failed("alice", "192.0.2.1") == milliseconds(2000));
  CHECK(p->failed("alice", "192.0.2.1") == milliseconds(4000));
  CHECK(p->failed("alice", "192.0.2.1") == milliseconds(8000));
  CHECK(p->failed("alice", "192.0.2.1") == milliseconds(15000));
  CHECK(p->failed("alice", "192.0.2.1") == milliseconds(15000));
  for (int i = 0; i < 200; ++i) p->failed("alice", "192.0.2.1");
  CHECK(p->failed("alice", "192.0.2.1") == milliseconds(15000));
}

TEST_CASE("one user's failures never delay another user from the same address") {
  ManualTime time;
  auto p = make(time);
  for (int i = 0; i < 5; ++i) p->failed("attacked", "203.0.113.9");
  CHECK(p->failed("bob", "203.0.113.9") == milliseconds(2000));
  // Nor the same user from another address.
  CHECK(p->failed("attacked", "203.0.113.10") == milliseconds(2000));
}

TEST_CASE("the user name is compared without case") {
  ManualTime time;
  auto p = make(time);
  p->failed("Alice", "192.0.2.1");
  CHECK(p->failed("ALICE", "192.0.2.1") == milliseconds(4000));
  p->succeeded("alice", "192.0.2.1");
  CHECK(p->failed("Alice", "192.0.2.1") == milliseconds(2000));
}

TEST_CASE("a success forgets the failures of that user from that address only") {
  ManualTime time;
  auto p = make(time);
  p->failed("alice", "192.0.2.1");
  p->failed("alice", "192.0.2.1");
  p->failed("alice", "192.0.2.2");
  p->succeeded("alice", "192.0.2.1");
  CHECK(p->failed("alice", "192.0.2.1") == milliseconds(2000));
  CHECK(p->failed("alice", "192.0.2.2") == milliseconds(4000));
}

TEST_CASE("failures are forgotten 15 minutes after the last one") {
  ManualTime time;
  auto p = make(time);
  p->failed("alice", "192.0.2.1");
  time.advance(std::chrono::minutes(14));
  CHECK(p->failed("alice", "192.0.2.1") == milliseconds(4000));
  time.advance(std::chrono::minutes(14));  // 14 minutes after the last failure: still counted.
  CHECK(p->failed("alice", "192.0.2.1") == milliseconds(8000));
  time.advance(std::chrono::minutes(15));
  CHECK(p->failed("alice", "192.0.2.1") == milliseconds(2000));
}

TEST_CASE("trusted networks get no delay") {
  ManualTime time;
  FailureDelayOptions o;
  o.trusted = *parse_cidr_list("10.0.0.0/8, 2001:db8::/32", nullptr);
  auto p = make(time, o);
  CHECK(p->failed("alice", "10.1.2.3") == milliseconds(0));
  CHECK(p->failed("alice", "10.1.2.3") == milliseconds(0));
  CHECK(p->failed("alice", "2001:db8::5") == milliseconds(0));
  CHECK(p->failed("alice", "::ffff:10.0.0.1") == milliseconds(0));
  CHECK(p->failed("alice", "11.0.0.1") == milliseconds(2000));
}

TEST_CASE("the table is bounded: the key with the oldest failure is dropped first") {
  ManualTime time;
  FailureDelayOptions o;
  o.max_entries = 3;
  auto p = make(time, o);
  p->failed("a", "192.0.2.1");
  time.advance(std::chrono::seconds(1));
  p->failed("b", "192.0.2.1");
  time.advance(std::chrono::seconds(1));
  p->failed("c", "192.0.2.1");
  time.advance(std::chrono::seconds(1));
  p->failed("a", "192.0.2.1");                               // Now "b" is the oldest.
  p->failed("d", "192.0.2.1");                               // Drops "b".
  CHECK(p->failed("b", "192.0.2.1") == milliseconds(2000));  // Drops "c".
  CHECK(p->failed("a", "192.0.2.1") == milliseconds(8000));
  CHECK(p->failed("c", "192.0.2.1") == milliseconds(2000));
}

TEST_CASE("configured base and maximum are used") {
  ManualTime time;
  FailureDelayOptions o;
  o.base = milliseconds(100);
  o.max = milliseconds(250);
  auto p = make(time, o);
  CHECK(p->failed("u", "192.0.2.1") == milliseconds(100));
  CHECK(p->failed("u", "192.0.2.1") == milliseconds(200));
  CHECK(p->failed("u", "192.0.2.1") == milliseconds(250));
}

TEST_CASE("failure delays may be used from several threads at once") {
  auto p = make_failure_delays({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&p, t] {
      for (int i = 0; i < 500; ++i) {
        p->failed("user" + std::to_string(i % 7), "192.0.2." + std::to_string(t));
        if (i % 5 == 0)
          p->succeeded("user" + std::to_string(i % 7), "192.0.2." + std::to_string(t));
      }
    });
  for (auto& th : threads) th.join();
  p->succeeded("fresh", "192.0.2.1");
  CHECK(p->failed("fresh", "192.0.2.1") == milliseconds(2000));
}
