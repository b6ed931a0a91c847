// Connections per user and remote IP, counted across every worker process (the
// max_connections_per_user_ip limit). The table lives in shared memory made by the master
// before fork: one row per worker slot, so the master can zero a dead worker's row and no
// count leaks when a worker crashes. Keys are hashed into a fixed number of cells; two
// user+IP pairs in one cell are counted together, which can only make the limit stricter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace satchel::server {

class UserIpCounters {
 public:
  // Maps `rows` rows of shared memory (call in the master, before forking).
  explicit UserIpCounters(unsigned rows);
  ~UserIpCounters();
  UserIpCounters(const UserIpCounters&) = delete;
  UserIpCounters& operator=(const UserIpCounters&) = delete;

  static std::size_t cell_of(std::string_view user, std::string_view ip);

  // Adds `delta` to the count of `cell` in `row`; returns the total over all rows after it.
  unsigned add(unsigned row, std::size_t cell, int delta);
  // Zeroes a row (its worker is gone).
  void clear_row(unsigned row);
  unsigned rows() const { return rows_; }

 private:
  static constexpr std::size_t kCells = 16384;
  unsigned rows_ = 0;
  std::uint16_t* cells_ = nullptr;  // rows_ * kCells counters, shared between processes.
};

}  // namespace satchel::server
