#include "server/worker/worker_process.h"

#include <unistd.h>

#include <csignal>
#include <ctime>

#include "auth/api/login_policy.h"
#include "auth/api/sasl_exchange.h"
#include "base/log.h"
#include "server/auth/auth_client.h"
#include "server/auth/backends.h"
#include "server/log/log_sinks.h"
#include "server/master/child_setup.h"
#include "server/master/privileges.h"
#include "server/worker/worker.h"
#include "storage/backends/store_factory.h"

namespace satchel::server {
namespace {

const char* process_name(WorkerRole role) {
  switch (role) {
    case WorkerRole::Login:
      return "satchel-login";
    case WorkerRole::Mail:
      return "satchel-mail";
    case WorkerRole::User:
      return "satchel-user";
    case WorkerRole::Single:
      break;
  }
  return "satchel-worker";
}

// The identity a worker runs as: the login user, the mail owner, or one system user.
Result<Identity> identity_for(const WorkerSetup& setup) {
  const config::Settings& s = *setup.settings;
  switch (setup.role) {
    case WorkerRole::Login:
      return resolve_identity(s.login_user, s.login_group);
    case WorkerRole::User:
      return Identity{setup.user_uid, setup.user_gid};
    case WorkerRole::Mail:
    case WorkerRole::Single:
      break;
  }
  return resolve_identity(s.user, s.group);
}

}  // namespace

int run_worker_process(WorkerSetup setup) {
  const config::Settings& settings = *setup.settings;
  std::string role = process_name(setup.role);
  if (setup.role == WorkerRole::User)
    role += " " + std::to_string(setup.user_uid);
  else
    role += " " + std::to_string(setup.index);
  set_log_role(role);

  // Signals the master blocked for sigwait are the worker's to handle in its loop.
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  // 1. Privileges: before any client byte is read (DESIGN.md). A login worker is also locked
  // into an empty directory: whatever a client makes of it, it finds no mail and no keys.
  bool root = geteuid() == 0;
  bool drop = root && (setup.role == WorkerRole::Login || setup.role == WorkerRole::User ||
                       !settings.user.empty());
  if (drop) {
    auto id = identity_for(setup);
    if (!id) {
      log::error("cannot drop privileges: " + id.error().message);
      return 1;
    }
    if (setup.role == WorkerRole::Login && !settings.login_chroot.empty()) {
      tzset();  // Log timestamps keep the local time zone inside the chroot.
      // The master's syslog socket was closed with its other descriptors; /dev/log is not
      // inside the chroot, so connect now.
      if (settings.log == "syslog") install_log_sink(settings.log, role);
      Status jailed = enter_chroot(settings.login_chroot);
      if (!jailed) {
        log::error(jailed.error().message);
        return 1;
      }
    }
    Status dropped = drop_privileges(*id, setup.role == WorkerRole::User);
    if (!dropped) {
      log::error("cannot drop privileges: " + dropped.error().message);
      return 1;
    }
  } else if (setup.role == WorkerRole::Login && !root) {
    log::debug("not root: login worker runs without chroot or user change");
  }

  // Named only now: a process called satchel-* has given up root (tests rely on it).
  set_process_name(process_name(setup.role));

  // 2. Services, opened as the unprivileged user.
  std::unique_ptr<AuthClient> auth_client;
  AuthBackends local;
  std::unique_ptr<storage::MailStoreFactory> stores;
  if (setup.role == WorkerRole::Single) {
    auto built = build_auth_backends(settings);
    if (!built) {
      log::error("authentication: " + built.error().message);
      return 1;
    }
    local = std::move(*built);
    setup.services.authenticator = local.authenticator.get();
    setup.services.sasl = local.sasl.get();
    setup.services.login_policy = local.policy.get();
  } else {
    auth_client = std::make_unique<AuthClient>(setup.auth_fds);
    if (setup.role == WorkerRole::Login) {
      setup.services.authenticator = auth_client.get();
      setup.services.sasl = auth_client.get();
      setup.services.login_policy = auth_client.get();
      setup.services.handoff_after_login = true;
      auth_client->prefetch_mechanisms();
    } else {
      AuthClient* client = auth_client.get();
      setup.redeem_ticket = [client](const std::string& ticket) { return client->redeem(ticket); };
    }
  }
  if (setup.role != WorkerRole::Login) {
    stores = storage::make_store_factory();
    setup.services.stores = stores.get();
  }
  setup.services.hostname = settings.hostname;
  setup.services.pop3_mailbox = settings.pop3_mailbox;

  // 3. The loop.
  Worker worker(std::move(setup));
  return worker.run();
}

}  // namespace satchel::server
