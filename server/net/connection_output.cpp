// Connection output: plaintext through the TLS transport (when there is one) to the socket,
// the count of bytes queued (the high-water mark that pauses reading and commands), and the
// close that waits for the last byte.
#include "base/log.h"
#include "server/net/connection.h"

namespace satchel::server {

bool Connection::queue_write(uv_stream_t* to, std::string bytes, std::size_t& pending,
                             uv_write_cb done) {
  auto* w = new WriteReq;
  w->bytes = std::move(bytes);
  w->owner = this;
  w->req.data = w;
  pending += w->bytes.size();
  uv_buf_t buf = uv_buf_init(w->bytes.data(), static_cast<unsigned>(w->bytes.size()));
  if (uv_write(&w->req, to, &buf, 1, done) == 0) return true;
  pending -= w->bytes.size();
  delete w;
  return false;
}

void Connection::send(std::string_view plaintext) {
  if (plaintext.empty() || closing_) return;
  if (!tls_) {
    write_raw(std::string(plaintext));
    return;
  }
  if (!tls_->send(plaintext)) {
    log::info("tls write failed: rip=" + remote_ip_ + " reason=" + tls_->error());
    close();
    return;
  }
  flush_transport();
}

void Connection::flush_transport() {
  std::string wire = tls_->take_wire_bytes();
  if (!wire.empty()) write_raw(std::move(wire));
}

void Connection::write_raw(std::string bytes) {
  if (closing_ || bytes.empty()) return;
  bytes_out_ += bytes.size();
  if (!queue_write(stream(), std::move(bytes), pending_write_bytes_, on_write)) close();
}

void Connection::on_write(uv_write_t* req, int status) {
  std::unique_ptr<WriteReq> w(static_cast<WriteReq*>(req->data));
  Connection* self = w->owner;
  self->pending_write_bytes_ -= w->bytes.size();
  if (status < 0) {
    self->close();
    return;
  }
  if (self->close_when_written_ && self->pending_write_bytes_ == 0) {
    self->close();
    return;
  }
  if (self->handoff_ && !self->handed_off_) {
    self->maybe_handoff();
    return;
  }
  if (self->relaying_) {
    // The client took what the mail worker said: read more from it.
    if (self->pending_write_bytes_ <= kOutputHighWater / 2)
      uv_read_start(reinterpret_cast<uv_stream_t*>(&self->relay_), on_alloc, on_relay_read);
    return;
  }
  if (self->pending_write_bytes_ <= kOutputHighWater / 2 && !self->delayed_ && !self->closing_) {
    if (self->input_.size() <= kMaxBufferedInput) self->resume_reading();
    self->maybe_schedule();
  }
}

void Connection::close_after_output() {
  if (tls_) {
    tls_->close_notify();
    flush_transport();
  }
  close_when_written_ = true;
  pause_reading();
  if (pending_write_bytes_ == 0) close();
}

}  // namespace satchel::server
