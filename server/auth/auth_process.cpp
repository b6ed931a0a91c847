#include "server/auth/auth_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/log.h"
#include "ipc/auth_protocol.h"
#include "ipc/wire.h"
#include "server/auth/auth_service.h"
#include "server/auth/backends.h"
#include "server/auth/unix_channel.h"
#include "server/log/log_sinks.h"
#include "server/master/privileges.h"

namespace satchel::server {

namespace {

// Written by the SIGTERM/SIGINT handler; the main loop polls its read end.
int g_stop_pipe_write = -1;

void on_stop_signal(int) {
  int saved = errno;
  char c = 1;
  // Async-signal-safe; a full pipe already holds a wake-up.
  [[maybe_unused]] ssize_t n = ::write(g_stop_pipe_write, &c, 1);
  errno = saved;
}

Status install_signals(int stop_pipe_write) {
  g_stop_pipe_write = stop_pipe_write;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  if (::sigaction(SIGTERM, &sa, nullptr) != 0 || ::sigaction(SIGINT, &sa, nullptr) != 0)
    return Error::internal("sigaction failed");
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  // The master blocks these for its sigwait; the auth process wants them delivered.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  return ok_status();
}

}  // namespace

void serve_auth_channel(AuthService& service, int fd) {
  for (;;) {
    auto got = receive_message(fd, ipc::kMaxAuthMessage, 0);
    if (!got) {
      log::warning("auth channel: " + got.error().message + "; closing it");
      return;
    }
    if (got->eof) return;
    auto request = ipc::decode_auth_request(got->bytes);
    ipc::wipe(got->bytes);  // May hold a password.
    if (!request) {
      // CONVENTIONS.md rule 8: a peer sending garbage is broken; stop talking to it.
      log::error("auth channel: " + request.error().message + "; closing it");
      return;
    }
    SecureString response = ipc::encode(service.handle(*request));
    if (auto sent = send_message(fd, response.view()); !sent) {
      if (sent.error().code != "PEER_GONE")
        log::warning("auth channel: " + sent.error().message + "; closing it");
      return;
    }
  }
}

namespace {

// One worker channel served on its own thread.
struct Channel {
  UniqueFd fd;
  std::thread thread;
  std::atomic<bool> done{false};
};

// The serving threads; finished ones are joined as new channels arrive, the rest at exit.
class ChannelSet {
 public:
  explicit ChannelSet(AuthService& service) : service_(service) {}
  ~ChannelSet() { stop_all(); }

  void add(int fd) {
    reap();
    auto& c = channels_.emplace_back();
    c.fd.reset(fd);
    Channel* ch = &c;
    ch->thread = std::thread([this, ch] {
      serve_auth_channel(service_, ch->fd.get());
      // The worker must see the end at once; the descriptor itself is closed when the thread is
      // joined, so no other thread can meet its number reused meanwhile.
      ::shutdown(ch->fd.get(), SHUT_RDWR);
      ch->done = true;
    });
  }

  // Wakes every thread out of its receive (shutdown makes it see end of file) and joins it. A
  // thread in the middle of a request finishes it first.
  void stop_all() {
    for (auto& c : channels_) ::shutdown(c.fd.get(), SHUT_RDWR);
    for (auto& c : channels_)
      if (c.thread.joinable()) c.thread.join();
    channels_.clear();
  }

  std::size_t size() const { return channels_.size(); }

 private:
  void reap() {
    for (auto it = channels_.begin(); it != channels_.end();) {
      if (it->done) {
        it->thread.join();
        it = channels_.erase(it);
      } else {
        ++it;
      }
    }
  }

  AuthService& service_;
  std::list<Channel> channels_;  // A list: threads hold pointers to their Channel.
};

Status drop_if_root(const config::Settings& s) {
  if (::geteuid() != 0) return ok_status();
  if (auth_needs_root(s)) {
    log::info("auth process keeps root: the pam backend needs it (/etc/shadow)");
    return ok_status();
  }
  if (s.user.empty()) {
    log::warning("auth process runs as root: [server] user is not set");
    return ok_status();
  }
  auto id = resolve_identity(s.user, s.group);
  if (!id) return id.error();
  return drop_privileges(*id);
}

}  // namespace

int run_auth_process(const config::Settings& s, int control_fd) {
  UniqueFd control(control_fd);
  set_log_role("auth");

  int stop_pipe[2];
  if (::pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    log::error("auth process: pipe failed");
    return 1;
  }
  UniqueFd stop_read(stop_pipe[0]), stop_write(stop_pipe[1]);
  if (auto st = install_signals(stop_write.get()); !st) {
    log::error("auth process: " + st.error().message);
    return 1;
  }

  // 1. Privileges, before reading anything a worker sends (CONVENTIONS.md rule 8).
  if (auto dropped = drop_if_root(s); !dropped) {
    log::error("auth process: cannot drop privileges: " + dropped.error().message);
    return 1;
  }
  // Named after the drop, like the workers: a satchel-* process is done with root.
  ::prctl(PR_SET_NAME, "satchel-auth", 0, 0, 0);

  // 2. Backends, opened as the user that will use them.
  auto backends = build_auth_backends(s);
  if (!backends) {
    log::error("auth process: " + backends.error().message);
    return 1;
  }
  AuthService service(std::move(*backends));
  ChannelSet channels(service);

  // 3. Channels from the master until it goes away or we are told to stop.
  int status = 0;
  for (;;) {
    pollfd fds[2] = {{control.get(), POLLIN, 0}, {stop_read.get(), POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      log::error("auth process: poll failed");
      status = 1;
      break;
    }
    if (fds[1].revents != 0) {
      log::info("auth process: stopping on signal");
      break;
    }
    if (fds[0].revents == 0) continue;
    auto got = receive_message(control.get(), 64, 1);
    if (!got) {
      log::error("auth process: control channel: " + got.error().message);
      if (got.error().code == "TRUNCATED") continue;  // One bad message; the socket is fine.
      status = 1;
      break;
    }
    if (got->eof) break;  // The master is gone.
    if (got->fds.size() != 1) {
      log::error("auth process: control message without a channel");
      continue;
    }
    channels.add(got->fds[0]);
  }
  channels.stop_all();
  return status;
}

}  // namespace satchel::server
