#include "server/net/connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "base/log.h"
#include "protocol/imap/make_session.h"
#include "protocol/pop3/make_session.h"
#include "server/net/listen_socket.h"
#include "server/worker/worker.h"

namespace satchel::server {
namespace {

// How often a session in IMAP IDLE looks for changes made elsewhere. Each look is one cheap
// index query (plus two directory stats); inotify-driven wake-ups are issue 8's.
constexpr std::uint64_t kPollIntervalMs = 2000;

std::pair<std::string, int> address_of(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    return {host, ntohs(in->sin_port)};
  }
  if (ss.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    std::string text = host;
    // An IPv4 client on a dual-stack socket: log and match it as plain IPv4.
    if (text.rfind("::ffff:", 0) == 0 && text.find('.') != std::string::npos) text = text.substr(7);
    return {text, ntohs(in6->sin6_port)};
  }
  return {"unknown", 0};
}

bool is_loopback(const std::string& ip) {
  return ip.rfind("127.", 0) == 0 || ip == "::1";
}

}  // namespace

Connection::Connection(Worker& worker, std::uint64_t id, ListenSocket origin, StreamKind kind)
    : worker_(worker),
      id_(id),
      listener_(std::move(origin)),
      started_(std::chrono::steady_clock::now()) {
  if (kind == StreamKind::Tcp)
    uv_tcp_init(worker_.loop(), &stream_.tcp);
  else
    uv_pipe_init(worker_.loop(), &stream_.pipe, 0);
  uv_timer_init(worker_.loop(), &idle_timer_);
  uv_timer_init(worker_.loop(), &wake_timer_);
  stream_handle()->data = this;
  idle_timer_.data = this;
  wake_timer_.data = this;
  open_handles_ = 3;
}

Connection::~Connection() = default;

void Connection::start() {
  sockaddr_storage peer{}, local{};
  int len = sizeof peer;
  uv_tcp_getpeername(&stream_.tcp, reinterpret_cast<sockaddr*>(&peer), &len);
  len = sizeof local;
  uv_tcp_getsockname(&stream_.tcp, reinterpret_cast<sockaddr*>(&local), &len);
  auto [rip, rport] = address_of(peer);
  auto [lip, lport] = address_of(local);
  remote_ip_ = rip;
  remote_port_ = rport;
  uv_tcp_nodelay(&stream_.tcp, 1);

  protocol::ConnectionInfo info;
  info.remote_ip = rip;
  info.remote_port = rport;
  info.local_ip = lip;
  info.local_port = lport;
  info.listener_name = listener_.listener;
  info.tls_active = listener_.tls == config::TlsMode::Implicit;
  info.starttls_offered = listener_.tls == config::TlsMode::StartTls && worker_.setup().make_tls;
  // Cleartext passwords: over TLS, from loopback, or where the listener allows them.
  info.plaintext_auth_allowed = listener_.plaintext_auth || is_loopback(rip);

  info_ = info;
  if (listener_.protocol == config::Protocol::Imap)
    session_ = imap::make_imap_session(info, session_limits(), worker_.setup().services);
  else
    session_ = pop3::make_pop3_session(info, session_limits(), worker_.setup().services);

  log::info("connect: proto=" +
            std::string(listener_.protocol == config::Protocol::Imap ? "imap" : "pop3") +
            " listener=" + listener_.listener + " rip=" + remote_ip_ +
            " rport=" + std::to_string(remote_port_));

  if (info.tls_active) {
    if (!worker_.setup().make_tls) {
      log::error("listener " + listener_.listener + ": implicit TLS without certificates");
      close();
      return;
    }
    tls_ = worker_.setup().make_tls(listener_.protocol);
    if (!tls_) {
      close();
      return;
    }
  } else {
    send(session_->greeting());
  }
  arm_idle_timer();
  resume_reading();
}

protocol::Limits Connection::session_limits() const {
  const auto& settings = worker_.settings();
  protocol::Limits limits;
  limits.max_line = settings.max_line;
  limits.max_message = settings.max_message_size;
  limits.failed_login_delay = std::chrono::milliseconds(settings.auth_failure_delay_ms);
  return limits;
}

bool Connection::open_fd(int fd) {
  bool pipe = stream_handle()->type == UV_NAMED_PIPE;
  int rc = pipe ? uv_pipe_open(&stream_.pipe, fd) : uv_tcp_open(&stream_.tcp, fd);
  if (rc == 0 && !pipe) uv_tcp_nodelay(&stream_.tcp, 1);
  return rc == 0;
}

void Connection::refuse(const std::string& line) {
  close_when_written_ = true;
  write_raw(line);
}

void Connection::on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(handle->data);
  buf->base = self->worker_.read_buffer();
  buf->len = self->worker_.read_buffer_size();
}

void Connection::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(stream->data);
  if (nread == 0) return;
  if (nread < 0) {
    // EOF or reset: whatever the session holds (an unfinished APPEND) is dropped with it.
    self->close();
    return;
  }
  self->bytes_in_ += static_cast<std::uint64_t>(nread);
  std::string_view bytes(buf->base, static_cast<std::size_t>(nread));
  self->arm_idle_timer();
  if (!self->tls_) {
    self->handle_plaintext(bytes);
    return;
  }
  if (self->relaying_) {
    if (!self->tls_->receive(bytes)) {
      self->close();
      return;
    }
    self->flush_transport();
    self->relay_to_mail_worker(self->tls_->take_plaintext());
    return;
  }
  bool was_done = self->tls_->handshake_done();
  if (!self->tls_->receive(bytes)) {
    self->flush_transport();
    log::info("tls failed: rip=" + self->remote_ip_ + " reason=" + self->tls_->error());
    self->close_after_output();
    return;
  }
  self->flush_transport();
  if (!was_done && self->tls_->handshake_done()) {
    log::info("tls: rip=" + self->remote_ip_ + " " + self->tls_->describe());
    if (self->job_running_) return;  // Cannot happen: no job runs during a handshake.
    bool implicit = self->listener_.tls == config::TlsMode::Implicit;
    if (implicit)
      self->send(self->session_->greeting());
    else
      self->session_->on_tls_started();
  }
  std::string plain = self->tls_->take_plaintext();
  if (!plain.empty()) self->handle_plaintext(plain);
}

void Connection::handle_plaintext(std::string_view bytes) {
  if (closing_ || close_when_written_) return;
  if (relaying_) {
    relay_to_mail_worker(bytes);
    return;
  }
  input_.append(bytes);
  if (input_.size() > kMaxBufferedInput) pause_reading();
  maybe_schedule();
}

void Connection::maybe_schedule() {
  if (job_running_ || closing_ || close_when_written_ || delayed_ || !session_ || handoff_) return;
  if (tls_ && !tls_->handshake_done()) return;
  if (input_.empty()) return;
  if (pending_write_bytes_ > kOutputHighWater) {
    pause_reading();
    return;
  }
  start_job(false);
}

void Connection::start_job(bool poll_only) {
  auto* job = new Job;
  job->owner = this;
  job->poll_only = poll_only;
  if (!poll_only) {
    job->input = std::move(input_);
    input_.clear();
  }
  job->req.data = job;
  job_running_ = true;
  uv_queue_work(worker_.loop(), &job->req, run_job, after_job);
}

void Connection::update_polling() {
  bool wanted = session_ && session_->wants_poll() && !closing_;
  if (wanted == polling_) return;
  polling_ = wanted;
  if (wanted)
    uv_timer_start(&wake_timer_, on_wake, kPollIntervalMs, kPollIntervalMs);
  else
    uv_timer_stop(&wake_timer_);
}

void Connection::run_job(uv_work_t* req) {
  auto* job = static_cast<Job*>(req->data);
  // Pool thread: the session is ours alone until after_job runs on the loop.
  if (job->redeem) {
    const auto& redeem = job->owner->worker_.setup().redeem_ticket;
    job->record = redeem ? redeem(job->owner->adopting_->ticket)
                         : Result<auth::UserRecord>(Error::internal("no auth process"));
  } else if (job->poll_only)
    job->owner->session_->poll(job->output);
  else
    job->result = job->owner->session_->feed(job->input, job->output);
}

void Connection::after_job(uv_work_t* req, int) {
  std::unique_ptr<Job> job(static_cast<Job*>(req->data));
  job->owner->finish_job(*job);
}

void Connection::finish_job(Job& job) {
  job_running_ = false;
  // First: a client gone while its command ran is only waiting to be destroyed (counting its
  // login now would count it after close() released its count, and never release it).
  if (closing_) {
    maybe_destroy();
    return;
  }
  if (job.redeem) {
    finish_adoption(std::move(*job.record));
    return;
  }
  authenticated_ = session_->authenticated();
  if (authenticated_ && user_.empty()) {
    user_ = session_->user();
    if (!count_user_ip()) return;
  }
  std::size_t consumed = std::min(job.result.consumed, job.input.size());
  bool arrived_meanwhile = !input_.empty();
  switch (job.result.next) {
    case protocol::Next::Handoff:
      send(job.output);
      begin_handoff(job.input.substr(std::min(consumed, job.input.size())));
      return;
    case protocol::Next::Close:
      send(job.output);
      input_.clear();
      close_after_output();
      return;
    case protocol::Next::StartTls:
      send(job.output);
      // RFC 3501 §6.2.1 / RFC 2595 §3.1: nothing the client sent after the STARTTLS command
      // may be used inside TLS (the command-injection class of bugs): discard it all.
      input_.clear();
      start_tls();
      return;
    case protocol::Next::Read:
      break;
  }
  // Bytes that arrived while the job ran go after what the session left unconsumed.
  input_.insert(0, job.input, consumed, std::string::npos);
  if (job.result.delay.count() > 0 && !shutting_down_) {
    // A failed login: the answer itself waits, so a guesser learns nothing sooner
    // (DESIGN.md: failed logins are delayed).
    polling_ = false;
    delayed_ = true;
    held_output_ = std::move(job.output);
    pause_reading();
    uv_timer_start(&wake_timer_, on_wake, static_cast<std::uint64_t>(job.result.delay.count()), 0);
    return;
  }
  send(job.output);
  if (shutting_down_) {
    send(session_->shutdown_notice(false));
    close_after_output();
    return;
  }
  if (input_.size() <= kMaxBufferedInput) resume_reading();
  if (!job.poll_only) arm_idle_timer();
  update_polling();
  // Go on when there is something new to read: bytes that came in while the job ran, or
  // leftovers after progress. Unconsumed bytes without progress wait for more input.
  if (arrived_meanwhile || (consumed > 0 && !input_.empty())) maybe_schedule();
}

bool Connection::count_user_ip() {
  const WorkerSetup& setup = worker_.setup();
  if (!setup.user_ip) return true;
  std::size_t cell = UserIpCounters::cell_of(user_, remote_ip_);
  user_ip_cell_ = cell;
  unsigned total = setup.user_ip->add(setup.user_ip_row, cell, +1);
  unsigned limit = worker_.settings().max_connections_per_user_ip;
  if (limit == 0 || total <= limit) return true;
  log::warning("connection refused: user=" + user_ + " rip=" + remote_ip_ + " has " +
               std::to_string(total - 1) +
               " connections (max_connections_per_user_ip=" + std::to_string(limit) + ")");
  bool imap = listener_.protocol == config::Protocol::Imap;
  send(imap ? "* BYE [UNAVAILABLE] Maximum number of connections from user+IP exceeded\r\n"
            : "-ERR [IN-USE] Maximum number of connections from user+IP exceeded\r\n");
  input_.clear();
  close_after_output();
  return false;
}

void Connection::on_wake(uv_timer_t* timer) {
  auto* self = static_cast<Connection*>(timer->data);
  if (self->closing_) return;
  if (self->polling_) {
    // A command or an earlier poll still running will report changes itself.
    if (!self->job_running_ && self->pending_write_bytes_ <= kOutputHighWater)
      self->start_job(true);
    return;
  }
  self->delayed_ = false;
  self->send(self->held_output_);
  self->held_output_.clear();
  self->resume_reading();
  self->maybe_schedule();
}

void Connection::start_tls() {
  if (!worker_.setup().make_tls) {
    close_after_output();
    return;
  }
  tls_ = worker_.setup().make_tls(listener_.protocol);
  if (!tls_) {
    close_after_output();
    return;
  }
  arm_idle_timer();
  resume_reading();
}

void Connection::shutdown() {
  if (closing_) return;
  // A relay carries the mail worker's BYE, which is being stopped too: it ends when that end
  // closes (or at the worker's stop deadline).
  if (relaying_) return;
  if (job_running_) {
    shutting_down_ = true;
    return;
  }
  if (session_ && (!tls_ || tls_->handshake_done())) send(session_->shutdown_notice(false));
  close_after_output();
}

void Connection::arm_idle_timer() {
  // A relay has no timeout of its own: the mail worker times the session out and closes its
  // end, which closes this one (a login-timeout here would cut every idle TLS session).
  if (relaying_) return;
  const auto& s = worker_.settings();
  std::uint64_t seconds = authenticated_ ? s.idle_timeout_s : s.login_timeout_s;
  // A TLS handshake gets its own, shorter bound: a peer that never finishes one is not a client.
  if (tls_ && !tls_->handshake_done())
    seconds =
        std::min<std::uint64_t>(seconds, static_cast<std::uint64_t>(s.tls.handshake_timeout_s));
  uv_timer_start(&idle_timer_, on_idle_timeout, seconds * 1000, 0);
}

void Connection::on_idle_timeout(uv_timer_t* timer) {
  auto* self = static_cast<Connection*>(timer->data);
  if (self->job_running_) {
    self->arm_idle_timer();  // A long command is not idleness.
    return;
  }
  bool handshaking = self->tls_ && !self->tls_->handshake_done();
  log::info(std::string(handshaking ? "tls handshake timeout" : "idle timeout") +
            ": rip=" + self->remote_ip_);
  if (self->session_ && (!self->tls_ || self->tls_->handshake_done()))
    self->send(self->session_->shutdown_notice(true));
  self->close_after_output();
}

void Connection::pause_reading() {
  if (!reading_) return;
  uv_read_stop(stream());
  reading_ = false;
}

void Connection::resume_reading() {
  if (reading_ || closing_ || close_when_written_) return;
  if (uv_read_start(stream(), on_alloc, on_read) == 0) reading_ = true;
}

void Connection::close() {
  if (closing_) return;
  closing_ = true;
  reading_ = false;
  auto secs =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_)
          .count();
  std::string traffic = " rip=" + remote_ip_ + " in=" + std::to_string(bytes_in_) +
                        " out=" + std::to_string(bytes_out_) + " duration=" + std::to_string(secs) +
                        "s";
  if (relaying_) {
    // The mail worker logs the session's own disconnect line; this is the TLS side of it.
    log::info("relay closed: user=" + (handoff_ ? handoff_->user : std::string("-")) + traffic);
  } else if (session_) {
    // (A handed-over connection has no session here: the mail worker logs its end.)
    log::info("disconnect: user=" + (user_.empty() ? std::string("-") : user_) + traffic);
  }
  if (user_ip_cell_ && worker_.setup().user_ip)
    worker_.setup().user_ip->add(worker_.setup().user_ip_row, *user_ip_cell_, -1);
  user_ip_cell_.reset();
  uv_close(stream_handle(), on_close);
  if (relaying_) {
    relaying_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&relay_), on_close);
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&idle_timer_), on_close);
  uv_close(reinterpret_cast<uv_handle_t*>(&wake_timer_), on_close);
}

void Connection::on_close(uv_handle_t* handle) {
  auto* self = static_cast<Connection*>(handle->data);
  --self->open_handles_;
  self->maybe_destroy();
}

void Connection::maybe_destroy() {
  // Deleted only when no libuv handle and no pool job can reach it any more.
  if (open_handles_ == 0 && !job_running_) worker_.destroy(id_);
}

}  // namespace satchel::server
