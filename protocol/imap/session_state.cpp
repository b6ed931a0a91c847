#include "protocol/imap/session_state.h"

#include "base/log.h"
#include "protocol/imap/response.h"

namespace satchel::imap {

DateTime system_clock_now() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return DateTime{now, static_cast<std::int32_t>(local.tm_gmtoff / 60)};
}

void Ctx::ok(std::string_view text, std::string_view code) {
  tagged_line = tagged(tag, "OK", code, text);
}

void Ctx::no(std::string_view code, std::string_view text) {
  tagged_line = tagged(tag, "NO", code, text);
}

void Ctx::bad(std::string_view code, std::string_view text) {
  tagged_line = tagged(tag, "BAD", code, text);
}

void Ctx::syntax_error() {
  std::string text = p.error().empty() ? "Syntax error" : p.error();
  bad(p.limit_hit() ? "LIMIT" : "", "Error in IMAP command: " + text);
}

void Ctx::fail(const Error& e) {
  if (e.kind == ErrorKind::Internal || e.code == "SERVERBUG")
    log::error("imap: user=" + s.user + " rip=" + s.conn.remote_ip + " error: " + e.message);
  tagged_line = error_line(tag, e);
}

}  // namespace satchel::imap
