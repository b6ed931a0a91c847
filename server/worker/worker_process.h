// The life of a worker process, top to bottom (CONVENTIONS.md rule 8): drop privileges, open
// the services it needs as the unprivileged user, run the loop.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "config/settings.h"
#include "server/master/user_ip_counters.h"
#include "server/net/listen_socket.h"
#include "server/net/transport.h"

namespace satchel::server {

struct WorkerProcessArgs {
  const config::Settings* settings = nullptr;
  const std::vector<ListenSocket>* sockets = nullptr;
  unsigned index = 0;
  unsigned max_connections = 0;
  std::function<std::unique_ptr<Transport>(config::Protocol)>
      make_tls;                       // Empty without certificates.
  UserIpCounters* user_ip = nullptr;  // Shared connection counts (max_connections_per_user_ip).
  unsigned user_ip_row = 0;           // This worker's row in them.
};

// Runs in the child after fork(); returns the exit code.
int run_worker_process(const WorkerProcessArgs& args);

}  // namespace satchel::server
