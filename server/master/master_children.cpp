// The master's children: the auth process and the workers, and the routing of logged-in
// connections to mail workers (DESIGN.md, Processes).
#include "server/master/master_process.h"

#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
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
#include <optional>
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

// A control channel end: large buffers, and non-blocking, so that neither the master nor a
// worker's loop ever waits on the other (a full channel fails that one handoff instead).
void prepare_control_end(int fd) {
  for (int opt : {SO_SNDBUFFORCE, SO_RCVBUFFORCE})
    setsockopt(fd, SOL_SOCKET, opt, &kControlBuffer, sizeof kControlBuffer);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// The account database's entry for a uid (its primary gid), if any.
std::optional<Identity> account_of(unsigned uid) {
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) != 0 || !found) return std::nullopt;
  return Identity{found->pw_uid, found->pw_gid};
}

}  // namespace

// The split model needs its login user and its empty chroot; say so at start, by name.
bool Master::check_split_model() {
  Status accounts = check_accounts(*settings_);
  if (!accounts) {
    log::error(accounts.error().message);
    return false;
  }
  if (!split() || geteuid() != 0) return true;
  if (!settings_->login_chroot.empty()) {
    Status ready = prepare_empty_dir(settings_->login_chroot);
    if (!ready) {
      log::error(ready.error().message);
      return false;
    }
  }
  return true;
}

// The auth process (split model): the only process that checks passwords.
bool Master::spawn_auth() {
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
std::vector<int> Master::auth_channels(unsigned n) {
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

void Master::spawn_generation() {
  for (unsigned i = 0; i < worker_count(); ++i)
    spawn(split() ? WorkerRole::Login : WorkerRole::Single, i);
  for (unsigned i = 0; i < mail_worker_count(); ++i) spawn(WorkerRole::Mail, i);
}

pid_t Master::spawn(WorkerRole role, unsigned index, unsigned uid, unsigned gid) {
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
    prepare_control_end(pair->first);
    prepare_control_end(pair->second);
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
      role, index, uid, gid, args.user_ip ? row : ~0u, generation_, std::time(nullptr), master_end};
  workers_[pid] = slot;
  if (role == WorkerRole::User) user_workers_[uid] = pid;
  return pid;
}

// A datagram from a worker: a handoff (login worker) or an idle notice (user worker).
void Master::read_control(pid_t from) {
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
  } else if (message && message->kind == ipc::ControlKind::Idle && slot->role == WorkerRole::User) {
    retire_user_worker(from);
  } else {
    log::error("worker " + std::to_string(from) + " sent an unexpected control message");
  }
  for (int f : got->fds) close(f);
}

// Where a logged-in connection goes: virtual users (uid 0) to the mail worker pool, system
// users to their own worker, started now if it is not running. The mail worker checks the
// login with the auth process itself: what the login worker says is only the address.
void Master::route(const std::string& bytes, const ipc::HandoffMessage& h, int fd) {
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
    if (it != user_workers_.end()) {
      target = it->second;
    } else if (!stopping_) {
      // Only for a real account, and with its own primary group: the uid/gid a login worker
      // sends are not trusted to pick what a root-forked process becomes.
      auto account = account_of(uid);
      if (!account) {
        log::error("handoff refused: user=" + h.login.user + " has uid " + std::to_string(uid) +
                   ", which is no system account");
        return;
      }
      target = spawn(WorkerRole::User, 0, uid, account->gid);
    }
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
void Master::retire_user_worker(pid_t pid) {
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

}  // namespace satchel::server
