#include "server/auth/unix_channel.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>

#include <doctest/doctest.h>

using namespace satchel;
using namespace satchel::server;

namespace {

struct Pair {
  UniqueFd a, b;
};

Pair make_pair_or_fail() {
  auto p = make_seqpacket_pair();
  REQUIRE(p);
  return Pair{UniqueFd(p->first), UniqueFd(p->second)};
}

struct Pipe {
  UniqueFd read, write;
};

Pipe make_pipe() {
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// True when every write end of the pipe is closed (a read sees end of file at once).
bool pipe_reads_eof(int read_fd) {
  ::fcntl(read_fd, F_SETFL, O_NONBLOCK);
  char c;
  return ::read(read_fd, &c, 1) == 0;
}

}  // namespace

TEST_CASE("unix_channel: both ends of a seqpacket pair are close-on-exec") {
  auto p = make_pair_or_fail();
  CHECK((::fcntl(p.a.get(), F_GETFD) & FD_CLOEXEC) != 0);
  CHECK((::fcntl(p.b.get(), F_GETFD) & FD_CLOEXEC) != 0);
}

TEST_CASE("unix_channel: message boundaries are kept") {
  auto p = make_pair_or_fail();
  REQUIRE(send_message(p.a.get(), "first"));
  REQUIRE(send_message(p.a.get(), "second message"));
  auto r1 = receive_message(p.b.get(), 100, 0);
  REQUIRE(r1);
  CHECK(r1->bytes == "first");
  CHECK_FALSE(r1->eof);
  auto r2 = receive_message(p.b.get(), 100, 0);
  REQUIRE(r2);
  CHECK(r2->bytes == "second message");
}

TEST_CASE("unix_channel: a message of exactly max_bytes is accepted, one more is refused") {
  auto p = make_pair_or_fail();
  REQUIRE(send_message(p.a.get(), std::string(10, 'x')));
  auto ok = receive_message(p.b.get(), 10, 0);
  REQUIRE(ok);
  CHECK(ok->bytes.size() == 10);
  REQUIRE(send_message(p.a.get(), std::string(12, 'y')));
  auto bad = receive_message(p.b.get(), 10, 0);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == "TRUNCATED");
  // The rest of the refused datagram is gone; the channel stays in sync.
  REQUIRE(send_message(p.a.get(), "next"));
  auto next = receive_message(p.b.get(), 10, 0);
  REQUIRE(next);
  CHECK(next->bytes == "next");
}

TEST_CASE("unix_channel: a passed pipe end really works in the receiver") {
  auto p = make_pair_or_fail();
  auto pipe = make_pipe();
  std::array<int, 1> fds{pipe.write.get()};
  REQUIRE(send_message(p.a.get(), "here is a pipe", fds));
  pipe.write.reset();  // Only the received copy keeps the pipe open now.

  auto r = receive_message(p.b.get(), 100, 1);
  REQUIRE(r);
  CHECK(r->bytes == "here is a pipe");
  REQUIRE(r->fds.size() == 1);
  UniqueFd passed(r->fds[0]);
  CHECK((::fcntl(passed.get(), F_GETFD) & FD_CLOEXEC) != 0);
  REQUIRE(::write(passed.get(), "ok", 2) == 2);
  char buf[2];
  REQUIRE(::read(pipe.read.get(), buf, 2) == 2);
  CHECK(std::string(buf, 2) == "ok");
  passed.reset();
  CHECK(pipe_reads_eof(pipe.read.get()));
}

TEST_CASE("unix_channel: an fd may travel with an empty message") {
  auto p = make_pair_or_fail();
  auto pipe = make_pipe();
  std::array<int, 1> fds{pipe.write.get()};
  REQUIRE(send_message(p.a.get(), "", fds));
  auto r = receive_message(p.b.get(), 100, 1);
  REQUIRE(r);
  CHECK_FALSE(r->eof);
  CHECK(r->bytes.empty());
  REQUIRE(r->fds.size() == 1);
  ::close(r->fds[0]);
}

TEST_CASE("unix_channel: an empty message without fds cannot be sent") {
  auto p = make_pair_or_fail();
  CHECK_FALSE(send_message(p.a.get(), ""));
}

TEST_CASE("unix_channel: fds of a refused message are closed, not leaked") {
  auto p = make_pair_or_fail();
  SUBCASE("message too long") {
    auto pipe = make_pipe();
    std::array<int, 1> fds{pipe.write.get()};
    REQUIRE(send_message(p.a.get(), std::string(50, 'z'), fds));
    pipe.write.reset();
    auto r = receive_message(p.b.get(), 10, 1);
    REQUIRE_FALSE(r);
    CHECK(pipe_reads_eof(pipe.read.get()));
  }
  SUBCASE("more fds than allowed") {
    auto p1 = make_pipe();
    auto p2 = make_pipe();
    std::array<int, 2> fds{p1.write.get(), p2.write.get()};
    REQUIRE(send_message(p.a.get(), "two", fds));
    p1.write.reset();
    p2.write.reset();
    auto r = receive_message(p.b.get(), 10, 1);
    REQUIRE_FALSE(r);
    CHECK(pipe_reads_eof(p1.read.get()));
    CHECK(pipe_reads_eof(p2.read.get()));
  }
  SUBCASE("fds where none are expected") {
    auto pipe = make_pipe();
    std::array<int, 1> fds{pipe.write.get()};
    REQUIRE(send_message(p.a.get(), "x", fds));
    pipe.write.reset();
    auto r = receive_message(p.b.get(), 10, 0);
    REQUIRE_FALSE(r);
    CHECK(pipe_reads_eof(pipe.read.get()));
  }
}

TEST_CASE("unix_channel: the peer closing reads as eof; sending to it is an error") {
  auto p = make_pair_or_fail();
  p.a.reset();
  auto r = receive_message(p.b.get(), 10, 0);
  REQUIRE(r);
  CHECK(r->eof);
  auto s = send_message(p.b.get(), "anyone?");
  REQUIRE_FALSE(s);
  CHECK(s.error().code == "PEER_GONE");
}

TEST_CASE("unix_channel: non-blocking sockets report AGAIN") {
  auto p = make_pair_or_fail();
  ::fcntl(p.b.get(), F_SETFL, O_NONBLOCK);
  auto r = receive_message(p.b.get(), 10, 0);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "AGAIN");
  ::fcntl(p.a.get(), F_SETFL, O_NONBLOCK);
  Status s = ok_status();
  std::string chunk(4096, 'q');
  for (int i = 0; i < 100000 && s; ++i) s = send_message(p.a.get(), chunk);
  REQUIRE_FALSE(s);
  CHECK(s.error().code == "AGAIN");
}

TEST_CASE("UniqueFd closes once and releases on demand") {
  auto pipe = make_pipe();
  int raw = pipe.write.release();
  CHECK_FALSE(pipe.write.valid());
  {
    UniqueFd owner(raw);
    UniqueFd moved(std::move(owner));
    CHECK_FALSE(owner.valid());
    CHECK(moved.get() == raw);
  }
  CHECK(pipe_reads_eof(pipe.read.get()));
}
