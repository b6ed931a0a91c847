#include "server/log/log_sinks.h"

#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "base/log.h"

namespace satchel::server {
namespace {

std::string& role_name() {
  static std::string role;
  return role;
}

int syslog_priority(log::Level level) {
  switch (level) {
    case log::Level::Debug:
      return LOG_DEBUG;
    case log::Level::Info:
      return LOG_INFO;
    case log::Level::Warning:
      return LOG_WARNING;
    case log::Level::Error:
      return LOG_ERR;
  }
  return LOG_INFO;
}

const char* level_word(log::Level level) {
  switch (level) {
    case log::Level::Debug:
      return "debug: ";
    case log::Level::Info:
      return "";
    case log::Level::Warning:
      return "warning: ";
    case log::Level::Error:
      return "error: ";
  }
  return "";
}

}  // namespace

void set_log_role(const std::string& role) {
  role_name() = role;
}

void install_log_sink(const std::string& target, const std::string& role) {
  set_log_role(role);
  if (target == "syslog") {
    openlog("satcheld", LOG_PID | LOG_NDELAY, LOG_MAIL);
    log::set_sink([](log::Level level, std::string_view line) {
      syslog(syslog_priority(level), "%s: %s%.*s", role_name().c_str(), level_word(level),
             static_cast<int>(line.size()), line.data());
    });
    return;
  }
  log::set_sink([](log::Level level, std::string_view line) {
    char stamp[32];
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
    std::fprintf(stderr, "%s satcheld[%d] %s: %s%.*s\n", stamp, static_cast<int>(getpid()),
                 role_name().c_str(), level_word(level), static_cast<int>(line.size()),
                 line.data());
    std::fflush(stderr);
  });
}

}  // namespace satchel::server
