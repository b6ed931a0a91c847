// Worker: one process with one libuv loop, accepting on the inherited listening sockets and
// running every connection it accepts (DESIGN.md, Processes).
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/api/authenticator.h"
#include "base/result.h"
#include "config/settings.h"
#include "ipc/handoff.h"
#include "protocol/session.h"
#include "server/master/user_ip_counters.h"
#include "server/net/listen_socket.h"
#include "server/net/transport.h"

namespace satchel::server {

class Connection;

// What a worker does (DESIGN.md, Processes).
enum class WorkerRole {
  Single,  // process_model = single: accepts, logs in and serves mail, as the mail owner.
  Login,   // Accepts, TLS, pre-login protocol; hands logged-in connections to the master.
  Mail,    // Serves connections handed over for virtual users (uid 0 records), as `user`.
  User,    // Serves the connections of one system user, as that user; exits when idle.
};

// What a worker needs from the master, handed over at fork.
struct WorkerSetup {
  WorkerRole role = WorkerRole::Single;
  // Split model: the seqpacket channel to the master (handoffs in or out, idle notices) and
  // the channels to the auth process (one per concurrent request).
  int control_fd = -1;
  std::vector<int> auth_fds;
  unsigned user_uid = 0;  // WorkerRole::User: whose worker this is.
  unsigned user_gid = 0;
  // Mail and user workers: trades a login ticket for the user's record at the auth process
  // (may block: call it on the pool). Never trust what the login worker says about the user.
  std::function<Result<auth::UserRecord>(const std::string& ticket)> redeem_ticket;
  const config::Settings* settings = nullptr;
  const std::vector<ListenSocket>* sockets = nullptr;
  unsigned index = 0;
  unsigned max_connections = 0;  // This worker's share of the total.
  protocol::Services services;   // Authenticator and store factory, owned by the caller.
  // Creates the TLS transport for a connection on a TLS listener (nullptr when TLS is not
  // configured).
  std::function<std::unique_ptr<Transport>(config::Protocol)> make_tls;
  UserIpCounters* user_ip = nullptr;
  unsigned user_ip_row = 0;
};

class Worker {
 public:
  explicit Worker(WorkerSetup setup);
  ~Worker();

  // Runs the loop until the worker has stopped. Returns the process exit code.
  int run();

  uv_loop_t* loop() { return &loop_; }
  const WorkerSetup& setup() const { return setup_; }
  const config::Settings& settings() const { return *setup_.settings; }

  // A read buffer lent to the connection that is reading now (the loop reads one socket at a
  // time), so idle connections hold no buffer (DESIGN.md, memory per session).
  char* read_buffer() { return read_buffer_.data(); }
  std::size_t read_buffer_size() const { return read_buffer_.size(); }

  // Called by a Connection when its handles are closed and no job is running.
  void destroy(std::uint64_t id);

  bool stopping() const { return stopping_; }

  // Login worker: gives a logged-in connection to the master (one datagram on the control
  // channel, `fd` attached), which passes it on to a mail worker. False when that failed.
  bool send_handoff(const std::string& message, int fd);

 private:
  struct ListenerHandle {
    uv_tcp_t tcp{};
    Worker* worker = nullptr;
    const ListenSocket* socket = nullptr;
  };

  static void on_connection(uv_stream_t* server, int status);
  static void on_signal(uv_signal_t* handle, int signum);
  static void on_stop_deadline(uv_timer_t* timer);
  static void on_control(uv_poll_t* handle, int status, int events);
  static void on_user_idle(uv_timer_t* timer);

  // Mail and user workers: handoffs (and Retire) from the master.
  void read_control();
  void adopt(ipc::HandoffMessage handoff, int fd);
  void update_user_idle();
  void accept_from(ListenerHandle& listener);
  // Stops accepting. With `drain` (SIGUSR1, a reload) existing sessions go on until they end;
  // otherwise (SIGTERM) every session gets its BYE.
  void stop(bool drain);
  void maybe_exit();

  WorkerSetup setup_;
  uv_loop_t loop_{};
  std::vector<std::unique_ptr<ListenerHandle>> listeners_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
  std::uint64_t next_id_ = 1;
  uv_signal_t sigterm_{}, sigint_{}, sigusr1_{};
  uv_timer_t stop_deadline_{};
  uv_poll_t control_poll_{};
  bool control_polling_ = false;
  uv_timer_t user_idle_{};  // A user worker with no connections tells the master it is idle.
  bool idle_reported_ = false;
  bool stopping_ = false;
  bool handles_closed_ = false;
  std::vector<char> read_buffer_;
};

}  // namespace satchel::server
