// CommandReader: the incremental framer of IMAP client input (RFC 3501 §2.2, §4.3, RFC 7888).
// It splits the byte stream into commands made of line segments and literals, and tells the
// session when a literal header `{n}` / `{n+}` ends a line so that the session can decide
// (continuation, streaming to an AppendSink, or rejection) before any octet of it is taken.
//
// Pure and bounded: it never buffers more than Limits::max_line of one line plus the
// literals the session accepted for buffering; a line that is too long is reported once and
// the rest of it is skipped up to its CRLF (keeping framing: a `{n+}` at the end of a
// skipped line still skips n octets).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/session.h"

namespace satchel::imap {

// One framed command: line segments (without CRLF) and the literals between them.
// literals[i] follows lines[i]; a segment followed by a literal ends with its `{n}` marker.
struct Command {
  std::vector<std::string> lines;
  std::vector<std::string> literals;
  std::optional<std::size_t> streamed;  // Index of the literal that went to a sink, if any.
  bool has_nul = false;                 // A NUL octet appeared in a line (RFC 3501 §9: BAD).
  std::size_t size = 0;                 // Octets of lines and buffered literals.

  // The tag (first token of the first line) when it is a valid tag, else "*".
  std::string tag() const;
};

enum class ReaderError {
  LineTooLong,     // A line exceeded Limits::max_line; the rest of it is skipped.
  CommandTooLong,  // The command exceeded Limits::max_command; the rest of it is skipped.
  BadLiteral,      // `{n}` with an out-of-range length; the command is dropped.
};

class CommandReader {
 public:
  enum class Kind {
    NeedMore,       // Every input octet was taken; feed more.
    Command,        // A complete command is in command(); call reset() when done with it.
    LiteralHeader,  // A line ended with a literal header; call accept_literal() or
                    // reject_literal() before next().
    LiteralChunk,   // Part of a streamed literal, in `chunk` (valid until the input changes).
    Error,          // `error` happened; answer a tagged BAD with `tag`. Framing continues.
    Fatal,          // Framing is lost (a `{n+}` length out of range): close the connection.
  };
  struct Event {
    Kind kind = Kind::NeedMore;
    std::uint64_t literal_size = 0;
    bool literal_sync = true;
    std::string_view chunk;
    ReaderError error = ReaderError::LineTooLong;
    std::string tag;
  };

  explicit CommandReader(const protocol::Limits& limits) : limits_(limits) {}

  // Consumes octets of `in` from `pos` (advancing it) until an event happens.
  Event next(std::string_view in, std::size_t& pos);

  // After LiteralHeader: take the literal, buffered into the command or streamed as
  // LiteralChunk events.
  void accept_literal(bool stream);
  // After LiteralHeader: refuse it. A synchronizing literal is never sent by the client, so
  // the command ends here; a non-synchronizing one is skipped (exactly n octets) together with
  // the rest of the command.
  void reject_literal();

  // The command being framed (complete after a Command event, partial during LiteralHeader).
  const Command& command() const { return cmd_; }
  Command& command() { return cmd_; }

  // Forgets the current command and any skipping state (after a command, or STARTTLS).
  void reset();

  // True when no octet of a next command has been taken yet.
  bool idle() const {
    return state_ == State::Line && cmd_.lines.size() == 1 && cmd_.lines[0].empty();
  }

 private:
  enum class State { Line, Decide, Literal, Stream, Skip, Discard };

  Event end_of_line(std::string_view in, std::size_t& pos);
  // Parses a literal header at the end of `line`: length and sync flag; nullopt when there
  // is none; sets `overflow` when the digits are out of range.
  static std::optional<std::pair<std::uint64_t, bool>> literal_marker(std::string_view line,
                                                                      bool& overflow);
  Event error(ReaderError e);

  const protocol::Limits& limits_;
  State state_ = State::Line;
  Command cmd_{{std::string()}, {}, std::nullopt, false, 0};
  std::uint64_t remaining_ = 0;     // Literal octets still to come (Literal/Stream/Skip).
  std::uint64_t pending_size_ = 0;  // Size of the literal awaiting a decision.
  bool pending_sync_ = true;
  std::string tail_;  // Last octets of a skipped line (Discard).
};

}  // namespace satchel::imap
