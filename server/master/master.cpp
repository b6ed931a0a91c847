#include "server/master/master.h"

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
#include "server/log/log_sinks.h"
#include "server/master/privileges.h"
#include "server/master/tls_setup.h"
#include "server/net/listen_socket.h"
#include "server/worker/worker_process.h"

namespace satchel::server {
namespace {

struct WorkerSlot {
  unsigned index = 0;
  unsigned row = 0;  // In the user+IP counters.
  unsigned generation = 0;
  std::time_t started = 0;
};

class Master {
 public:
  explicit Master(MasterOptions options) : options_(std::move(options)) {}

  int run() {
    auto settings = config::parse_file(options_.config_file);
    if (!settings) {
      std::fprintf(stderr, "satcheld: %s\n", settings.error().message.c_str());
      return 2;
    }
    settings_ = std::make_unique<config::Settings>(std::move(*settings));
    install_log_sink(settings_->log, "master");

    unsigned long want = settings_->max_connections + 256ul;
    unsigned long got = raise_fd_limit(want);
    if (got < want)
      log::warning("file descriptor limit is " + std::to_string(got) + ", below the " +
                   std::to_string(want) + " that max_connections needs");

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
      log::warning("running as root with no 'user' configured: workers keep root privileges");

    if (!options_.foreground && !daemonize()) return 1;
    write_pid_file();

    // libuv sizes its thread pool from the environment at first use, in each worker.
    setenv("UV_THREADPOOL_SIZE", std::to_string(settings_->thread_pool_size).c_str(), 1);

    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&set, s);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    // Rows for the workers of this generation and of the ones a reload leaves draining.
    user_ip_ = std::make_unique<UserIpCounters>(4 * worker_count() + 4);
    for (unsigned r = 0; r < user_ip_->rows(); ++r) free_rows_.push_back(r);

    for (unsigned i = 0; i < worker_count(); ++i) spawn(i);
    log::info("satcheld started: " + std::to_string(worker_count()) + " workers");
    return supervise(set);
  }

 private:
  unsigned worker_count() const {
    unsigned n = settings_->workers;
    if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
    return n;
  }

  bool daemonize() {
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid > 0) _exit(0);
    setsid();
    std::freopen("/dev/null", "r", stdin);
    std::freopen("/dev/null", "w", stdout);
    if (settings_->log != "stderr") std::freopen("/dev/null", "w", stderr);
    return true;
  }

  void write_pid_file() {
    if (settings_->pid_file.empty()) return;
    std::ofstream out(settings_->pid_file, std::ios::trunc);
    out << getpid() << "\n";
  }

  void spawn(unsigned index) {
    unsigned n = worker_count();
    WorkerSetup args;
    args.settings = settings_.get();
    args.sockets = &sockets_;
    args.index = index;
    args.max_connections = (settings_->max_connections + n - 1) / n;
    args.make_tls = tls_.make_transport;
    unsigned row = 0;
    if (!free_rows_.empty()) {
      row = free_rows_.front();
      free_rows_.erase(free_rows_.begin());
    } else {
      log::warning("no free row for user+IP counting; sharing row 0");
    }
    args.user_ip = user_ip_.get();
    args.user_ip_row = row;
    pid_t pid = fork();
    if (pid < 0) {
      log::error(std::string("fork failed: ") + std::strerror(errno));
      return;
    }
    if (pid == 0) {
      int code = run_worker_process(std::move(args));
      std::fflush(nullptr);
      _exit(code);
    }
    workers_[pid] = WorkerSlot{index, row, generation_, std::time(nullptr)};
  }

  int supervise(const sigset_t& set) {
    for (;;) {
      timespec timeout{1, 0};
      int sig = sigtimedwait(&set, nullptr, &timeout);
      if (sig == SIGCHLD || sig < 0) reap();
      if (sig == SIGTERM || sig == SIGINT) {
        if (!stopping_) {
          log::info("stopping: " + std::to_string(workers_.size()) + " workers");
          stopping_ = true;
          stop_deadline_ = std::time(nullptr) + 20;
          for (auto& [pid, slot] : workers_) kill(pid, SIGTERM);
          for (auto& [pid, slot] : retiring_) kill(pid, SIGTERM);
        }
      }
      if (sig == SIGHUP && !stopping_) reload();
      if (stopping_) {
        if (workers_.empty() && retiring_.empty()) break;
        if (std::time(nullptr) > stop_deadline_) {
          for (auto& [pid, slot] : workers_) kill(pid, SIGKILL);
          for (auto& [pid, slot] : retiring_) kill(pid, SIGKILL);
        }
      }
    }
    if (!settings_->pid_file.empty()) unlink(settings_->pid_file.c_str());
    log::info("satcheld stopped");
    return 0;
  }

  void reap() {
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      auto old = retiring_.find(pid);
      if (old != retiring_.end()) {
        release_row(old->second.row);
        retiring_.erase(old);
        continue;
      }
      auto it = workers_.find(pid);
      if (it == workers_.end()) continue;
      WorkerSlot slot = it->second;
      workers_.erase(it);
      release_row(slot.row);
      if (stopping_) continue;
      std::string how = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                            : "exited with " + std::to_string(WEXITSTATUS(status));
      log::error("worker " + std::to_string(slot.index) + " (pid " + std::to_string(pid) + ") " +
                 how + "; restarting it");
      // A worker that dies at once would otherwise be restarted in a tight loop.
      if (std::time(nullptr) - slot.started < 2) sleep(1);
      spawn(slot.index);
    }
  }

  void reload() {
    log::info("reloading configuration from " + options_.config_file);
    auto settings = config::parse_file(options_.config_file);
    if (!settings) {
      log::error("reload failed, keeping the running configuration: " + settings.error().message);
      return;
    }
    if (!same_listeners(settings->listeners, settings_->listeners))
      log::warning("reload: listener changes need a restart; keeping the current listeners");
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
    ++generation_;
    for (auto& [pid, slot] : workers_) {
      kill(pid, SIGUSR1);  // Stop accepting; serve existing clients until they leave.
      retiring_[pid] = slot;
    }
    workers_.clear();
    for (unsigned i = 0; i < worker_count(); ++i) spawn(i);
    log::info("reloaded: generation " + std::to_string(generation_));
  }

  // A dead worker's connections are gone: its counts must not keep anyone out.
  void release_row(unsigned row) {
    user_ip_->clear_row(row);
    free_rows_.push_back(row);
  }

  static bool same_listeners(const std::vector<config::Listener>& a,
                             const std::vector<config::Listener>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a[i].name != b[i].name || a[i].addresses != b[i].addresses ||
          a[i].protocol != b[i].protocol || a[i].tls != b[i].tls ||
          a[i].plaintext_auth != b[i].plaintext_auth)
        return false;
    return true;
  }

  MasterOptions options_;
  std::unique_ptr<config::Settings> settings_;
  std::vector<std::unique_ptr<config::Settings>> retired_settings_;
  std::vector<ListenSocket> sockets_;
  TlsSetup tls_;
  std::map<pid_t, WorkerSlot> workers_;
  std::map<pid_t, WorkerSlot> retiring_;
  std::unique_ptr<UserIpCounters> user_ip_;
  std::vector<unsigned> free_rows_;
  unsigned generation_ = 0;
  bool stopping_ = false;
  std::time_t stop_deadline_ = 0;
};

}  // namespace

int run_master(const MasterOptions& options) {
  Master master(options);
  return master.run();
}

}  // namespace satchel::server
