#include "server/net/listen_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "config/address.h"

namespace satchel::server {
namespace {

std::string describe(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
  inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
  port = ntohs(in6->sin6_port);
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

Result<int> bind_one(const sockaddr* sa, socklen_t len, bool dual_stack) {
  int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error::permanent("", std::strerror(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (sa->sa_family == AF_INET6) {
    int v6only = dual_stack ? 0 : 1;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  }
  if (bind(fd, sa, len) != 0 || listen(fd, 1024) != 0) {
    int err = errno;
    close(fd);
    return Error::permanent("", std::strerror(err));
  }
  return fd;
}

Status bind_address(const config::Listener& l, const config::Address& a,
                    std::vector<ListenSocket>& out) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  bool dual_stack = false;
  std::string host = a.host;
  if (a.family == config::AddressFamily::Any) {
    host = "::";
    dual_stack = true;
  }
  if (a.family == config::AddressFamily::Name) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string port = std::to_string(a.port);
    int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0) return Error::permanent("", gai_strerror(rc));
    std::memcpy(&ss, res->ai_addr, res->ai_addrlen);
    len = res->ai_addrlen;
    freeaddrinfo(res);
  } else if (host.find(':') != std::string::npos) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(a.port);
    if (inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) != 1)
      return Error::permanent("", "bad IPv6 address");
    len = sizeof(sockaddr_in6);
  } else {
    auto* in = reinterpret_cast<sockaddr_in*>(&ss);
    in->sin_family = AF_INET;
    in->sin_port = htons(a.port);
    if (inet_pton(AF_INET, host.c_str(), &in->sin_addr) != 1)
      return Error::permanent("", "bad IPv4 address");
    len = sizeof(sockaddr_in);
  }
  auto fd = bind_one(reinterpret_cast<sockaddr*>(&ss), len, dual_stack);
  if (!fd && a.family == config::AddressFamily::Any) {
    // No IPv6 on this host: fall back to every IPv4 address.
    auto* in = reinterpret_cast<sockaddr_in*>(&ss);
    ss = {};
    in->sin_family = AF_INET;
    in->sin_port = htons(a.port);
    in->sin_addr.s_addr = htonl(INADDR_ANY);
    fd = bind_one(reinterpret_cast<sockaddr*>(&ss), sizeof(sockaddr_in), false);
  }
  if (!fd) return fd.error();
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof bound;
  getsockname(*fd, reinterpret_cast<sockaddr*>(&bound), &bound_len);
  ListenSocket s;
  s.fd = *fd;
  s.listener = l.name;
  s.bound_address = describe(reinterpret_cast<sockaddr*>(&bound));
  s.protocol = l.protocol;
  s.tls = l.tls;
  s.plaintext_auth = l.plaintext_auth;
  out.push_back(std::move(s));
  return ok_status();
}

}  // namespace

Result<std::vector<ListenSocket>> bind_listeners(const std::vector<config::Listener>& listeners) {
  std::vector<ListenSocket> out;
  for (const auto& l : listeners) {
    for (const auto& text : l.addresses) {
      auto address = config::parse_address(text);
      Status st = address ? bind_address(l, *address, out) : Status(address.error());
      if (!st) {
        close_listeners(out);
        return Error::permanent("",
                                "listener '" + l.name + "' " + text + ": " + st.error().message);
      }
    }
  }
  return out;
}

void close_listeners(std::vector<ListenSocket>& sockets) {
  for (auto& s : sockets)
    if (s.fd >= 0) close(s.fd);
  sockets.clear();
}

}  // namespace satchel::server
