#include "server/worker/worker.h"

#include <sys/socket.h>
#include <unistd.h>

#include <csignal>

#include "base/log.h"
#include "ipc/handoff.h"
#include "server/auth/unix_channel.h"
#include "server/net/connection.h"

namespace satchel::server {
namespace {

constexpr std::size_t kReadBufferSize = 64 * 1024;
constexpr std::uint64_t kStopDeadlineMs = 15000;

}  // namespace

Worker::Worker(WorkerSetup setup) : setup_(std::move(setup)), read_buffer_(kReadBufferSize) {
  uv_loop_init(&loop_);
  loop_.data = this;
}

Worker::~Worker() {
  connections_.clear();
  uv_loop_close(&loop_);
}

int Worker::run() {
  for (const auto& socket : *setup_.sockets) {
    auto l = std::make_unique<ListenerHandle>();
    l->worker = this;
    l->socket = &socket;
    uv_tcp_init(&loop_, &l->tcp);
    l->tcp.data = l.get();
    int rc = uv_tcp_open(&l->tcp, socket.fd);
    if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(&l->tcp), 1024, on_connection);
    if (rc != 0) {
      log::error("worker: cannot listen on " + socket.bound_address + ": " + uv_strerror(rc));
      return 1;
    }
    listeners_.push_back(std::move(l));
  }
  for (auto* sig : {&sigterm_, &sigint_, &sigusr1_}) {
    uv_signal_init(&loop_, sig);
    sig->data = this;
  }
  uv_signal_start(&sigterm_, on_signal, SIGTERM);
  uv_signal_start(&sigint_, on_signal, SIGINT);
  uv_signal_start(&sigusr1_, on_signal, SIGUSR1);
  uv_timer_init(&loop_, &stop_deadline_);
  stop_deadline_.data = this;
  uv_timer_init(&loop_, &user_idle_);
  user_idle_.data = this;
  bool adopts = setup_.role == WorkerRole::Mail || setup_.role == WorkerRole::User;
  if (adopts && setup_.control_fd >= 0) {
    uv_poll_init(&loop_, &control_poll_, setup_.control_fd);
    control_poll_.data = this;
    uv_poll_start(&control_poll_, UV_READABLE, on_control);
    control_polling_ = true;
  }
  update_user_idle();
  uv_run(&loop_, UV_RUN_DEFAULT);
  return 0;
}

void Worker::on_connection(uv_stream_t* server, int status) {
  auto* l = static_cast<ListenerHandle*>(server->data);
  if (status < 0) {
    log::warning(std::string("accept failed: ") + uv_strerror(status));
    return;
  }
  l->worker->accept_from(*l);
}

void Worker::accept_from(ListenerHandle& listener) {
  std::uint64_t id = next_id_++;
  auto conn = std::make_unique<Connection>(*this, id, *listener.socket);
  if (uv_accept(reinterpret_cast<uv_stream_t*>(&listener.tcp),
                reinterpret_cast<uv_stream_t*>(conn->tcp())) != 0) {
    // Another worker took it (all workers accept on the same socket).
    Connection* raw = conn.get();
    connections_[id] = std::move(conn);
    raw->close();
    return;
  }
  Connection* raw = conn.get();
  connections_[id] = std::move(conn);
  if (stopping_ || connections_.size() > setup_.max_connections) {
    bool imap = listener.socket->protocol == config::Protocol::Imap;
    log::warning("connection refused: too many connections (" +
                 std::to_string(setup_.max_connections) + " per worker)");
    raw->refuse(imap ? "* BYE [UNAVAILABLE] Too many connections, try again later\r\n"
                     : "-ERR [SYS/TEMP] Too many connections, try again later\r\n");
    return;
  }
  raw->start();
}

void Worker::destroy(std::uint64_t id) {
  connections_.erase(id);
  update_user_idle();
  maybe_exit();
}

bool Worker::send_handoff(const std::string& message, int fd) {
  int fds[1] = {fd};
  Status sent = send_message(setup_.control_fd, message, fds);
  if (!sent) log::error("handoff to the master failed: " + sent.error().message);
  return sent.ok();
}

void Worker::on_control(uv_poll_t* handle, int status, int) {
  auto* self = static_cast<Worker*>(handle->data);
  if (status < 0) {
    self->stop(false);
    return;
  }
  self->read_control();
}

void Worker::read_control() {
  auto got = receive_message(setup_.control_fd, ipc::kMaxControlMessage, 1);
  if (!got) {
    if (got.error().code != "AGAIN") log::error("control channel: " + got.error().message);
    return;
  }
  if (got->eof) {
    // The master is gone: nobody supervises us any more.
    log::warning("master went away; stopping");
    uv_poll_stop(&control_poll_);
    stop(false);
    return;
  }
  std::string_view bytes = got->bytes;
  int fd = got->fds.empty() ? -1 : got->fds.front();
  auto message = ipc::decode_control(bytes);
  if (!message) {
    log::error("control channel: bad message: " + message.error().message);
    for (int f : got->fds) close(f);
    return;
  }
  if (message->kind == ipc::ControlKind::Retire) {
    for (int f : got->fds) close(f);
    stop(true);
    return;
  }
  if (message->kind != ipc::ControlKind::Handoff || fd < 0) {
    for (int f : got->fds) close(f);
    return;
  }
  adopt(std::move(message->handoff), fd);
}

void Worker::adopt(ipc::HandoffMessage h, int fd) {
  int domain = AF_INET;
  socklen_t len = sizeof domain;
  getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len);
  ListenSocket origin;
  origin.listener = h.conn.listener_name;
  origin.protocol = h.pop3 ? config::Protocol::Pop3 : config::Protocol::Imap;
  origin.plaintext_auth = h.conn.plaintext_auth_allowed;
  std::uint64_t id = next_id_++;
  auto conn = std::make_unique<Connection>(
      *this, id, origin,
      domain == AF_UNIX ? Connection::StreamKind::Pipe : Connection::StreamKind::Tcp);
  Connection* raw = conn.get();
  connections_[id] = std::move(conn);
  update_user_idle();
  if (!raw->open_fd(fd)) {
    log::error("handoff: cannot take over the connection of rip=" + h.conn.remote_ip);
    close(fd);
    raw->close();
    return;
  }
  raw->adopt(h.conn, h.login, std::move(h.pending_input));
}

// A user worker lives while its user has connections, and a little after (a client that
// reconnects finds it warm); then it asks the master to retire it.
void Worker::update_user_idle() {
  if (setup_.role != WorkerRole::User || stopping_) return;
  if (!connections_.empty()) {
    uv_timer_stop(&user_idle_);
    idle_reported_ = false;
    return;
  }
  if (!idle_reported_)
    uv_timer_start(&user_idle_, on_user_idle,
                   static_cast<std::uint64_t>(settings().user_worker_idle_s) * 1000, 0);
}

void Worker::on_user_idle(uv_timer_t* timer) {
  auto* self = static_cast<Worker*>(timer->data);
  if (!self->connections_.empty()) return;
  ipc::ControlMessage idle;
  idle.kind = ipc::ControlKind::Idle;
  self->idle_reported_ = send_message(self->setup_.control_fd, ipc::encode(idle)).ok();
}

void Worker::on_signal(uv_signal_t* handle, int signum) {
  auto* self = static_cast<Worker*>(handle->data);
  self->stop(signum == SIGUSR1);
}

void Worker::stop(bool drain) {
  if (!stopping_) {
    stopping_ = true;
    for (auto& l : listeners_) uv_close(reinterpret_cast<uv_handle_t*>(&l->tcp), nullptr);
    if (!drain) uv_timer_start(&stop_deadline_, on_stop_deadline, kStopDeadlineMs, 0);
  }
  if (!drain) {
    // Copy the ids first: shutdown() may destroy a connection and change the table.
    std::vector<std::uint64_t> ids;
    for (auto& [id, c] : connections_) ids.push_back(id);
    for (auto id : ids) {
      auto it = connections_.find(id);
      if (it != connections_.end()) it->second->shutdown();
    }
  }
  maybe_exit();
}

void Worker::on_stop_deadline(uv_timer_t* timer) {
  auto* self = static_cast<Worker*>(timer->data);
  log::warning("worker: stop deadline passed, closing " +
               std::to_string(self->connections_.size()) + " connections");
  std::vector<std::uint64_t> ids;
  for (auto& [id, c] : self->connections_) ids.push_back(id);
  for (auto id : ids) {
    auto it = self->connections_.find(id);
    if (it != self->connections_.end()) it->second->close();
  }
}

void Worker::maybe_exit() {
  if (!stopping_ || !connections_.empty() || handles_closed_) return;
  handles_closed_ = true;
  for (auto* sig : {&sigterm_, &sigint_, &sigusr1_})
    uv_close(reinterpret_cast<uv_handle_t*>(sig), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&stop_deadline_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&user_idle_), nullptr);
  if (control_polling_) uv_close(reinterpret_cast<uv_handle_t*>(&control_poll_), nullptr);
}

}  // namespace satchel::server
