// Message channels between Satchel's processes over AF_UNIX SOCK_SEQPACKET sockets: one
// message is one datagram, so the kernel keeps message boundaries and no framing layer is
// needed; file descriptors travel beside the bytes as SCM_RIGHTS. The codecs for what the bytes
// mean live in ipc/; this file only moves them.
//
// All functions here block (blocking sockets are assumed) and are safe to call from any thread
// on distinct descriptors.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace satchel::server {

// Owns one file descriptor and closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }

  // Gives up ownership without closing; returns the descriptor (-1 when empty).
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // Closes the current descriptor (if any) and takes `fd`.
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// A connected pair of AF_UNIX SOCK_SEQPACKET sockets, both close-on-exec. The caller owns both.
Result<std::pair<int, int>> make_seqpacket_pair();

// Sends `bytes` as one datagram with `fds` attached (SCM_RIGHTS; the caller keeps its own copies
// of the descriptors and still owns them). MSG_NOSIGNAL: a vanished peer is an error (code
// "PEER_GONE" for EPIPE/ECONNRESET), never a SIGPIPE. Retries EINTR. On a non-blocking socket
// whose buffer is full, returns a Temporary error with code "AGAIN". An empty message is allowed
// only with fds attached (a zero-length datagram would look like EOF to the receiver).
Status send_message(int fd, std::string_view bytes, std::span<const int> fds = {});

struct Received {
  std::string bytes;
  // Descriptors that came with the message (close-on-exec); the caller owns them.
  std::vector<int> fds;
  // True when the peer closed the connection (no message was received).
  bool eof = false;
};

// Receives one datagram of at most `max_bytes` with at most `max_fds` descriptors. Retries
// EINTR. A message that did not fit (MSG_TRUNC or MSG_CTRUNC) is an error (ProtocolViolation,
// code "TRUNCATED"); descriptors that arrived with a refused message are closed, never leaked.
// On a non-blocking socket with nothing to read: Temporary error with code "AGAIN".
Result<Received> receive_message(int fd, std::size_t max_bytes, std::size_t max_fds);

}  // namespace satchel::server
