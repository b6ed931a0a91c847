#include "server/master/user_ip_counters.h"

#include <sys/mman.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <string>

namespace satchel::server {

UserIpCounters::UserIpCounters(unsigned rows) : rows_(rows) {
  std::size_t bytes = rows_ * kCells * sizeof(std::uint16_t);
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) std::abort();
  cells_ = static_cast<std::uint16_t*>(p);
}

UserIpCounters::~UserIpCounters() {
  munmap(cells_, rows_ * kCells * sizeof(std::uint16_t));
}

std::size_t UserIpCounters::cell_of(std::string_view user, std::string_view ip) {
  std::string key(user);
  key += '\n';
  key += ip;
  return std::hash<std::string>{}(key) % kCells;
}

unsigned UserIpCounters::add(unsigned row, std::size_t cell, int delta) {
  std::atomic_ref<std::uint16_t> mine(cells_[row * kCells + cell]);
  if (delta > 0)
    mine.fetch_add(static_cast<std::uint16_t>(delta));
  else if (mine.load() > 0)
    mine.fetch_sub(static_cast<std::uint16_t>(-delta));
  unsigned total = 0;
  for (unsigned r = 0; r < rows_; ++r)
    total += std::atomic_ref<std::uint16_t>(cells_[r * kCells + cell]).load();
  return total;
}

void UserIpCounters::clear_row(unsigned row) {
  for (std::size_t c = 0; c < kCells; ++c)
    std::atomic_ref<std::uint16_t>(cells_[row * kCells + c]).store(0);
}

}  // namespace satchel::server
