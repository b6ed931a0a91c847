// PamAuthenticator tests.
//
// The cases that talk to PAM must not touch the machine's accounts, so they run under
// pam_wrapper (Debian's libpam-wrapper): with PAM_WRAPPER=1, libpam_wrapper.so reads service
// files from PAM_WRAPPER_SERVICE_DIR, where a "satchel_test" service uses pam_matrix.so over a
// throw-away passdb file. libpam_wrapper.so must be preloaded when the process starts, which a
// running test cannot arrange for itself. So:
//   - the cases named "pam_wrapper: ..." are registered as skipped unless PAM_WRAPPER is set;
//   - the launcher case (run in the normal unit_auth process) writes the passdb and service
//     file into a temporary directory, then re-executes this very binary (/proc/self/exe) with
//     LD_PRELOAD, PAM_WRAPPER, PAM_WRAPPER_SERVICE_DIR set and `-tc=pam_wrapper:*`, and
//     requires that child to exit 0 after having run every wrapped case (each case appends a
//     line to a file in the directory, so a filter that matched nothing cannot pass).
// A re-exec keeps everything in the one unit_auth executable that the build already makes,
// with no extra CMake or wrapper script, and the child's output lands in the same log.
#include "auth/pam/pam_authenticator.h"

#include <security/pam_appl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "../sqlite/temp_dir.h"

extern char** environ;

using namespace satchel;
using namespace satchel::auth;

namespace {

constexpr const char* kService = "satchel_test";

bool under_pam_wrapper() {
  const char* v = std::getenv("PAM_WRAPPER");
  return v != nullptr && std::string(v) == "1";
}

std::string find_file(const std::vector<std::string>& candidates) {
  for (const auto& c : candidates)
    if (std::filesystem::exists(c)) return c;
  return {};
}

std::string test_dir() {
  const char* d = std::getenv("SATCHEL_PAM_TEST_DIR");
  REQUIRE(d != nullptr);
  return d;
}

void mark_ran(const char* name) {
  std::ofstream(test_dir() + "/ran", std::ios::app) << name << "\n";
}

// Users of the test passdb have no /etc/passwd entry: a fixed table stands in for it.
Result<PasswdEntry> fake_passwd(std::string_view user) {
  if (user == "alice") return PasswdEntry{"alice", 5000, 5001, "/home/alice"};
  if (user == "bob") return PasswdEntry{"bob", 5002, 5003, "/home/bob"};
  if (user == "rooty") return PasswdEntry{"rooty", 0, 0, "/root"};
  return Error::permanent("NONEXISTENT", "no such account");
}

PamAuthenticator wrapped(std::string service = kService) {
  PamOptions o;
  o.service = std::move(service);
  return PamAuthenticator(o, fake_passwd);
}

constexpr int kWrappedCases = 8;

}  // namespace

// ---- Cases without PAM ----

TEST_CASE("pam_refusal_reason tells expired, locked and wrong password apart") {
  CHECK(pam_refusal_reason(PAM_ACCT_EXPIRED, true) == "account expired");
  CHECK(pam_refusal_reason(PAM_NEW_AUTHTOK_REQD, true) == "password expired");
  CHECK(pam_refusal_reason(PAM_PERM_DENIED, true) == "account locked or access denied");
  CHECK(pam_refusal_reason(PAM_AUTH_ERR, false) == "authentication failed");
  CHECK(pam_refusal_reason(PAM_USER_UNKNOWN, false) == "authentication failed");
  CHECK(pam_is_refusal(PAM_AUTH_ERR));
  CHECK(pam_is_refusal(PAM_ACCT_EXPIRED));
  CHECK_FALSE(pam_is_refusal(PAM_AUTHINFO_UNAVAIL));
  CHECK_FALSE(pam_is_refusal(PAM_SYSTEM_ERR));
  CHECK_FALSE(pam_is_refusal(PAM_ABORT));
}

TEST_CASE("expand_pam_location: ~ is the home, %u and %h expand, unknown % is refused") {
  auto a = expand_pam_location("maildir:~/Maildir", "ann", "/home/ann");
  REQUIRE(a.ok());
  CHECK(*a == "maildir:/home/ann/Maildir");
  auto b = expand_pam_location("maildir:/var/mail/%u", "ann", "/home/ann");
  REQUIRE(b.ok());
  CHECK(*b == "maildir:/var/mail/ann");
  auto c = expand_pam_location("maildir:%h/Mail", "ann", "/home/ann");
  REQUIRE(c.ok());
  CHECK(*c == "maildir:/home/ann/Mail");
  auto d = expand_pam_location("maildir:~ann/x", "ann", "/home/ann");  // Not "~/": left alone.
  REQUIRE(d.ok());
  CHECK(*d == "maildir:~ann/x");
  CHECK_FALSE(expand_pam_location("maildir:%x", "ann", "/h").ok());
}

TEST_CASE("PamAuthenticator::lookup uses the account database and the location template") {
  PamOptions o;
  o.mail_location = "maildir:~/Mail/%u";
  PamAuthenticator pam(o, fake_passwd);
  auto r = pam.lookup("alice");
  REQUIRE(r.ok());
  CHECK(r->uid == 5000);
  CHECK(r->gid == 5001);
  CHECK(r->home == "/home/alice");
  CHECK(r->mail_location == "maildir:/home/alice/Mail/alice");
  auto none = pam.lookup("zed");
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == "NONEXISTENT");
  // uid 0 would mean "the worker's own uid": below first_valid_uid it does not exist for us.
  auto root = pam.lookup("rooty");
  REQUIRE_FALSE(root.ok());
  CHECK(root.error().code == "NONEXISTENT");
}

TEST_CASE("PamAuthenticator::lookup with the real getpwnam_r refuses root by default") {
  PamAuthenticator pam(PamOptions{});
  CHECK_FALSE(pam.lookup("root").ok());
  PamOptions o;
  o.first_valid_uid = 0;
  PamAuthenticator permissive(o);
  auto r = permissive.lookup("root");
  REQUIRE(r.ok());
  CHECK(r->uid == 0);
}

TEST_CASE("PamAuthenticator refuses empty passwords and names without asking PAM") {
  // The service does not exist outside pam_wrapper's directory; a refusal that reached PAM
  // would be UNAVAILABLE (or a fallback to "other"), not this Permanent answer.
  PamOptions o;
  o.service = "satchel-no-such-service";
  PamAuthenticator pam(o, fake_passwd);
  auto r = pam.verify_password("alice", SecureString(""));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Permanent);
  CHECK(r.error().code == "AUTHENTICATIONFAILED");
  CHECK_FALSE(pam.verify_password("", SecureString("x")).ok());
}

// ---- The launcher ----

TEST_CASE("PAM cases under pam_wrapper (re-executed with LD_PRELOAD)" *
          doctest::skip(under_pam_wrapper())) {
  std::string wrapper = find_file({"/usr/lib/x86_64-linux-gnu/libpam_wrapper.so",
                                   "/usr/lib/aarch64-linux-gnu/libpam_wrapper.so",
                                   "/usr/lib64/libpam_wrapper.so", "/usr/lib/libpam_wrapper.so"});
  std::string matrix =
      find_file({"/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so",
                 "/usr/lib/aarch64-linux-gnu/pam_wrapper/pam_matrix.so",
                 "/usr/lib64/pam_wrapper/pam_matrix.so", "/usr/lib/pam_wrapper/pam_matrix.so"});
  REQUIRE_MESSAGE(!wrapper.empty(), "libpam_wrapper.so not found: install libpam-wrapper");
  REQUIRE_MESSAGE(!matrix.empty(), "pam_matrix.so not found: install libpam-wrapper");

  testing::TempDir dir;
  std::string passdb = dir.file("passdb");
  std::filesystem::create_directories(dir.file("services"));
  {
    std::ofstream db(passdb);
    db << "alice:s3cret:" << kService << "\n";
    // bob's password is right, but pam_matrix's account step admits him to another service
    // only: pam_acct_mgmt refuses him.
    db << "bob:hunter2:other_service\n";
    db << "rooty:toor:" << kService << "\n";
    db << "nobody:nobodypw:" << kService << "\n";
  }
  {
    std::ofstream svc(dir.file("services/") + kService);
    svc << "auth required " << matrix << " passdb=" << passdb << "\n";
    svc << "account required " << matrix << " passdb=" << passdb << "\n";
  }

  // Linux-PAM 1.5 leaks one allocation when pam_start fails for a service it cannot load (the
  // "missing service" case): not ours, so LeakSanitizer is told to ignore leaks inside libpam.
  {
    std::ofstream supp(dir.file("lsan.supp"));
    supp << "leak:libpam.so\n";
  }

  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string s(*e);
    if (s.rfind("LD_PRELOAD=", 0) == 0 || s.rfind("ASAN_OPTIONS=", 0) == 0 ||
        s.rfind("PAM_WRAPPER", 0) == 0 || s.rfind("UID_WRAPPER", 0) == 0 ||
        s.rfind("LSAN_OPTIONS=", 0) == 0)
      continue;
    env_strings.push_back(s);
  }
  const char* asan = std::getenv("ASAN_OPTIONS");
  // The preloaded wrapper comes before the ASan runtime in the library list, which ASan
  // refuses unless told otherwise; deep binding breaks sanitizers (pam_wrapper(1)). Debian's
  // pam_wrapper 1.1.4 reads the switch under uid_wrapper's name, so both names are set.
  env_strings.push_back(std::string("ASAN_OPTIONS=") + (asan != nullptr ? asan : "") +
                        (asan != nullptr && *asan != '\0' ? ":" : "") + "verify_asan_link_order=0");
  env_strings.push_back("LSAN_OPTIONS=suppressions=" + dir.file("lsan.supp"));
  env_strings.push_back("LD_PRELOAD=" + wrapper);
  env_strings.push_back("PAM_WRAPPER=1");
  env_strings.push_back("PAM_WRAPPER_DISABLE_DEEPBIND=1");
  env_strings.push_back("UID_WRAPPER_DISABLE_DEEPBIND=1");
  env_strings.push_back("PAM_WRAPPER_SERVICE_DIR=" + dir.file("services"));
  env_strings.push_back("SATCHEL_PAM_TEST_DIR=" + dir.file(""));
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string arg0 = self, filter = "--test-case=pam_wrapper:*";
  std::vector<char*> argv{arg0.data(), filter.data(), nullptr};

  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::execve(self.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK_MESSAGE(WEXITSTATUS(status) == 0, "the pam_wrapper child failed (its output is above)");

  std::ifstream ran(dir.file("ran"));
  int lines = 0;
  for (std::string line; std::getline(ran, line);) ++lines;
  CHECK(lines == kWrappedCases);
}

// ---- Cases that run only inside the pam_wrapper child ----

TEST_CASE("pam_wrapper: the right password gives the account's uid, gid, home and Maildir" *
          doctest::skip(!under_pam_wrapper())) {
  mark_ran("right password");
  auto pam = wrapped();
  auto r = pam.verify_password("alice", SecureString("s3cret"));
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  CHECK(r->name == "alice");
  CHECK(r->uid == 5000);
  CHECK(r->gid == 5001);
  CHECK(r->home == "/home/alice");
  CHECK(r->mail_location == "maildir:/home/alice/Maildir");
}

TEST_CASE("pam_wrapper: a wrong password and an unknown user fail alike" *
          doctest::skip(!under_pam_wrapper())) {
  mark_ran("wrong password");
  auto pam = wrapped();
  auto wrong = pam.verify_password("alice", SecureString("S3cret"));
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().kind == ErrorKind::Permanent);
  CHECK(wrong.error().code == "AUTHENTICATIONFAILED");
  CHECK(wrong.error().message == "authentication failed");
  auto unknown = pam.verify_password("mallory", SecureString("s3cret"));
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == "AUTHENTICATIONFAILED");
  CHECK(unknown.error().message == wrong.error().message);
}

TEST_CASE("pam_wrapper: an account refused by pam_acct_mgmt fails with a distinct reason" *
          doctest::skip(!under_pam_wrapper())) {
  mark_ran("account refused");
  auto pam = wrapped();
  auto r = pam.verify_password("bob", SecureString("hunter2"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Permanent);
  CHECK(r.error().code == "AUTHENTICATIONFAILED");
  CHECK(r.error().message != "authentication failed");
  CHECK(r.error().message.find("account") != std::string::npos);
}

TEST_CASE("pam_wrapper: a PAM user without a usable system account is refused" *
          doctest::skip(!under_pam_wrapper())) {
  mark_ran("no account");
  auto pam = wrapped();
  // rooty passes PAM but maps to uid 0, below first_valid_uid.
  auto r = pam.verify_password("rooty", SecureString("toor"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "AUTHENTICATIONFAILED");
  CHECK(r.error().message.find("system account") != std::string::npos);
}

TEST_CASE("pam_wrapper: with the real getpwnam_r, nobody's uid and gid come from the system" *
          doctest::skip(!under_pam_wrapper())) {
  mark_ran("getpwnam");
  PamOptions o;
  o.service = kService;
  PamAuthenticator pam(o);
  auto sys = system_passwd_lookup("nobody");
  REQUIRE(sys.ok());
  auto r = pam.verify_password("nobody", SecureString("nobodypw"));
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  CHECK(r->uid == sys->uid);
  CHECK(r->gid == sys->gid);
  CHECK(r->home == sys->home);
}

TEST_CASE("pam_wrapper: a service without a file cannot answer" *
          doctest::skip(!under_pam_wrapper())) {
  mark_ran("missing service");
  auto pam = wrapped("satchel_missing");
  auto r = pam.verify_password("alice", SecureString("s3cret"));
  REQUIRE_FALSE(r.ok());  // Never a success, whatever PAM falls back to.
}

TEST_CASE("pam_wrapper: passwords reach the module whole, and one with a NUL is refused" *
          doctest::skip(!under_pam_wrapper())) {
  mark_ran("bytes");
  auto pam = wrapped();
  CHECK_FALSE(pam.verify_password("alice", SecureString("s3cret ")).ok());
  CHECK_FALSE(pam.verify_password("alice", SecureString("s3cre")).ok());
  CHECK_FALSE(pam.verify_password("alice", SecureString(std::string_view("s3cret\0xyz", 10))).ok());
  CHECK(pam.verify_password("alice", SecureString("s3cret")).ok());
}

TEST_CASE("pam_wrapper: concurrent verifications each use their own handle" *
          doctest::skip(!under_pam_wrapper())) {
  mark_ran("threads");
  auto pam = wrapped();
  std::atomic<int> good{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        bool right = (i + t) % 2 == 0;
        auto r = pam.verify_password("alice", SecureString(right ? "s3cret" : "nope"));
        if (r.ok() == right) (right ? good : refused)++;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(good == 20);
  CHECK(refused == 20);
}
