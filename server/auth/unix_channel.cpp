#include "server/auth/unix_channel.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace satchel::server {

namespace {

// SCM_RIGHTS limit of the Linux kernel (SCM_MAX_FD); more in one message is refused anyway.
constexpr std::size_t kMaxFdsPerMessage = 253;

Error errno_error(const char* what, int err) {
  if (err == EAGAIN || err == EWOULDBLOCK)
    return Error::temporary("AGAIN", std::string(what) + ": would block");
  if (err == EPIPE || err == ECONNRESET)
    return Error::temporary("PEER_GONE", std::string(what) + ": " + std::strerror(err));
  return Error::internal(std::string(what) + ": " + std::strerror(err));
}

void close_all(const std::vector<int>& fds) {
  for (int fd : fds) ::close(fd);
}

// Collects every SCM_RIGHTS descriptor of a received message, whatever else is wrong with it, so
// that the caller can close them.
std::vector<int> collect_fds(msghdr& msg) {
  std::vector<int> fds;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    std::size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    const unsigned char* data = CMSG_DATA(c);
    for (std::size_t i = 0; i < n; ++i) {
      int fd;
      std::memcpy(&fd, data + i * sizeof(int), sizeof(int));
      fds.push_back(fd);
    }
  }
  return fds;
}

}  // namespace

void UniqueFd::reset(int fd) {
  if (fd_ >= 0 && fd_ != fd) ::close(fd_);
  fd_ = fd;
}

Result<std::pair<int, int>> make_seqpacket_pair() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    return errno_error("socketpair", errno);
  return std::pair<int, int>{sv[0], sv[1]};
}

Status send_message(int fd, std::string_view bytes, std::span<const int> fds) {
  if (bytes.empty() && fds.empty())
    return Error::internal("send_message: an empty message would read as end of stream");
  if (fds.size() > kMaxFdsPerMessage) return Error::internal("send_message: too many fds");

  iovec iov{const_cast<char*>(bytes.data()), bytes.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  std::vector<char> control;
  if (!fds.empty()) {
    control.assign(CMSG_SPACE(fds.size() * sizeof(int)), 0);
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(fds.size() * sizeof(int));
    std::memcpy(CMSG_DATA(c), fds.data(), fds.size() * sizeof(int));
  }
  for (;;) {
    ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n >= 0) {
      // SOCK_SEQPACKET sends all or nothing; a short count would be a kernel surprise.
      if (static_cast<std::size_t>(n) != bytes.size())
        return Error::internal("send_message: short send");
      return ok_status();
    }
    if (errno == EINTR) continue;
    return errno_error("sendmsg", errno);
  }
}

Result<Received> receive_message(int fd, std::size_t max_bytes, std::size_t max_fds) {
  if (max_fds > kMaxFdsPerMessage) max_fds = kMaxFdsPerMessage;
  // One spare byte: a message of exactly max_bytes + 1 must be seen as too long even on kernels
  // that would not set MSG_TRUNC for some reason.
  std::string buf(max_bytes + 1, '\0');
  iovec iov{buf.data(), buf.size()};
  // Always room for at least one descriptor, so that an unexpected fd is received (and closed)
  // rather than silently dropped by the kernel behind a MSG_CTRUNC.
  std::vector<char> control(CMSG_SPACE((max_fds == 0 ? 1 : max_fds) * sizeof(int)), 0);
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();

  ssize_t n;
  for (;;) {
    n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    if (n >= 0) break;
    if (errno == EINTR) {
      msg.msg_controllen = control.size();
      continue;
    }
    return errno_error("recvmsg", errno);
  }

  Received out;
  out.fds = collect_fds(msg);
  if (n == 0 && out.fds.empty() && !(msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
    out.eof = true;
    return out;
  }
  auto size = static_cast<std::size_t>(n);
  if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || size > max_bytes || out.fds.size() > max_fds) {
    close_all(out.fds);
    return Error{ErrorKind::ProtocolViolation, "TRUNCATED",
                 "receive_message: message or descriptors over the limit"};
  }
  buf.resize(size);
  out.bytes = std::move(buf);
  return out;
}

}  // namespace satchel::server
