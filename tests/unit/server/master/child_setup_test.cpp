#include "server/master/child_setup.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace fs = std::filesystem;
using namespace satchel::server;

namespace {

std::string temp_dir() {
  char templ[] = "/tmp/satchel-child-XXXXXX";
  REQUIRE(mkdtemp(templ) != nullptr);
  return templ;
}

}  // namespace

TEST_CASE("prepare_empty_dir creates the chroot with its parents, root-owned 0755") {
  if (geteuid() != 0) return;  // Ownership rules need root to be meaningful.
  std::string base = temp_dir();
  std::string dir = base + "/lib/satchel/empty";
  REQUIRE(prepare_empty_dir(dir).ok());
  struct stat st {};
  REQUIRE(stat(dir.c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK((st.st_mode & 0777) == 0755);
  CHECK(st.st_uid == 0);
  // A second call accepts what the first made.
  CHECK(prepare_empty_dir(dir).ok());
  fs::remove_all(base);
}

TEST_CASE("prepare_empty_dir refuses a directory others may write, or a file") {
  if (geteuid() != 0) return;
  std::string base = temp_dir();
  std::string open_dir = base + "/open";
  REQUIRE(mkdir(open_dir.c_str(), 0777) == 0);
  REQUIRE(chmod(open_dir.c_str(), 0777) == 0);
  auto refused = prepare_empty_dir(open_dir);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("writable by root only") != std::string::npos);
  std::string file = base + "/file";
  int fd = open(file.c_str(), O_CREAT | O_WRONLY, 0600);
  REQUIRE(fd >= 0);
  close(fd);
  CHECK_FALSE(prepare_empty_dir(file).ok());
  fs::remove_all(base);
}

TEST_CASE("close_fds_except keeps exactly the listed descriptors") {
  int keep[2], drop[2];
  REQUIRE(pipe(keep) == 0);
  REQUIRE(pipe(drop) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close_fds_except({keep[0], keep[1]});
    bool kept = fcntl(keep[0], F_GETFD) != -1 && fcntl(keep[1], F_GETFD) != -1;
    bool closed = fcntl(drop[0], F_GETFD) == -1 && fcntl(drop[1], F_GETFD) == -1;
    _exit(kept && closed ? 0 : 1);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  for (int fd : {keep[0], keep[1], drop[0], drop[1]}) close(fd);
}
