#include "protocol/imap/command_reader.h"

#include <algorithm>
#include <cstring>

#include "base/result.h"
#include "protocol/imap/syntax.h"

namespace satchel::imap {
namespace {

constexpr std::size_t kTailKeep = 32;  // Enough for "{" + 20 digits + "+}" and a CR.

void keep_tail(std::string& tail, std::string_view more) {
  tail.append(more);
  if (tail.size() > kTailKeep) tail.erase(0, tail.size() - kTailKeep);
}

}  // namespace

std::string Command::tag() const {
  if (lines.empty()) return "*";
  std::string_view first = lines.front();
  std::size_t end = first.find(' ');
  std::string_view tag = first.substr(0, end);
  if (tag.empty() || tag.size() > 256) return "*";
  for (char c : tag)
    if (!syntax::is_tag_char(c)) return "*";
  return std::string(tag);
}

std::optional<std::pair<std::uint64_t, bool>> CommandReader::literal_marker(std::string_view line,
                                                                            bool& overflow) {
  overflow = false;
  if (line.empty() || line.back() != '}') return std::nullopt;
  std::size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view inner = line.substr(open + 1, line.size() - open - 2);
  bool sync = true;
  if (!inner.empty() && inner.back() == '+') {
    sync = false;
    inner.remove_suffix(1);
  }
  if (inner.empty()) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : inner) {
    if (c < '0' || c > '9') return std::nullopt;
    // RFC 3501 §9 number is 32-bit, RFC 3516/9051 literal8 allow 63 bits: we frame up to
    // 2^63-1 and let the session apply its much smaller limits.
    if (n > (0x7fffffffffffffffULL - static_cast<unsigned>(c - '0')) / 10) overflow = true;
    if (!overflow) n = n * 10 + static_cast<unsigned>(c - '0');
  }
  return std::make_pair(n, sync);
}

void CommandReader::reset() {
  cmd_ = Command{{std::string()}, {}, std::nullopt, false, 0};
  state_ = State::Line;
  remaining_ = 0;
  pending_size_ = 0;
  tail_.clear();
}

CommandReader::Event CommandReader::error(ReaderError e) {
  Event ev;
  ev.kind = Kind::Error;
  ev.error = e;
  ev.tag = cmd_.tag();
  return ev;
}

void CommandReader::accept_literal(bool stream) {
  SATCHEL_ASSERT(state_ == State::Decide);
  cmd_.literals.emplace_back();
  cmd_.lines.emplace_back();
  if (stream) cmd_.streamed = cmd_.literals.size() - 1;
  remaining_ = pending_size_;
  state_ = remaining_ == 0 ? State::Line : (stream ? State::Stream : State::Literal);
}

void CommandReader::reject_literal() {
  SATCHEL_ASSERT(state_ == State::Decide);
  bool sync = pending_sync_;
  std::uint64_t n = pending_size_;
  reset();
  if (!sync) {
    // RFC 7888 §4: the octets of a non-synchronizing literal are on their way; skip exactly
    // them, then the rest of the command, so that none of it is taken as a command.
    remaining_ = n;
    state_ = n == 0 ? State::Discard : State::Skip;
  }
}

CommandReader::Event CommandReader::end_of_line(std::string_view, std::size_t&) {
  std::string& line = cmd_.lines.back();
  bool overflow = false;
  auto marker = literal_marker(line, overflow);
  if (!marker) return Event{Kind::Command};
  if (overflow) {
    bool sync = line.size() >= 2 && line[line.size() - 2] != '+';
    Event ev = error(ReaderError::BadLiteral);
    if (!sync) ev.kind = Kind::Fatal;
    reset();
    return ev;
  }
  pending_size_ = marker->first;
  pending_sync_ = marker->second;
  state_ = State::Decide;
  Event ev{Kind::LiteralHeader};
  ev.literal_size = pending_size_;
  ev.literal_sync = pending_sync_;
  return ev;
}

CommandReader::Event CommandReader::next(std::string_view in, std::size_t& pos) {
  while (pos < in.size()) {
    switch (state_) {
      case State::Decide:
        SATCHEL_ASSERT(false);
        break;
      case State::Line: {
        std::string& line = cmd_.lines.back();
        std::size_t nl = in.find('\n', pos);
        std::size_t end = nl == std::string_view::npos ? in.size() : nl;
        std::string_view part = in.substr(pos, end - pos);
        // +1: the CR of the CRLF is still in the line until the LF arrives.
        bool too_long = line.size() + part.size() > limits_.max_line + 1;
        bool too_big = cmd_.size + part.size() > limits_.max_command + 1;
        if (too_long || too_big) {
          if (cmd_.lines.size() == 1 && line.size() < 300)
            line.append(part.substr(0, 300 - line.size()));
          Event ev = error(too_long ? ReaderError::LineTooLong : ReaderError::CommandTooLong);
          tail_ = cmd_.lines.back().size() > kTailKeep
                      ? cmd_.lines.back().substr(cmd_.lines.back().size() - kTailKeep)
                      : cmd_.lines.back();
          keep_tail(tail_, part);
          std::string keep = tail_;
          reset();
          tail_ = std::move(keep);
          pos = end;
          state_ = State::Discard;
          return ev;
        }
        if (std::memchr(part.data(), 0, part.size()) != nullptr) cmd_.has_nul = true;
        line.append(part);
        cmd_.size += part.size();
        if (nl == std::string_view::npos) {
          pos = in.size();
          return Event{Kind::NeedMore};
        }
        pos = nl + 1;
        if (!line.empty() && line.back() == '\r') {
          line.pop_back();
          --cmd_.size;
        }
        return end_of_line(in, pos);
      }
      case State::Literal: {
        std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size() - pos));
        cmd_.literals.back().append(in.substr(pos, n));
        cmd_.size += n;
        pos += n;
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::Line;
        break;
      }
      case State::Stream: {
        std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size() - pos));
        Event ev{Kind::LiteralChunk};
        ev.chunk = in.substr(pos, n);
        pos += n;
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::Line;
        return ev;
      }
      case State::Skip: {
        std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size() - pos));
        pos += n;
        remaining_ -= n;
        if (remaining_ == 0) {
          state_ = State::Discard;
          tail_.clear();
        }
        break;
      }
      case State::Discard: {
        std::size_t nl = in.find('\n', pos);
        if (nl == std::string_view::npos) {
          keep_tail(tail_, in.substr(pos));
          pos = in.size();
          return Event{Kind::NeedMore};
        }
        keep_tail(tail_, in.substr(pos, nl - pos));
        pos = nl + 1;
        if (!tail_.empty() && tail_.back() == '\r') tail_.pop_back();
        bool overflow = false;
        auto marker = literal_marker(tail_, overflow);
        if (marker && !marker->second) {
          if (overflow) {
            reset();
            Event ev{Kind::Fatal};
            ev.error = ReaderError::BadLiteral;
            ev.tag = "*";
            return ev;
          }
          remaining_ = marker->first;
          state_ = remaining_ == 0 ? State::Discard : State::Skip;
          tail_.clear();
        } else {
          // A synchronizing literal in a skipped command is never sent: the client gets our
          // tagged BAD instead of a continuation.
          reset();
        }
        break;
      }
    }
  }
  return Event{Kind::NeedMore};
}

}  // namespace satchel::imap
