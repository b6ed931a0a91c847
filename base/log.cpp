#include "base/log.h"

#include <cstdio>
#include <mutex>
#include <string>

namespace satchel::log {
namespace {

std::mutex& sink_mutex() {
  static std::mutex m;
  return m;
}

Sink& current_sink() {
  static Sink sink;
  return sink;
}

Level& min_level() {
  static Level level = Level::Info;
  return level;
}

const char* level_name(Level level) {
  switch (level) {
    case Level::Debug:
      return "debug";
    case Level::Info:
      return "info";
    case Level::Warning:
      return "warning";
    case Level::Error:
      return "error";
  }
  return "?";
}

}  // namespace

void set_sink(Sink sink) {
  current_sink() = std::move(sink);
}
void set_min_level(Level level) {
  min_level() = level;
}

void write(Level level, std::string_view line) {
  if (level < min_level()) return;
  std::lock_guard lock(sink_mutex());
  if (current_sink()) {
    current_sink()(level, line);
    return;
  }
  std::fprintf(stderr, "satchel[%s]: %.*s\n", level_name(level), static_cast<int>(line.size()),
               line.data());
}

}  // namespace satchel::log
