#include "server/worker/worker.h"

#include <csignal>

#include "base/log.h"
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
  maybe_exit();
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
}

}  // namespace satchel::server
