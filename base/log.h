// The logging interface. Modules log through these functions; server/ installs the sink
// (stderr or syslog). Until a sink is installed, lines go to stderr.
#pragma once

#include <functional>
#include <string_view>

namespace satchel::log {

enum class Level { Debug, Info, Warning, Error };

using Sink = std::function<void(Level, std::string_view)>;

// Installs the process-wide sink. Not thread-safe against concurrent logging: call at start-up.
void set_sink(Sink sink);
void set_min_level(Level level);

// Thread-safe (the pool threads of a worker log too).
void write(Level level, std::string_view line);

inline void debug(std::string_view line) {
  write(Level::Debug, line);
}
inline void info(std::string_view line) {
  write(Level::Info, line);
}
inline void warning(std::string_view line) {
  write(Level::Warning, line);
}
inline void error(std::string_view line) {
  write(Level::Error, line);
}

}  // namespace satchel::log
