#include "protocol/imap/command_reader.h"

#include <doctest/doctest.h>

using namespace satchel;
using namespace satchel::imap;

namespace {

// Frames everything, accepting every literal (buffered), and describes the events.
std::string frame(std::string_view in, const protocol::Limits& limits, bool bytewise) {
  CommandReader r(limits);
  std::string log;
  std::size_t pos = 0;
  std::size_t end = bytewise ? 0 : in.size();
  while (true) {
    if (bytewise && end < in.size() && pos == end) ++end;
    auto ev = r.next(in.substr(0, end), pos);
    using K = CommandReader::Kind;
    if (ev.kind == K::NeedMore) {
      if (end >= in.size()) break;
      continue;
    }
    if (ev.kind == K::Command) {
      const Command& c = r.command();
      log += "CMD[";
      for (std::size_t i = 0; i < c.lines.size(); ++i) {
        log += c.lines[i];
        if (i < c.literals.size()) log += "|" + c.literals[i] + "|";
      }
      log += c.has_nul ? "]NUL;" : "];";
      r.reset();
    } else if (ev.kind == K::LiteralHeader) {
      log += "LIT" + std::to_string(ev.literal_size) + (ev.literal_sync ? "" : "+") + ";";
      if (ev.literal_size > 100)
        r.reject_literal();
      else
        r.accept_literal(false);
    } else if (ev.kind == K::Error) {
      log += "ERR(" + ev.tag + ");";
    } else if (ev.kind == K::Fatal) {
      log += "FATAL;";
      break;
    }
  }
  return log;
}

}  // namespace

TEST_CASE("byte-at-a-time framing gives the same result as all at once") {
  protocol::Limits limits;
  limits.max_line = 64;
  const std::string inputs[] = {
      "a NOOP\r\n",
      "a LOGIN {4}\r\nuser {6+}\r\npasswd\r\nb NOOP\r\n",
      "a APPEND INBOX (\\Seen) {5}\r\nhello\r\n",
      "a LOGIN \"quoted \\\" str\" x\r\n",
      "a SEARCH TEXT {0}\r\n\r\n",
      "bare LF\n",
      "toolong xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\nb "
      "NOOP\r\n",
      "a X {200+}\r\n" + std::string(200, 'z') + " more {3+}\r\nabc\r\nb NOOP\r\n",
      std::string("a X {5}\r\nab\0de\r\n", 16),
      std::string("n NO\0OP\r\n", 9),
  };
  for (const std::string& in : inputs) {
    CAPTURE(in);
    CHECK(frame(in, limits, false) == frame(in, limits, true));
  }
  std::string nul("n NO\0OP\r\nb NOOP\r\n", 17);
  CHECK(frame(nul, limits, true) == std::string("CMD[n NO\0OP]NUL;CMD[b NOOP];", 28));
}

TEST_CASE("literals are framed into the command") {
  protocol::Limits limits;
  CHECK(frame("a LOGIN {4}\r\nuser {6+}\r\npasswd\r\n", limits, false) ==
        "LIT4;LIT6+;CMD[a LOGIN {4}|user| {6+}|passwd|];");
}

TEST_CASE("a rejected {n+} literal skips exactly n octets and the rest of its command") {
  protocol::Limits limits;
  std::string in = "a X {200+}\r\n" + std::string(200, 'z') + " more {3+}\r\nabc\r\nb NOOP\r\n";
  CHECK(frame(in, limits, false) == "LIT200+;CMD[b NOOP];");
  // A synchronizing literal that is rejected is never sent: the next line is a command.
  CHECK(frame("a X {200}\r\nb NOOP\r\n", limits, false) == "LIT200;CMD[b NOOP];");
}

TEST_CASE("a too-long line is reported once and framing resumes at its CRLF") {
  protocol::Limits limits;
  limits.max_line = 16;
  CHECK(frame("t1 " + std::string(100, 'x') + "\r\nb NOOP\r\n", limits, false) ==
        "ERR(t1);CMD[b NOOP];");
  // A {n+} at the end of the skipped line is still skipped.
  CHECK(frame("t1 " + std::string(100, 'x') + " {5+}\r\nabcde\r\nb NOOP\r\n", limits, false) ==
        "ERR(t1);CMD[b NOOP];");
}

TEST_CASE("literal lengths beyond 63 bits are errors, fatal for {n+}") {
  protocol::Limits limits;
  CHECK(frame("a X {99999999999999999999}\r\nb NOOP\r\n", limits, false) == "ERR(a);CMD[b NOOP];");
  CHECK(frame("a X {99999999999999999999+}\r\nb NOOP\r\n", limits, false) == "FATAL;");
}

TEST_CASE("the command size limit counts literals") {
  protocol::Limits limits;
  limits.max_command = 40;
  CHECK(frame("a X {20}\r\n" + std::string(20, 'y') + " " + std::string(30, 'q') + "\r\nb NOOP\r\n",
              limits, false) == "LIT20;ERR(a);CMD[b NOOP];");
}

TEST_CASE("tags are validated") {
  Command c;
  c.lines = {"abc NOOP"};
  CHECK(c.tag() == "abc");
  c.lines = {"a+b NOOP"};
  CHECK(c.tag() == "*");
  c.lines = {"(x NOOP"};
  CHECK(c.tag() == "*");
  c.lines = {""};
  CHECK(c.tag() == "*");
}
