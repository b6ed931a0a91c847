// APPEND (RFC 3501 §6.3.11) with APPENDUID (RFC 4315 §3). The message literal is streamed
// into an AppendSink opened by the session when the literal header arrived (session.cpp);
// here the command line is complete and the message is committed.
#include "protocol/imap/append_args.h"
#include "protocol/imap/commands/common.h"
#include "protocol/imap/flags.h"
#include "protocol/imap/mailbox_name.h"

namespace satchel::imap {

bool parse_append_args(ArgParser& p, AppendArgs& a) {
  if (!p.sp()) return false;
  auto raw = p.astring();
  if (!raw || !p.sp()) return false;
  auto name = mailbox_from_wire(*raw);
  if (name)
    a.mailbox = *name;
  else
    a.bad_name = true;
  if (p.peek('(')) {
    if (!parse_flag_list(p, a.flags) || !p.sp()) return false;
  }
  if (p.peek('"')) {
    auto text = p.string();
    if (!text) return false;
    auto dt = parse_date_time(*text);
    if (!dt) return p.fail("Invalid date-time");
    a.date = *dt;
    if (!p.sp()) return false;
  }
  return true;
}

void cmd_append(Ctx& ctx) {
  AppendArgs args;
  if (!parse_append_args(ctx.p, args)) return ctx.syntax_error();
  if (!ctx.p.at_streamed_literal() || !ctx.s.append.sink)
    return ctx.bad("", "Error in IMAP command APPEND: the message must be a literal");
  ctx.p.skip_literal();
  if (!ctx.p.end())
    return ctx.bad("", "Error in IMAP command APPEND: unexpected arguments after message");
  PendingAppend& pending = ctx.s.append;
  if (pending.error) return ctx.fail(*pending.error);
  DateTime date = args.date ? *args.date : ctx.s.clock();
  auto done = pending.sink->commit(args.flags, date.utc, date.tz_minutes);
  pending.sink.reset();
  if (!done) return ctx.fail(done.error());
  ctx.ok("Append completed.",
         "APPENDUID " + std::to_string(done->uidvalidity) + " " + std::to_string(done->uid));
}

}  // namespace satchel::imap
