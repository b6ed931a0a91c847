// The two ends of a login in the split process model (DESIGN.md, Processes):
//  - login worker: once the session says Next::Handoff, the queued output drains, then the
//    connection moves to a mail worker through the master: a plaintext client's socket itself
//    (SCM_RIGHTS) with the bytes already read, or, for a TLS client, one end of a socketpair;
//    the login worker keeps the TLS state and relays decrypted bytes over the other end;
//  - mail worker: an adopted connection redeems the login ticket with the auth process and
//    gets an after-login session, which answers the login command.
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "ipc/handoff.h"
#include "protocol/imap/make_session.h"
#include "protocol/pop3/make_session.h"
#include "server/net/connection.h"
#include "server/worker/worker.h"

namespace satchel::server {
namespace {

// Input a client may have pipelined behind its login command; more is not a client.
// (It travels in one datagram, which the master's socket buffers must hold.)
constexpr std::size_t kMaxCarriedInput = 128 * 1024;
constexpr std::size_t kRelayHighWater = 4 * 1024 * 1024;

}  // namespace

void Connection::begin_handoff(std::string unconsumed) {
  handoff_ = session_->take_handoff();
  input_.insert(0, unconsumed);
  // A plaintext socket must not be read any more: what the client sends next is the mail
  // worker's. A TLS client keeps being read (the records are ours to decrypt), into input_.
  if (!tls_) pause_reading();
  uv_timer_stop(&wake_timer_);
  maybe_handoff();
}

void Connection::maybe_handoff() {
  if (closing_ || handed_off_ || pending_write_bytes_ > 0) return;
  if (input_.size() > kMaxCarriedInput) {
    log::warning("handoff refused: rip=" + remote_ip_ + " sent too much after logging in");
    close();
    return;
  }
  ipc::ControlMessage message;
  message.kind = ipc::ControlKind::Handoff;
  message.handoff.pop3 = listener_.protocol == config::Protocol::Pop3;
  message.handoff.conn = info_;
  message.handoff.conn.tls_active = tls_ != nullptr;
  message.handoff.login = *handoff_;
  message.handoff.pending_input = std::move(input_);
  input_.clear();

  if (!ipc::fits(message)) {
    log::warning("handoff refused: rip=" + remote_ip_ + " login data too large");
    close();
    return;
  }
  int fd = -1;
  int relay_end = -1;
  if (tls_) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
      log::error("handoff: socketpair failed; closing rip=" + remote_ip_);
      close();
      return;
    }
    fd = pair[1];
    relay_end = pair[0];
  } else {
    uv_os_fd_t own = -1;
    uv_fileno(stream_handle(), &own);
    fd = own;
  }
  bool sent = worker_.send_handoff(ipc::encode(message), fd);
  if (tls_) ::close(fd);  // The mail worker has its copy now (or never will).
  if (!sent) {
    if (relay_end >= 0) ::close(relay_end);
    send(listener_.protocol == config::Protocol::Imap
             ? "* BYE [UNAVAILABLE] Mail service unavailable, try again later\r\n"
             : "-ERR [SYS/TEMP] Mail service unavailable, try again later\r\n");
    close_after_output();
    return;
  }
  handed_off_ = true;
  session_.reset();
  if (tls_) {
    start_relay(relay_end);
    return;
  }
  close();  // Our copy of the socket; the client's connection lives on in the mail worker.
}

void Connection::start_relay(int fd) {
  uv_pipe_init(worker_.loop(), &relay_, 0);
  relay_.data = this;
  ++open_handles_;
  relaying_ = true;
  if (uv_pipe_open(&relay_, fd) != 0) {
    ::close(fd);
    close();
    return;
  }
  // The mail worker owns the session's timeouts now; this end closes when it does.
  uv_timer_stop(&idle_timer_);
  uv_read_start(reinterpret_cast<uv_stream_t*>(&relay_), on_alloc, on_relay_read);
  resume_reading();
}

void Connection::relay_to_mail_worker(std::string_view plaintext) {
  if (plaintext.empty() || closing_) return;
  if (!queue_write(reinterpret_cast<uv_stream_t*>(&relay_), std::string(plaintext), relay_pending_,
                   on_relay_write)) {
    close();
    return;
  }
  if (relay_pending_ > kRelayHighWater) pause_reading();
}

void Connection::on_relay_write(uv_write_t* req, int status) {
  std::unique_ptr<WriteReq> w(static_cast<WriteReq*>(req->data));
  Connection* self = w->owner;
  self->relay_pending_ -= w->bytes.size();
  if (status < 0) {
    self->close();
    return;
  }
  if (self->relay_pending_ <= kRelayHighWater / 2) self->resume_reading();
}

void Connection::on_relay_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(stream->data);
  if (nread == 0) return;
  if (nread < 0) {
    // The mail worker ended the session (LOGOUT, timeout, its shutdown): end TLS cleanly.
    uv_read_stop(stream);
    self->close_after_output();
    return;
  }
  self->send(std::string_view(buf->base, static_cast<std::size_t>(nread)));
  if (self->pending_write_bytes_ > kOutputHighWater) uv_read_stop(stream);
}

void Connection::adopt(const protocol::ConnectionInfo& info, const protocol::LoginHandoff& login,
                       std::string pending_input) {
  info_ = info;
  remote_ip_ = info.remote_ip;
  remote_port_ = info.remote_port;
  adopting_ = login;
  input_ = std::move(pending_input);
  auto* job = new Job;
  job->owner = this;
  job->redeem = true;
  job->req.data = job;
  job_running_ = true;
  uv_queue_work(worker_.loop(), &job->req, run_job, after_job);
}

void Connection::finish_adoption(Result<auth::UserRecord> record) {
  const protocol::LoginHandoff& login = *adopting_;
  bool imap = listener_.protocol == config::Protocol::Imap;
  std::string problem;
  if (!record) {
    problem = record.error().message;
  } else if (record->name != login.user) {
    problem = "ticket is for another user";
  } else if (worker_.setup().role == WorkerRole::User
                 ? record->uid != getuid()
                 : record->uid != 0 && record->uid != getuid()) {
    problem = "user's uid " + std::to_string(record->uid) + " does not belong to this worker";
  }
  if (!problem.empty()) {
    log::error("handoff refused: user=" + login.user + " rip=" + remote_ip_ + ": " + problem);
    std::string tag = login.imap_tag.empty() ? "*" : login.imap_tag;
    send(imap ? tag + " NO [UNAVAILABLE] Login could not be completed, try again later\r\n"
              : "-ERR [SYS/TEMP] Login could not be completed, try again later\r\n");
    close_after_output();
    return;
  }
  const protocol::Services& services = worker_.setup().services;
  if (imap)
    session_ =
        imap::make_imap_session_after_login(info_, session_limits(), services, login, *record);
  else
    session_ =
        pop3::make_pop3_session_after_login(info_, session_limits(), services, login, *record);
  adopting_.reset();
  arm_idle_timer();
  resume_reading();
  // The first feed answers the login command, with or without further input.
  start_job(false);
}

}  // namespace satchel::server
