#include "server/worker/worker_process.h"

#include <unistd.h>

#include <csignal>

#include "auth/sqlite/sqlite_userdb.h"
#include "base/log.h"
#include "server/log/log_sinks.h"
#include "server/master/privileges.h"
#include "server/worker/worker.h"
#include "storage/backends/store_factory.h"

namespace satchel::server {

int run_worker_process(WorkerSetup setup) {
  const config::Settings& settings = *setup.settings;
  set_log_role("worker " + std::to_string(setup.index));

  // Signals the master blocked for sigwait are the worker's to handle in its loop.
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  // 1. Privileges: before any client byte is read (DESIGN.md).
  if (geteuid() == 0 && !settings.user.empty()) {
    auto id = resolve_identity(settings.user, settings.group);
    Status dropped = id ? drop_privileges(*id) : Status(id.error());
    if (!dropped) {
      log::error("worker: cannot drop privileges: " + dropped.error().message);
      return 1;
    }
  }

  // 2. Services, opened as the unprivileged user.
  auth::SqliteUserDb::Defaults defaults;
  defaults.mail_root = settings.mail_root;
  defaults.mail_location = settings.mail_location;
  auto userdb = auth::SqliteUserDb::open(settings.userdb, defaults, /*create=*/false);
  if (!userdb) {
    log::error("worker: user database " + settings.userdb + ": " + userdb.error().message);
    return 1;
  }
  auto stores = storage::make_store_factory();

  setup.services.authenticator = userdb->get();
  setup.services.stores = stores.get();
  setup.services.hostname = settings.hostname;
  setup.services.pop3_mailbox = settings.pop3_mailbox;

  // 3. The loop.
  Worker worker(std::move(setup));
  return worker.run();
}

}  // namespace satchel::server
