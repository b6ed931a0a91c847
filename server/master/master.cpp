#include "server/master/master.h"

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
namespace {

// Socket buffers of the control channels: a handoff carrying input is one datagram, and a
// datagram larger than the sender's buffer cannot be sent at all.
constexpr int kControlBuffer = 4 * 1024 * 1024;

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

void enlarge_buffers(int fd) {
  for (int opt : {SO_SNDBUFFORCE, SO_RCVBUFFORCE})
    setsockopt(fd, SOL_SOCKET, opt, &kControlBuffer, sizeof kControlBuffer);
}

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
    log::info("satcheld started: " + std::string(split() ? "split" : "single") +
              " process model, " + std::to_string(worker_count()) +
              (split() ? " login workers, " + std::to_string(mail_worker_count()) + " mail workers"
                       : " workers"));
    return supervise();
  }

 private:
  bool split() const { return settings_->process_model == config::ProcessModel::Split; }

  unsigned worker_count() const {
    unsigned n = settings_->workers;
    if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
    return n;
  }
  unsigned mail_worker_count() const {
    if (!split()) return 0;
    return settings_->mail_workers ? settings_->mail_workers : worker_count();
  }

  // The split model needs its login user and its empty chroot; say so at start, by name.
  bool check_split_model() {
    if (!split() || geteuid() != 0) return true;
    auto id = resolve_identity(settings_->login_user, settings_->login_group);
    if (!id) {
      log::error(settings_->source_file + ": login_user: " + id.error().message +
                 " (create it with 'adduser --system --group " + settings_->login_user +
                 "', or set [server] login_user)");
      return false;
    }
    if (!settings_->user.empty()) {
      auto mail = resolve_identity(settings_->user, settings_->group);
      if (mail && mail->uid == id->uid)
        log::warning("login_user and user are the same account: login workers could reach mail");
    }
    if (!settings_->login_chroot.empty()) {
      Status ready = prepare_empty_dir(settings_->login_chroot);
      if (!ready) {
        log::error(ready.error().message);
        return false;
      }
    }
    return true;
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

  // The auth process (split model): the only process that checks passwords.
  bool spawn_auth() {
    auto pair = make_seqpacket_pair();
    if (!pair) {
      log::error("auth process: " + pair.error().message);
      return false;
    }
    pid_t pid = fork();
    if (pid < 0) {
      log::error(std::string("fork failed: ") + std::strerror(errno));
      close(pair->first);
      close(pair->second);
      return false;
    }
    if (pid == 0) {
      close_fds_except({pair->second});
      int code = run_auth_process(*settings_, pair->second);
      std::fflush(nullptr);
      _exit(code);
    }
    close(pair->second);
    if (auth_control_ >= 0) close(auth_control_);
    auth_control_ = pair->first;
    auth_pid_ = pid;
    auth_started_ = std::time(nullptr);
    return true;
  }

  // `n` fresh channels to the auth process: it gets one end of each, the worker the other.
  std::vector<int> auth_channels(unsigned n) {
    std::vector<int> mine;
    for (unsigned i = 0; i < n; ++i) {
      auto pair = make_seqpacket_pair();
      if (!pair) break;
      int theirs[1] = {pair->second};
      Status sent = send_message(auth_control_, "serve", theirs);
      close(pair->second);
      if (!sent) {
        close(pair->first);
        log::error("auth process channel: " + sent.error().message);
        break;
      }
      mine.push_back(pair->first);
    }
    return mine;
  }

  void spawn_generation() {
    for (unsigned i = 0; i < worker_count(); ++i)
      spawn(split() ? WorkerRole::Login : WorkerRole::Single, i);
    for (unsigned i = 0; i < mail_worker_count(); ++i) spawn(WorkerRole::Mail, i);
  }

  pid_t spawn(WorkerRole role, unsigned index, unsigned uid = 0, unsigned gid = 0) {
    WorkerSetup args;
    args.role = role;
    args.settings = settings_.get();
    args.sockets = &sockets_;
    args.index = index;
    args.user_uid = uid;
    args.user_gid = gid;
    unsigned n = worker_count();
    args.max_connections = role == WorkerRole::User ? settings_->max_connections
                                                    : (settings_->max_connections + n - 1) / n;
    args.make_tls = tls_.make_transport;
    std::vector<int> keep;
    if (role == WorkerRole::Login || role == WorkerRole::Single)
      for (const auto& s : sockets_) keep.push_back(s.fd);
    else
      args.sockets = &no_sockets_;
    int master_end = -1;
    if (role != WorkerRole::Single) {
      auto pair = make_seqpacket_pair();
      if (!pair) {
        log::error("worker control channel: " + pair.error().message);
        return -1;
      }
      enlarge_buffers(pair->first);
      enlarge_buffers(pair->second);
      master_end = pair->first;
      args.control_fd = pair->second;
      keep.push_back(pair->second);
      unsigned channels = role == WorkerRole::Login ? settings_->thread_pool_size : 2;
      args.auth_fds = auth_channels(channels);
      keep.insert(keep.end(), args.auth_fds.begin(), args.auth_fds.end());
    }
    unsigned row = 0;
    if (!free_rows_.empty()) {
      row = free_rows_.front();
      free_rows_.erase(free_rows_.begin());
      args.user_ip = user_ip_.get();
    } else {
      log::warning("no free row for user+IP counting: this worker does not count");
    }
    args.user_ip_row = row;
    pid_t pid = fork();
    if (pid < 0) {
      log::error(std::string("fork failed: ") + std::strerror(errno));
      if (args.user_ip) free_rows_.push_back(row);
      return -1;
    }
    if (pid == 0) {
      close_fds_except(keep);
      int code = run_worker_process(std::move(args));
      std::fflush(nullptr);
      _exit(code);
    }
    if (args.control_fd >= 0) close(args.control_fd);
    for (int fd : args.auth_fds) close(fd);
    WorkerSlot slot{
        role,      index, uid, gid, args.user_ip ? row : ~0u, generation_, std::time(nullptr),
        master_end};
    workers_[pid] = slot;
    if (role == WorkerRole::User) user_workers_[uid] = pid;
    return pid;
  }

  int supervise() {
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

  void handle_signals() {
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

  WorkerSlot* slot_of(pid_t pid) {
    auto it = workers_.find(pid);
    if (it != workers_.end()) return &it->second;
    it = retiring_.find(pid);
    return it != retiring_.end() ? &it->second : nullptr;
  }

  // A datagram from a worker: a handoff (login worker) or an idle notice (user worker).
  void read_control(pid_t from) {
    WorkerSlot* slot = slot_of(from);
    if (!slot || slot->control < 0) return;
    auto got = receive_message(slot->control, ipc::kMaxControlMessage, 1);
    if (!got) {
      if (got.error().code != "AGAIN") log::error("worker control: " + got.error().message);
      return;
    }
    if (got->eof) {
      close(slot->control);
      slot->control = -1;
      return;
    }
    auto message = ipc::decode_control(got->bytes);
    int fd = got->fds.empty() ? -1 : got->fds.front();
    if (message && message->kind == ipc::ControlKind::Handoff && fd >= 0 &&
        slot->role == WorkerRole::Login) {
      route(got->bytes, message->handoff, fd);
    } else if (message && message->kind == ipc::ControlKind::Idle &&
               slot->role == WorkerRole::User) {
      retire_user_worker(from);
    } else {
      log::error("worker " + std::to_string(from) + " sent an unexpected control message");
    }
    for (int f : got->fds) close(f);
  }

  // Where a logged-in connection goes: virtual users (uid 0) to the mail worker pool, system
  // users to their own worker, started now if it is not running. The mail worker checks the
  // login with the auth process itself: what the login worker says is only the address.
  void route(const std::string& bytes, const ipc::HandoffMessage& h, int fd) {
    unsigned uid = h.login.uid;
    pid_t target = -1;
    if (uid == 0) {
      std::vector<pid_t> pool;
      for (auto& [pid, slot] : workers_)
        if (slot.role == WorkerRole::Mail && slot.control >= 0) pool.push_back(pid);
      if (!pool.empty()) target = pool[next_mail_++ % pool.size()];
    } else if (uid < settings_->pam_first_valid_uid && uid != geteuid()) {
      log::error("handoff refused: user=" + h.login.user + " has uid " + std::to_string(uid) +
                 ", below pam_first_valid_uid");
      return;
    } else {
      auto it = user_workers_.find(uid);
      if (it != user_workers_.end())
        target = it->second;
      else if (!stopping_)
        target = spawn(WorkerRole::User, 0, uid, h.login.gid);
    }
    WorkerSlot* slot = target > 0 ? slot_of(target) : nullptr;
    if (!slot || slot->control < 0) {
      log::error("handoff failed: no mail worker for user=" + h.login.user);
      return;
    }
    int fds[1] = {fd};
    Status sent = send_message(slot->control, bytes, fds);
    if (!sent) log::error("handoff to a mail worker failed: " + sent.error().message);
  }

  // The worker said it has been idle: no new connection goes there; it exits once drained.
  void retire_user_worker(pid_t pid) {
    auto it = workers_.find(pid);
    if (it == workers_.end()) return;
    user_workers_.erase(it->second.uid);
    ipc::ControlMessage retire;
    retire.kind = ipc::ControlKind::Retire;
    Status sent = send_message(it->second.control, ipc::encode(retire));
    if (!sent) kill(pid, SIGUSR1);  // The same request, by the other way a worker listens.
    retiring_[pid] = it->second;
    workers_.erase(it);
  }

  void forget(pid_t pid, const WorkerSlot& slot) {
    if (slot.control >= 0) close(slot.control);
    if (slot.row != ~0u) release_row(slot.row);
    if (slot.role == WorkerRole::User) {
      auto it = user_workers_.find(slot.uid);
      if (it != user_workers_.end() && it->second == pid) user_workers_.erase(it);
    }
  }

  void reap() {
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

  static std::string how(int status) {
    return WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                               : "exited with " + std::to_string(WEXITSTATUS(status));
  }

  // Old workers stop accepting and serve their clients until they leave; a new generation
  // takes the new connections.
  void restart_workers() {
    ++generation_;
    for (auto& [pid, slot] : workers_) {
      kill(pid, SIGUSR1);
      retiring_[pid] = slot;
    }
    workers_.clear();
    user_workers_.clear();
    spawn_generation();
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

}  // namespace

int run_master(const MasterOptions& options) {
  Master master(options);
  return master.run();
}

}  // namespace satchel::server
