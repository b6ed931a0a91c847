// The master process as a class (server/master/master.h is its entry point): the state it
// keeps about its children, and its methods, in master.cpp (start, signals, supervision,
// reload) and master_children.cpp (starting the auth process and workers, routing handoffs).
#pragma once

#include <sys/types.h>

#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/settings.h"
#include "ipc/handoff.h"
#include "server/master/master.h"
#include "server/master/tls_setup.h"
#include "server/master/user_ip_counters.h"
#include "server/net/listen_socket.h"
#include "server/worker/worker.h"

namespace satchel::server {

// What the master knows of one worker it started.
struct WorkerSlot {
  WorkerRole role = WorkerRole::Single;
  unsigned index = 0;
  unsigned uid = 0;  // WorkerRole::User.
  unsigned gid = 0;
  unsigned row = 0;  // In the user+IP counters.
  unsigned generation = 0;
  std::time_t started = 0;
  int control = -1;  // The master's end of the worker's control channel; -1 in `single`.
};

class Master {
 public:
  explicit Master(MasterOptions options) : options_(std::move(options)) {}

  int run();

 private:
  bool split() const { return settings_->process_model == config::ProcessModel::Split; }

  unsigned worker_count() const;

  unsigned mail_worker_count() const;

  // The accounts must exist and the split model needs its empty chroot; says so at start.
  bool check_split_model();

  bool daemonize();

  void write_pid_file();

  // The auth process (split model): the only process that checks passwords.
  bool spawn_auth();

  // `n` fresh channels to the auth process: it gets one end of each, the worker the other.
  std::vector<int> auth_channels(unsigned n);

  void spawn_generation();

  pid_t spawn(WorkerRole role, unsigned index, unsigned uid = 0, unsigned gid = 0);

  int supervise();

  void handle_signals();

  WorkerSlot* slot_of(pid_t pid);

  // A datagram from a worker: a handoff (login worker) or an idle notice (user worker).
  void read_control(pid_t from);

  // Where a logged-in connection goes: virtual users (uid 0) to the mail worker pool, system
  // users to their own worker, started now if it is not running. The mail worker checks the
  // login with the auth process itself: what the login worker says is only the address.
  void route(const std::string& bytes, const ipc::HandoffMessage& h, int fd);

  // The worker said it has been idle: no new connection goes there; it exits once drained.
  void retire_user_worker(pid_t pid);

  void forget(pid_t pid, const WorkerSlot& slot);

  void reap();

  static std::string how(int status);

  // Old workers stop accepting and serve their clients until they leave; a new generation
  // takes the new connections.
  void restart_workers();

  void reload();

  // A dead worker's connections are gone: its counts must not keep anyone out.
  void release_row(unsigned row);

  static bool same_listeners(const std::vector<config::Listener>& a,
                             const std::vector<config::Listener>& b);

  MasterOptions options_;
  std::unique_ptr<config::Settings> settings_;
  std::vector<std::unique_ptr<config::Settings>> retired_settings_;
  std::vector<ListenSocket> sockets_;
  const std::vector<ListenSocket> no_sockets_;
  TlsSetup tls_;
  std::map<pid_t, WorkerSlot> workers_;
  std::map<pid_t, WorkerSlot> retiring_;
  std::map<unsigned, pid_t> user_workers_;  // uid -> its running worker.
  std::unique_ptr<UserIpCounters> user_ip_;
  std::vector<unsigned> free_rows_;
  unsigned generation_ = 0;
  unsigned next_mail_ = 0;
  bool stopping_ = false;
  std::time_t stop_deadline_ = 0;
  int signal_fd_ = -1;
  pid_t auth_pid_ = -1;
  std::time_t auth_started_ = 0;
  int auth_control_ = -1;
};

}  // namespace satchel::server
