#include "protocol/pop3/line_reader.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using satchel::pop3::LineReader;

namespace {

// Runs a reader over `input` in pieces of `step` bytes and records its events: lines as
// themselves, TooLong as "<too long>".
std::vector<std::string> read_all(std::string_view input, std::size_t step, std::size_t max) {
  LineReader reader;
  std::vector<std::string> events;
  for (std::size_t at = 0; at < input.size(); at += step) {
    std::string_view piece = input.substr(at, step);
    std::size_t pos = 0;
    for (;;) {
      auto event = reader.next(piece.substr(pos), max);
      pos += event.consumed;
      if (event.status == LineReader::Status::NeedMore) break;
      events.push_back(event.status == LineReader::Status::Line ? reader.line() : "<too long>");
    }
    REQUIRE(pos == piece.size());
  }
  return events;
}

}  // namespace

TEST_CASE("LineReader splits CRLF and bare LF lines, whole or one byte at a time") {
  std::string input = "USER alice\r\nPASS a b\r\n\r\nNOOP\nSTAT\r\npartial";
  std::vector<std::string> expected = {"USER alice", "PASS a b", "", "NOOP", "STAT"};
  CHECK(read_all(input, input.size(), 512) == expected);
  CHECK(read_all(input, 1, 512) == expected);
  CHECK(read_all(input, 3, 512) == expected);
}

TEST_CASE("LineReader keeps a CR that is not followed by LF") {
  CHECK(read_all("A\rB\r\n", 1, 512) == std::vector<std::string>{"A\rB"});
}

TEST_CASE("LineReader allows exactly max_line octets with the CRLF and refuses one more") {
  std::string ok(10, 'x');
  std::string too_long(11, 'y');
  std::string input = ok + "\r\n" + too_long + "\r\nNEXT\r\n";
  std::vector<std::string> expected = {ok, "<too long>", "NEXT"};
  CHECK(read_all(input, input.size(), 12) == expected);
  CHECK(read_all(input, 1, 12) == expected);
}

TEST_CASE("LineReader reports a long line once, before its end arrives, and resyncs after it") {
  std::string input = std::string(5000, 'z') + "\r\nCAPA\r\n";
  std::vector<std::string> expected = {"<too long>", "CAPA"};
  CHECK(read_all(input, 1, 512) == expected);
  CHECK(read_all(input, 700, 512) == expected);
  CHECK(read_all(input, input.size(), 512) == expected);
}

TEST_CASE("LineReader reset drops a partial line") {
  LineReader reader;
  auto event = reader.next("USER ev", 512);
  CHECK(event.status == LineReader::Status::NeedMore);
  CHECK(reader.has_partial());
  reader.reset();
  CHECK_FALSE(reader.has_partial());
  event = reader.next("il\r\n", 512);
  REQUIRE(event.status == LineReader::Status::Line);
  CHECK(reader.line() == "il");
}
