// SecureString: a string for secrets (passwords, SASL responses) that is wiped when it dies,
// so a core dump or a reused heap block does not leak it (CONVENTIONS.md rule 6).
#pragma once

#include <string>
#include <string_view>

namespace satchel {

class SecureString {
 public:
  SecureString() = default;
  explicit SecureString(std::string_view s) : s_(s) {}
  SecureString(const SecureString&) = default;
  SecureString& operator=(const SecureString& other) {
    if (this != &other) {
      wipe();
      s_ = other.s_;
    }
    return *this;
  }
  SecureString(SecureString&& other) noexcept : s_(other.s_) { other.wipe(); }
  SecureString& operator=(SecureString&& other) noexcept {
    if (this != &other) {
      wipe();
      s_ = other.s_;
      other.wipe();
    }
    return *this;
  }
  ~SecureString() { wipe(); }

  std::string_view view() const { return s_; }
  const char* c_str() const { return s_.c_str(); }
  std::size_t size() const { return s_.size(); }
  bool empty() const { return s_.empty(); }

  // Clears the content, overwriting the bytes first.
  void wipe();

 private:
  std::string s_;
};

}  // namespace satchel
