#include "server/master/master.h"
#include "server/master/master_process.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <thread>

#include "base/log.h"
#include "config/parser.h"
#include "ipc/handoff.h"
#include "server/auth/auth_process.h"
#include "server/auth/unix_channel.h"
#include "server/log/log_sinks.h"
#include "server/master/child_setup.h"
#include "server/master/privileges.h"
#include "server/master/tls_setup.h"
#include "server/net/listen_socket.h"
#include "server/worker/worker_process.h"
namespace satchel::server {

int Master::run() {
  auto settings = config::parse_file(options_.config_file);
  if (!settings) {
    std::fprintf(stderr, "satcheld: %s\n", settings.error().message.c_str());
    return 2;
  }
  settings_ = std::make_unique<config::Settings>(std::move(*settings));
  install_log_sink(settings_->log, "master");

  // A TLS client of the split model holds two descriptors in its login worker (the client and
  // the relay to its mail worker).
  unsigned long want = 2ul * settings_->max_connections + 256ul;
  unsigned long got = raise_fd_limit(want);
  if (got < want)
    log::warning("file descriptor limit is " + std::to_string(got) + ", below the " +
                 std::to_string(want) + " that max_connections needs");

  if (!check_split_model()) return 1;

  auto sockets = bind_listeners(settings_->listeners);
  if (!sockets) {
    log::error(sockets.error().message);
    return 1;
  }
  sockets_ = std::move(*sockets);
  for (const auto& s : sockets_) log::info("listening: " + s.listener + " " + s.bound_address);

  auto tls = load_tls(*settings_);
  if (!tls) {
    log::error(tls.error().message);
    return 1;
  }
  tls_ = std::move(*tls);

  if (geteuid() == 0 && settings_->user.empty())
    log::warning("running as root with no 'user' configured: mail workers keep root privileges");

  if (!options_.foreground && !daemonize()) return 1;
  write_pid_file();

  // libuv sizes its thread pool from the environment at first use, in each worker.
  setenv("UV_THREADPOOL_SIZE", std::to_string(settings_->thread_pool_size).c_str(), 1);

  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  signal_fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);

  // Rows for the workers of this generation, the ones a reload leaves draining, and users'.
  user_ip_ = std::make_unique<UserIpCounters>(4 * (worker_count() + mail_worker_count()) + 32);
  for (unsigned r = 0; r < user_ip_->rows(); ++r) free_rows_.push_back(r);

  if (split() && !spawn_auth()) return 1;
  spawn_generation();
  log::info("satcheld started: " + std::string(split() ? "split" : "single") + " process model, " +
            std::to_string(worker_count()) +
            (split() ? " login workers, " + std::to_string(mail_worker_count()) + " mail workers"
                     : " workers"));
  return supervise();
}

unsigned Master::worker_count() const {
  unsigned n = settings_->workers;
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  return n;
}

unsigned Master::mail_worker_count() const {
  if (!split()) return 0;
  return settings_->mail_workers ? settings_->mail_workers : worker_count();
}

bool Master::daemonize() {
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid > 0) _exit(0);
  setsid();
  std::freopen("/dev/null", "r", stdin);
  std::freopen("/dev/null", "w", stdout);
  if (settings_->log != "stderr") std::freopen("/dev/null", "w", stderr);
  return true;
}

void Master::write_pid_file() {
  if (settings_->pid_file.empty()) return;
  std::ofstream out(settings_->pid_file, std::ios::trunc);
  out << getpid() << "\n";
}

int Master::supervise() {
  for (;;) {
    std::vector<pollfd> fds;
    fds.push_back({signal_fd_, POLLIN, 0});
    std::vector<pid_t> owners;
    for (auto* table : {&workers_, &retiring_})
      for (auto& [pid, slot] : *table)
        if (slot.control >= 0) {
          fds.push_back({slot.control, POLLIN, 0});
          owners.push_back(pid);
        }
    int n = poll(fds.data(), fds.size(), 1000);
    if (n < 0 && errno != EINTR) log::error(std::string("poll: ") + std::strerror(errno));
    if (fds[0].revents & POLLIN) handle_signals();
    for (std::size_t i = 1; i < fds.size(); ++i)
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) read_control(owners[i - 1]);
    reap();
    if (stopping_) {
      if (workers_.empty() && retiring_.empty()) break;
      if (std::time(nullptr) > stop_deadline_) {
        for (auto& [pid, slot] : workers_) kill(pid, SIGKILL);
        for (auto& [pid, slot] : retiring_) kill(pid, SIGKILL);
      }
    }
  }
  if (auth_pid_ > 0) {
    kill(auth_pid_, SIGTERM);
    waitpid(auth_pid_, nullptr, 0);
  }
  if (!settings_->pid_file.empty()) unlink(settings_->pid_file.c_str());
  log::info("satcheld stopped");
  return 0;
}

void Master::handle_signals() {
  signalfd_siginfo info{};
  while (read(signal_fd_, &info, sizeof info) == sizeof info) {
    int sig = static_cast<int>(info.ssi_signo);
    if ((sig == SIGTERM || sig == SIGINT) && !stopping_) {
      log::info("stopping: " + std::to_string(workers_.size()) + " workers");
      stopping_ = true;
      stop_deadline_ = std::time(nullptr) + 20;
      for (auto& [pid, slot] : workers_) kill(pid, SIGTERM);
      for (auto& [pid, slot] : retiring_) kill(pid, SIGTERM);
    }
    if (sig == SIGHUP && !stopping_) reload();
  }
}

WorkerSlot* Master::slot_of(pid_t pid) {
  auto it = workers_.find(pid);
  if (it != workers_.end()) return &it->second;
  it = retiring_.find(pid);
  return it != retiring_.end() ? &it->second : nullptr;
}

void Master::forget(pid_t pid, const WorkerSlot& slot) {
  if (slot.control >= 0) close(slot.control);
  if (slot.row != ~0u) release_row(slot.row);
  if (slot.role == WorkerRole::User) {
    auto it = user_workers_.find(slot.uid);
    if (it != user_workers_.end() && it->second == pid) user_workers_.erase(it);
  }
}

void Master::reap() {
  int status = 0;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid == auth_pid_) {
      auth_pid_ = -1;
      if (stopping_) continue;
      log::error("auth process (pid " + std::to_string(pid) + ") " + how(status) +
                 "; restarting it and the workers");
      if (std::time(nullptr) - auth_started_ < 2) sleep(1);
      if (spawn_auth()) restart_workers();
      continue;
    }
    auto old = retiring_.find(pid);
    if (old != retiring_.end()) {
      forget(pid, old->second);
      retiring_.erase(old);
      continue;
    }
    auto it = workers_.find(pid);
    if (it == workers_.end()) continue;
    WorkerSlot slot = it->second;
    workers_.erase(it);
    forget(pid, slot);
    if (stopping_ || slot.role == WorkerRole::User) {
      if (slot.role == WorkerRole::User && !stopping_ && status != 0)
        log::error("user worker for uid " + std::to_string(slot.uid) + " " + how(status));
      continue;  // A user worker is started again by its user's next login.
    }
    log::error("worker " + std::to_string(slot.index) + " (pid " + std::to_string(pid) + ") " +
               how(status) + "; restarting it");
    // A worker that dies at once would otherwise be restarted in a tight loop.
    if (std::time(nullptr) - slot.started < 2) sleep(1);
    spawn(slot.role, slot.index);
  }
}

std::string Master::how(int status) {
  return WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                             : "exited with " + std::to_string(WEXITSTATUS(status));
}

// Old workers stop accepting and serve their clients until they leave; a new generation
// takes the new connections.
void Master::restart_workers() {
  ++generation_;
  for (auto& [pid, slot] : workers_) {
    kill(pid, SIGUSR1);
    retiring_[pid] = slot;
  }
  workers_.clear();
  user_workers_.clear();
  spawn_generation();
}

void Master::reload() {
  log::info("reloading configuration from " + options_.config_file);
  auto settings = config::parse_file(options_.config_file);
  if (!settings) {
    log::error("reload failed, keeping the running configuration: " + settings.error().message);
    return;
  }
  if (!same_listeners(settings->listeners, settings_->listeners))
    log::warning("reload: listener changes need a restart; keeping the current listeners");
  if (split() &&
      (settings->auth_backends != settings_->auth_backends ||
       settings->userdb != settings_->userdb || settings->pam_service != settings_->pam_service ||
       settings->sasldb_path != settings_->sasldb_path))
    log::warning("reload: [auth] changes take effect at the next restart");
  if (settings->process_model != settings_->process_model) {
    log::warning("reload: process_model changes need a restart; keeping " +
                 std::string(split() ? "split" : "single"));
    settings->process_model = settings_->process_model;
  }
  auto tls = load_tls(*settings);
  if (!tls) {
    log::error("reload: " + tls.error().message + "; keeping the current certificates");
    return;
  }
  // The old settings stay alive: the old workers were forked with them, and this process
  // still hands them out until the new generation is spawned.
  auto next = std::make_unique<config::Settings>(std::move(*settings));
  next->listeners = settings_->listeners;
  retired_settings_.push_back(std::move(settings_));
  settings_ = std::move(next);
  tls_ = std::move(*tls);
  // The auth process lives as long as the master: login tickets it issued to draining login
  // workers stay valid for the new mail workers. [auth] changes need a restart.
  restart_workers();
  log::info("reloaded: generation " + std::to_string(generation_));
}

// A dead worker's connections are gone: its counts must not keep anyone out.
void Master::release_row(unsigned row) {
  user_ip_->clear_row(row);
  free_rows_.push_back(row);
}

bool Master::same_listeners(const std::vector<config::Listener>& a,
                            const std::vector<config::Listener>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].addresses != b[i].addresses ||
        a[i].protocol != b[i].protocol || a[i].tls != b[i].tls ||
        a[i].plaintext_auth != b[i].plaintext_auth)
      return false;
  return true;
}

int run_master(const MasterOptions& options) {
  Master master(options);
  return master.run();
}

}  // namespace satchel::server
