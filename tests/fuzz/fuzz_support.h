// Shared pieces of the libFuzzer targets: framing an input into IMAP commands, and driving a
// protocol::Session the way server/ does (buffer, consumed, Close, StartTls).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "protocol/imap/command_reader.h"
#include "protocol/session.h"

namespace satchel::fuzz {

// Frames `input` into IMAP commands, buffering every literal up to `max_literal` octets
// (larger ones are rejected, as the session does), and calls `on_command` for each.
inline void for_each_command(std::string_view input, const protocol::Limits& limits,
                             std::uint64_t max_literal,
                             const std::function<void(const imap::Command&)>& on_command) {
  imap::CommandReader reader(limits);
  std::size_t pos = 0;
  // Each event either consumes input or needs a decision; a bound keeps a bug from looping.
  for (std::size_t rounds = 0; rounds < 4 * input.size() + 16; ++rounds) {
    auto ev = reader.next(input, pos);
    switch (ev.kind) {
      case imap::CommandReader::Kind::NeedMore:
        return;
      case imap::CommandReader::Kind::Command:
        on_command(reader.command());
        reader.reset();
        break;
      case imap::CommandReader::Kind::LiteralHeader:
        if (ev.literal_size <= max_literal)
          reader.accept_literal(false);
        else
          reader.reject_literal();
        break;
      case imap::CommandReader::Kind::LiteralChunk:
      case imap::CommandReader::Kind::Error:
        break;
      case imap::CommandReader::Kind::Fatal:
        return;
    }
  }
  __builtin_trap();  // The reader stopped making progress.
}

// Feeds `input` to `session` in pieces of `piece` octets like the server: unconsumed octets
// stay buffered and are offered again with the next piece; StartTls drops them (RFC 3501
// §6.2.1) and reports the handshake done; Close ends the conversation.
inline void drive(protocol::Session& session, std::string_view input, std::size_t piece) {
  std::string out = session.greeting();
  std::string buffer;
  std::size_t pos = 0;
  while (pos < input.size()) {
    std::size_t n = piece < input.size() - pos ? piece : input.size() - pos;
    buffer.append(input.substr(pos, n));
    pos += n;
    while (!buffer.empty()) {
      out.clear();
      auto r = session.feed(std::span<const char>(buffer.data(), buffer.size()), out);
      if (r.consumed > buffer.size()) __builtin_trap();  // Contract: never more than given.
      buffer.erase(0, r.consumed);
      if (r.next == protocol::Next::Close) return;
      if (r.next == protocol::Next::StartTls) {
        buffer.clear();
        session.on_tls_started();
        continue;
      }
      if (r.consumed == 0) break;  // Waits for more input.
    }
    out.clear();
    session.poll(out);
  }
  out = session.shutdown_notice(false);
  (void)session.user();
}

}  // namespace satchel::fuzz
