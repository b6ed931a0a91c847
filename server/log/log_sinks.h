// The log sinks satcheld installs for base/log.h: stderr (with a timestamp and the process
// role) or syslog (facility mail).
#pragma once

#include <string>

namespace satchel::server {

// `target` is "stderr" or "syslog"; `role` names the process ("master", "worker 2").
void install_log_sink(const std::string& target, const std::string& role);

// Changes the role shown in each line (after fork).
void set_log_role(const std::string& role);

}  // namespace satchel::server
