#include "server/auth/auth_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>

#include <doctest/doctest.h>

#include "auth/sqlite/sqlite_userdb.h"
#include "ipc/auth_protocol.h"
#include "server/auth/unix_channel.h"
#include "tests/unit/auth/sqlite/temp_dir.h"

using namespace satchel;
using namespace satchel::server;

namespace {

// A real auth process in a forked child, over a sqlite userdb with one user.
struct AuthChild {
  satchel::testing::TempDir dir;
  config::Settings s;
  pid_t pid = -1;
  UniqueFd control;

  AuthChild() {
    s.userdb = dir.file("users.db");
    s.auth_backends = {"sqlite"};
    s.auth_failure_delay_ms = 100;
    auto db = auth::SqliteUserDb::open(s.userdb, {}, /*create=*/true);
    REQUIRE(db);
    REQUIRE((*db)->add_user("gus", SecureString("gus pw")));
    auto pair = make_seqpacket_pair();
    REQUIRE(pair);
    std::fflush(nullptr);
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(pair->first);
      _exit(run_auth_process(s, pair->second));
    }
    ::close(pair->second);
    control.reset(pair->first);
  }
  ~AuthChild() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }

  // A new channel served by the child; the caller owns the returned end.
  UniqueFd channel() {
    auto pair = make_seqpacket_pair();
    REQUIRE(pair);
    std::array<int, 1> theirs{pair->second};
    REQUIRE(send_message(control.get(), "serve", theirs));
    ::close(pair->second);
    return UniqueFd(pair->first);
  }

  int wait_exit() {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    pid = -1;
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
  }
};

ipc::AuthResponse ask(int fd, const ipc::AuthRequest& q) {
  REQUIRE(send_message(fd, ipc::encode(q).view()));
  auto got = receive_message(fd, ipc::kMaxAuthMessage, 0);
  REQUIRE(got);
  REQUIRE_FALSE(got->eof);
  auto p = ipc::decode_auth_response(got->bytes);
  REQUIRE(p);
  return *p;
}

ipc::AuthRequest verify(const std::string& user, const std::string& pw) {
  ipc::AuthRequest q;
  q.id = 31;
  q.op = ipc::AuthOp::VerifyPassword;
  q.user = user;
  q.password = SecureString(pw);
  return q;
}

}  // namespace

TEST_CASE("auth process: serves channels the master sends, and exits 0 when the master goes") {
  AuthChild child;
  UniqueFd a = child.channel();
  UniqueFd b = child.channel();
  auto ok = ask(a.get(), verify("gus", "gus pw"));
  REQUIRE(ok.result == ipc::AuthResult::User);
  CHECK(ok.id == 31);
  CHECK(ok.user.login_ticket.size() == 32);
  auto no = ask(b.get(), verify("gus", "nope"));
  CHECK(no.result == ipc::AuthResult::Failed);
  // A ticket issued on one channel is redeemed on another (a mail worker's).
  ipc::AuthRequest redeem;
  redeem.op = ipc::AuthOp::Redeem;
  redeem.ticket = ok.user.login_ticket;
  CHECK(ask(b.get(), redeem).result == ipc::AuthResult::User);
  CHECK(ask(a.get(), redeem).result == ipc::AuthResult::Failed);

  child.control.reset();
  CHECK(child.wait_exit() == 0);
}

TEST_CASE("auth process: garbage closes that channel only") {
  AuthChild child;
  UniqueFd bad = child.channel();
  UniqueFd good = child.channel();
  REQUIRE(send_message(bad.get(), "not a request"));
  auto r = receive_message(bad.get(), 100, 0);
  REQUIRE(r);
  CHECK(r->eof);
  CHECK(ask(good.get(), verify("gus", "gus pw")).result == ipc::AuthResult::User);
}

TEST_CASE("auth process: SIGTERM ends it with status 0 while channels are open") {
  AuthChild child;
  UniqueFd a = child.channel();
  CHECK(ask(a.get(), verify("gus", "gus pw")).result == ipc::AuthResult::User);
  ::kill(child.pid, SIGTERM);
  CHECK(child.wait_exit() == 0);
  auto r = receive_message(a.get(), 100, 0);
  REQUIRE(r);
  CHECK(r->eof);
}

TEST_CASE("auth process: backends that cannot be built make it exit 1") {
  satchel::testing::TempDir dir;
  config::Settings s;
  s.userdb = dir.file("missing.db");
  auto pair = make_seqpacket_pair();
  REQUIRE(pair);
  std::fflush(nullptr);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) _exit(run_auth_process(s, pair->second));
  ::close(pair->second);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  ::close(pair->first);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
}
