// Connection: one client socket in a worker, the session that speaks on it, and the thread-pool
// job that runs the session's blocking work (DESIGN.md: nothing blocks the loop).
//
// Ownership (CONVENTIONS.md rule 5): the Worker owns every Connection through its table. A
// Connection owns its uv_tcp_t and uv_timer_t by value and asks the Worker to delete it only
// when both handles are closed and no job is running, so a completion never meets a dead
// object.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "auth/api/authenticator.h"
#include "protocol/session.h"
#include "server/net/listen_socket.h"
#include "server/net/transport.h"

namespace satchel::server {

class Worker;

class Connection {
 public:
  // A socket from accept (Tcp) or, in a mail worker, a connection handed over by a login
  // worker: the client's TCP socket or the unix socket of a TLS relay (Pipe). `origin` is the
  // listener the client came in on (a copy: a mail worker has no listeners of its own).
  enum class StreamKind { Tcp, Pipe };
  Connection(Worker& worker, std::uint64_t id, ListenSocket origin,
             StreamKind kind = StreamKind::Tcp);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  uv_tcp_t* tcp() { return &stream_.tcp; }
  // Takes over an accepted descriptor (mail worker). False when libuv refuses it.
  bool open_fd(int fd);
  std::uint64_t id() const { return id_; }

  // Called once the socket is accepted: creates the session, sends the greeting (or starts
  // the TLS handshake on an implicit-TLS listener) and starts reading.
  void start();

  // Server shutdown: finish the command in flight, send the session's BYE, close.
  void shutdown();

  // Closes now (any output not yet written is dropped). Safe to call twice.
  void close();

  // Sends a refusal line and closes (too many connections).
  void refuse(const std::string& line);

  // Mail worker: a connection a login worker handed over. Redeems the login ticket with the
  // auth process, creates the after-login session, which answers the login command, and runs
  // the input the client had already sent.
  void adopt(const protocol::ConnectionInfo& info, const protocol::LoginHandoff& login,
             std::string pending_input);

 private:
  // Output queued to a slow client; beyond it no further command runs until it drains.
  static constexpr std::size_t kOutputHighWater = 4 * 1024 * 1024;
  // Input held while a command runs; beyond it reading pauses (CONVENTIONS.md rule 6).
  static constexpr std::size_t kMaxBufferedInput = 1024 * 1024;

  // One uv_write in flight, owning its bytes.
  struct WriteReq {
    uv_write_t req{};
    std::string bytes;
    Connection* owner = nullptr;
  };
  // Queues `bytes` on `to`, counted in `pending` until `done` runs. False when libuv refused
  // (nothing is counted then).
  bool queue_write(uv_stream_t* to, std::string bytes, std::size_t& pending, uv_write_cb done);

  // One piece of blocking work for the pool: a feed(), a poll(), or redeeming a login ticket.
  struct Job {
    uv_work_t req{};
    Connection* owner = nullptr;
    std::string input;
    std::string output;
    protocol::FeedResult result;
    bool poll_only = false;
    bool redeem = false;  // Adoption: trade the login ticket for the user's record.
    std::optional<Result<auth::UserRecord>> record;
  };

  static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_write(uv_write_t* req, int status);
  static void on_close(uv_handle_t* handle);
  static void on_idle_timeout(uv_timer_t* timer);
  static void on_wake(uv_timer_t* timer);
  static void on_relay_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_relay_write(uv_write_t* req, int status);
  static void run_job(uv_work_t* req);
  static void after_job(uv_work_t* req, int status);

  void handle_plaintext(std::string_view bytes);
  void maybe_schedule();
  void start_job(bool poll_only);
  void update_polling();
  void finish_job(Job& job);
  void send(std::string_view plaintext);
  void write_raw(std::string bytes);
  void flush_transport();
  void start_tls();
  void arm_idle_timer();
  void pause_reading();
  void resume_reading();
  void close_after_output();
  void maybe_destroy();
  bool count_user_ip();
  protocol::Limits session_limits() const;
  // connection_handoff.cpp: the login worker's side of a login (DESIGN.md, Processes).
  void begin_handoff(std::string unconsumed);
  void maybe_handoff();
  void start_relay(int fd);
  void relay_to_mail_worker(std::string_view plaintext);
  void finish_adoption(Result<auth::UserRecord> record);

  union Stream {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  };

  Worker& worker_;
  std::uint64_t id_;
  const ListenSocket listener_;
  Stream stream_{};
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&stream_); }
  uv_handle_t* stream_handle() { return reinterpret_cast<uv_handle_t*>(&stream_); }
  uv_timer_t idle_timer_{};
  // One timer for the two waits that never overlap: the failed-login delay (before login) and
  // the periodic poll of a session in IMAP IDLE (after).
  uv_timer_t wake_timer_{};
  bool polling_ = false;
  std::string held_output_;  // The answer to a failed login, sent when the delay is over.
  int open_handles_ = 0;

  protocol::ConnectionInfo info_;
  // Handoff (login worker): who logged in, waiting for queued output to drain; then, for a
  // TLS client, the unix socket to the mail worker that decrypted bytes are relayed over.
  std::optional<protocol::LoginHandoff> handoff_;
  bool handed_off_ = false;
  bool relaying_ = false;
  uv_pipe_t relay_{};
  std::size_t relay_pending_ = 0;
  // Adoption (mail worker): the login to complete, until the ticket is redeemed.
  std::optional<protocol::LoginHandoff> adopting_;

  std::unique_ptr<protocol::Session> session_;
  std::unique_ptr<Transport> tls_;  // Set while TLS is active or being negotiated.
  std::string input_;               // Plaintext received and not yet given to the session.

  bool reading_ = false;
  bool job_running_ = false;
  bool delayed_ = false;
  bool closing_ = false;  // close() was called.
  bool close_when_written_ = false;
  bool shutting_down_ = false;  // shutdown() was called while a job ran.
  bool authenticated_ = false;  // Mirror of session_->authenticated(), read on the loop only.
  std::size_t pending_write_bytes_ = 0;

  std::string remote_ip_;
  int remote_port_ = 0;
  std::string user_;
  std::optional<std::size_t> user_ip_cell_;  // Counted in the user+IP table while logged in.
  std::uint64_t bytes_in_ = 0;
  std::uint64_t bytes_out_ = 0;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace satchel::server
