// Shared pieces of the libFuzzer targets: framing an input into IMAP commands, and driving a
// protocol::Session the way server/ does (buffer, consumed, Close, StartTls).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "protocol/imap/command_reader.h"
#include "protocol/session.h"

namespace satchel::fuzz {

// Frames `input` into IMAP commands, offered to the reader in pieces of `piece` octets,
// buffering every literal up to `max_literal` octets (larger ones are rejected, as the
// session does), and calls `on_command` for each. Returns a log of the events (commands with
// their lines and literals, errors with their tags), which must not depend on `piece`.
inline std::string for_each_command(std::string_view input, const protocol::Limits& limits,
                                    std::uint64_t max_literal, std::size_t piece,
                                    const std::function<void(const imap::Command&)>& on_command) {
  imap::CommandReader reader(limits);
  std::string log;
  std::size_t start = 0;
  // Each event either consumes input or needs a decision; a bound keeps a bug from looping.
  std::size_t rounds = 0;
  while (start < input.size()) {
    std::string_view in = input.substr(start, piece);
    std::size_t pos = 0;
    while (true) {
      if (++rounds > 4 * input.size() + 16) __builtin_trap();  // No progress.
      auto ev = reader.next(in, pos);
      if (pos > in.size()) __builtin_trap();
      bool more = true;
      switch (ev.kind) {
        case imap::CommandReader::Kind::NeedMore:
          more = false;
          break;
        case imap::CommandReader::Kind::Command: {
          const imap::Command& cmd = reader.command();
          log += "C";
          for (std::size_t i = 0; i < cmd.lines.size(); ++i) {
            log += "|" + cmd.lines[i];
            if (i < cmd.literals.size()) log += "{" + cmd.literals[i] + "}";
          }
          log += cmd.has_nul ? "|nul\n" : "\n";
          on_command(cmd);
          reader.reset();
          break;
        }
        case imap::CommandReader::Kind::LiteralHeader:
          log += "L" + std::to_string(ev.literal_size) + (ev.literal_sync ? "\n" : "+\n");
          if (ev.literal_size <= max_literal)
            reader.accept_literal(false);
          else
            reader.reject_literal();
          break;
        case imap::CommandReader::Kind::LiteralChunk:
          break;
        case imap::CommandReader::Kind::Error:
          log += "E" + std::to_string(static_cast<int>(ev.error)) + " " + ev.tag + "\n";
          break;
        case imap::CommandReader::Kind::Fatal:
          log += "F\n";
          return log;
      }
      if (!more) break;
    }
    if (pos != in.size()) __builtin_trap();  // NeedMore means every octet was taken.
    start += in.size();
  }
  return log;
}

// Feeds `input` to `session` in pieces of `piece` octets like the server: unconsumed octets
// stay buffered and are offered again with the next piece; Close ends the conversation. On
// StartTls the handshake is reported done and the input goes on right after the STARTTLS
// command, as from a client that waited for the answer (so that the transcript does not
// depend on the piece size). With `poll`, poll() runs after each piece (IDLE). Returns
// everything the session wrote, greeting included.
inline std::string drive(protocol::Session& session, std::string_view input, std::size_t piece,
                         bool poll) {
  std::string transcript = session.greeting();
  std::string out;
  std::string buffer;
  std::size_t pos = 0;  // Input offset of the end of `buffer`.
  while (pos < input.size()) {
    std::size_t n = piece < input.size() - pos ? piece : input.size() - pos;
    buffer.append(input.substr(pos, n));
    pos += n;
    while (!buffer.empty()) {
      out.clear();
      auto r = session.feed(std::span<const char>(buffer.data(), buffer.size()), out);
      transcript += out;
      if (r.consumed > buffer.size()) __builtin_trap();  // Contract: never more than given.
      buffer.erase(0, r.consumed);
      if (r.next == protocol::Next::Close) return transcript;
      if (r.next == protocol::Next::StartTls) {
        pos -= buffer.size();
        buffer.clear();
        session.on_tls_started();
        break;
      }
      if (r.consumed == 0) break;  // Waits for more input.
    }
    if (poll) {
      out.clear();
      session.poll(out);
      transcript += out;
    }
  }
  (void)session.shutdown_notice(false);
  (void)session.user();
  return transcript;
}

// Traps unless `out` is a sequence of IMAP responses (RFC 3501 §2.2.2, §7): lines ending in
// CRLF, no bare CR or LF, each starting with "*", "+" or a tag, and literals {n} / ~{n} whose
// octets follow. A line whose text happens to end in "{n}" would be read as a literal by any
// client, so it fails here too.
inline void expect_imap_responses(std::string_view out) {
  std::size_t pos = 0;
  bool continued = false;  // The line goes on after a literal.
  while (pos < out.size()) {
    std::size_t end = out.find("\r\n", pos);
    if (end == std::string_view::npos) __builtin_trap();  // Output ends mid-line.
    std::string_view line = out.substr(pos, end - pos);
    if (line.find_first_of("\r\n") != std::string_view::npos) __builtin_trap();
    if (!continued) {
      std::size_t sp = line.find(' ');
      if (sp == 0 || line.empty()) __builtin_trap();
      if (line != "+" && sp == std::string_view::npos) __builtin_trap();
    }
    pos = end + 2;
    continued = false;
    if (!line.empty() && line.back() == '}') {
      std::size_t open = line.rfind('{');
      if (open != std::string_view::npos && open + 2 <= line.size() - 1) {
        std::string_view digits = line.substr(open + 1, line.size() - open - 2);
        if (digits.find_first_not_of("0123456789") == std::string_view::npos) {
          std::size_t n = std::stoull(std::string(digits));
          if (n > out.size() - pos) __builtin_trap();  // Literal cut short.
          pos += n;
          continued = true;
        }
      }
    }
  }
  if (continued) __builtin_trap();  // A literal must be followed by the rest of its line.
}

// Traps when two transcripts differ, after printing where (for the crash report).
inline void expect_same(std::string_view a, std::string_view b) {
  if (a == b) return;
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  std::size_t from = i > 80 ? i - 80 : 0;
  std::fprintf(stderr, "transcripts differ at %zu:\n--- pieces:\n%.*s\n--- whole:\n%.*s\n", i,
               static_cast<int>(std::min<std::size_t>(a.size() - from, 240)), a.data() + from,
               static_cast<int>(std::min<std::size_t>(b.size() - from, 240)), b.data() + from);
  __builtin_trap();
}

}  // namespace satchel::fuzz
