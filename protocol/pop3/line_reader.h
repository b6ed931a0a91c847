// LineReader: splits POP3 client input into command lines, incrementally and bounded
// (CONVENTIONS.md rule 3). Bytes may arrive one at a time; a line longer than the limit is
// reported once and the reader then skips to the end of that line, so the stream stays in
// sync (RFC 2449 §4 bounds a command at 255 octets; we allow 512).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace satchel::pop3 {

class LineReader {
 public:
  enum class Status {
    Line,      // A complete line is in line() (terminator stripped).
    TooLong,   // The current line passed the limit; the rest of it will be skipped.
    NeedMore,  // Every byte offered was taken; no complete line yet.
  };

  struct Event {
    Status status = Status::NeedMore;
    std::size_t consumed = 0;  // Bytes of `input` taken by this call.
  };

  // Takes bytes from `input` until one event happens. `max_line` counts the octets of a line
  // including its CRLF. A line ends at LF; a CR just before the LF is stripped (a bare LF is
  // accepted, as most servers do). Never keeps more than `max_line` octets.
  Event next(std::string_view input, std::size_t max_line);

  // The last complete line; valid until the next call of next() or reset().
  const std::string& line() const { return line_; }

  // Forgets a partial line (STLS: nothing read before the handshake survives it), wiping
  // its bytes.
  void reset();

  // Overwrites the last line (it may have carried a password: CONVENTIONS.md rule 6).
  void wipe_line();

  // True when part of a line is buffered (or being skipped).
  bool has_partial() const { return !partial_.empty() || skipping_; }

 private:
  std::string partial_;
  std::string line_;
  bool skipping_ = false;
};

}  // namespace satchel::pop3
