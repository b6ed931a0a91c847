// The life of a worker process, top to bottom (CONVENTIONS.md rule 8): drop privileges, open
// the services it needs as the unprivileged user, run the loop.
#pragma once

#include "server/worker/worker.h"

namespace satchel::server {

// Runs in the child after fork(); returns the exit code. `setup` comes from the master without
// services: the worker opens those itself, after dropping privileges.
int run_worker_process(WorkerSetup setup);

}  // namespace satchel::server
