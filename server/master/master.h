// The master process (DESIGN.md, Processes): runs as root when started so, binds every
// listener, loads the TLS keys, forks the workers and supervises them. It never reads a byte
// from a client.
//   SIGTERM / SIGINT  graceful stop: workers send BYE to every client and exit.
//   SIGHUP            reload: re-read the configuration and certificates; new workers take new
//                     connections, old ones serve their clients until they leave.
//   a worker dies     it is restarted (with a pause if it keeps dying at start).
#pragma once

#include <string>

namespace satchel::server {

struct MasterOptions {
  std::string config_file;
  bool foreground = false;
};

// Returns the process exit code.
int run_master(const MasterOptions& options);

}  // namespace satchel::server
