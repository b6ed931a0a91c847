// What every child of the master does right after fork, before its own work: its name in ps
// and /proc, and closing the descriptors that belong to other processes (a login worker must
// not hold the master's channel to the auth process, or another worker's).
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace satchel::server {

// Sets /proc/PID/comm ("satchel-login"; at most 15 characters are kept).
void set_process_name(const std::string& name);

// Closes every descriptor above 2 except `keep`.
void close_fds_except(const std::vector<int>& keep);

// Chroots to `dir` and moves into it. Call as root, after everything that reads files
// (user lookups, time zone, syslog socket) is done.
Status enter_chroot(const std::string& dir);

// Makes sure `dir` exists, is owned by root and is writable by root only (the empty chroot of
// the login workers). Creates it (mode 0755) when missing.
Status prepare_empty_dir(const std::string& dir);

}  // namespace satchel::server
