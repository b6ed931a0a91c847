#include "cli/admin/password_prompt.h"

#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>

namespace satchel::admin {

namespace {

constexpr std::size_t kMaxPassword = 1024;

// The terminal state to restore if the user presses ^C while echo is off.
termios g_saved_termios;
volatile std::sig_atomic_t g_echo_off = 0;

extern "C" void restore_and_reraise(int sig) {
  if (g_echo_off) tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_termios);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

// A buffer with fixed capacity (so it never reallocates and leaves copies behind), wiped
// when it dies.
class LineBuffer {
 public:
  LineBuffer() { s_.reserve(kMaxPassword + 1); }
  ~LineBuffer() {
    volatile char* p = s_.data();
    for (std::size_t i = 0; i < s_.capacity(); ++i) p[i] = 0;
  }
  LineBuffer(const LineBuffer&) = delete;
  LineBuffer& operator=(const LineBuffer&) = delete;

  // Reads up to a newline (not stored) or end of input. Returns false on end of input before
  // any byte, or on a line longer than kMaxPassword.
  enum class Status { Line, Eof, TooLong, Error };
  Status read_line() {
    s_.clear();
    bool any = false;
    while (true) {
      char c;
      ssize_t n = ::read(STDIN_FILENO, &c, 1);
      if (n < 0) return Status::Error;
      if (n == 0) return any ? Status::Line : Status::Eof;
      any = true;
      if (c == '\n') break;
      if (s_.size() >= kMaxPassword) {
        c = 0;
        return Status::TooLong;
      }
      s_.push_back(c);
      c = 0;
    }
    if (!s_.empty() && s_.back() == '\r') s_.pop_back();
    return Status::Line;
  }

  SecureString take() { return SecureString(s_); }

 private:
  std::string s_;
};

Result<SecureString> read_one(const char* prompt, bool terminal) {
  LineBuffer line;
  LineBuffer::Status status;
  if (terminal) {
    std::fputs(prompt, stderr);
    std::fflush(stderr);
    termios t;
    if (tcgetattr(STDIN_FILENO, &t) != 0)
      return Error::permanent("", "cannot read the terminal settings");
    g_saved_termios = t;
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    t.c_lflag |= ECHONL;
    auto old_int = std::signal(SIGINT, restore_and_reraise);
    auto old_term = std::signal(SIGTERM, restore_and_reraise);
    g_echo_off = 1;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
    status = line.read_line();
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_termios);
    g_echo_off = 0;
    std::signal(SIGINT, old_int);
    std::signal(SIGTERM, old_term);
  } else {
    status = line.read_line();
  }
  switch (status) {
    case LineBuffer::Status::Line:
      break;
    case LineBuffer::Status::Eof:
      return Error::permanent("", "no password given on stdin");
    case LineBuffer::Status::TooLong:
      return Error::permanent("",
                              "password longer than " + std::to_string(kMaxPassword) + " bytes");
    case LineBuffer::Status::Error:
      return Error::permanent("", "cannot read the password");
  }
  SecureString password = line.take();
  if (password.empty()) return Error::permanent("", "empty password refused");
  return password;
}

}  // namespace

Result<SecureString> read_new_password(const std::string& user) {
  bool terminal = ::isatty(STDIN_FILENO) == 1;
  std::string prompt = "New password for " + user + ": ";
  auto first = read_one(prompt.c_str(), terminal);
  if (!first.ok() || !terminal) return first;
  auto second = read_one("Retype the password: ", terminal);
  if (!second.ok()) return second;
  if (first->view() != second->view()) return Error::permanent("", "passwords do not match");
  return first;
}

}  // namespace satchel::admin
