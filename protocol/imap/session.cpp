#include "protocol/imap/session.h"

#include "base/ascii.h"
#include "base/log.h"
#include "protocol/imap/append_args.h"
#include "protocol/imap/capabilities.h"
#include "protocol/imap/command_table.h"
#include "protocol/imap/make_session.h"
#include "protocol/imap/response.h"
#include "protocol/imap/sasl_exchange.h"

namespace satchel::imap {
namespace {

// Reads "<tag> SP <name>" (and the subcommand of UID). nullptr when there is no known command.
const CommandSpec* command_of(ArgParser& p, const std::string& tag, bool& uid) {
  uid = false;
  if (tag == "*") return nullptr;
  p.advance(tag.size());
  if (!p.sp()) return nullptr;
  auto name = p.atom();
  if (!name) return nullptr;
  if (ascii::iequals(*name, "UID")) {
    uid = true;
    if (!p.sp()) return nullptr;
    name = p.atom();
    if (!name) return nullptr;
  }
  return find_command(*name, uid);
}

}  // namespace

std::unique_ptr<protocol::Session> make_imap_session(const protocol::ConnectionInfo& conn,
                                                     const protocol::Limits& limits,
                                                     const protocol::Services& services) {
  return std::make_unique<Session>(conn, limits, services);
}

Session::Session(const protocol::ConnectionInfo& conn, const protocol::Limits& limits,
                 const protocol::Services& services)
    : reader_(st_.limits) {
  st_.conn = conn;
  st_.limits = limits;
  st_.services = services;
}

std::unique_ptr<protocol::Session> make_imap_session_after_login(
    const protocol::ConnectionInfo& conn, const protocol::Limits& limits,
    const protocol::Services& services, const protocol::LoginHandoff& handoff,
    const auth::UserRecord& record) {
  auto session = std::make_unique<Session>(conn, limits, services);
  session->pending_login_ = Session::PendingLogin{handoff, record};
  return session;
}

protocol::LoginHandoff Session::take_handoff() {
  SATCHEL_ASSERT(st_.handoff.has_value());
  protocol::LoginHandoff h = std::move(*st_.handoff);
  st_.handoff.reset();
  return h;
}

bool Session::complete_pending_login(std::string& out) {
  PendingLogin pending = std::move(*pending_login_);
  pending_login_.reset();
  Command none;
  ArgParser p(none, st_.limits);
  Ctx ctx{st_, pending.handoff.imap_tag, p, out};
  complete_login(ctx, pending.record, pending.handoff.mech);
  out += ctx.tagged_line;
  if (st_.state == State::Authenticated) return true;
  // A mail worker cannot go back to the not-authenticated state of a login worker.
  out += "* BYE Mail storage is not available\r\n";
  st_.state = State::Logout;
  return false;
}

std::string Session::greeting() {
  // A mail worker's session continues a connection that was greeted already.
  if (pending_login_) return "";
  return "* OK [CAPABILITY " + capabilities(st_) + "] " + st_.services.server_name + " ready.\r\n";
}

bool Session::authenticated() const {
  return st_.state == State::Authenticated || st_.state == State::Selected;
}

std::string Session::user() const {
  return st_.user;
}

std::string Session::shutdown_notice(bool timeout) {
  return timeout ? "* BYE Autologout; idle for too long\r\n" : "* BYE Server shutting down\r\n";
}

void Session::on_tls_started() {
  // RFC 3501 §6.2.1 / RFC 2595 §3.1: forget everything learned before the handshake.
  st_.conn.tls_active = true;
  st_.end_sasl();
  st_.idle_tag.reset();
  st_.append = {};
  reader_.reset();
}

void Session::poll(std::string& out) {
  if (st_.state != State::Selected || !st_.selected) return;
  // Only between commands or during IDLE; never in the middle of a command's literals.
  if (st_.sasl_tag || (!st_.idle_tag && !reader_.idle())) return;
  // RFC 3501 §7.4.1: EXPUNGE only while a command is in progress; IDLE is one (RFC 2177).
  Status st = st_.selected->sync(out, st_.idle_tag.has_value(), false);
  if (!st) log::warning("imap: user=" + st_.user + " poll failed: " + st.error().message);
  // Idling: what the look needed is not needed again for seconds (DESIGN.md, memory).
  if (st_.idle_tag && st_.store) st_.store->release_memory();
}

bool Session::wants_poll() const {
  return st_.state == State::Selected && st_.selected && st_.idle_tag.has_value();
}

void Session::on_reader_error(const CommandReader::Event& ev, std::string& out) {
  st_.append = {};
  st_.end_sasl();
  switch (ev.error) {
    case ReaderError::LineTooLong:
      out += tagged(ev.tag, "BAD", "TOOBIG", "Command line too long");
      break;
    case ReaderError::CommandTooLong:
      out += tagged(ev.tag, "BAD", "TOOBIG", "Command too long");
      break;
    case ReaderError::BadLiteral:
      out += tagged(ev.tag, "BAD", "TOOBIG", "Literal length out of range");
      break;
  }
}

void Session::on_literal_header(const CommandReader::Event& ev, std::string& out) {
  const Command& partial = reader_.command();
  std::string tag = partial.tag();
  auto reject = [&](std::string_view status, std::string_view code, std::string_view text) {
    reader_.reject_literal();
    st_.append = {};
    st_.idle_tag.reset();
    out += tagged(tag, status, code, text);
  };
  auto accept = [&](bool stream) {
    reader_.accept_literal(stream);
    // RFC 3501 §7.5: the continuation for a synchronizing literal; none for {n+} (RFC 7888).
    if (ev.literal_sync) out += "+ Ready for literal data\r\n";
  };

  if (st_.sasl_tag) {
    std::string sasl_tag = *st_.sasl_tag;
    st_.end_sasl();
    tag = sasl_tag;
    reject("BAD", "", "Invalid SASL response");
    return;
  }

  ArgParser p(partial, st_.limits);
  bool uid = false;
  const CommandSpec* spec = command_of(p, tag, uid);
  if (!spec) return reject("BAD", "", tag == "*" ? "Invalid tag" : "Unknown command");
  if (!is_allowed(*spec, st_.state)) return reject("BAD", "", "Command not allowed in this state");

  if (spec->handler == cmd_append) {
    // Is this literal the message itself? Then open the sink now so that TRYCREATE and
    // TOOBIG are answered before the client sends any octet of it.
    bool mailbox_literal = p.sp() && p.at_pending_literal();
    if (!mailbox_literal) {
      ArgParser q(partial, st_.limits);
      q.advance(tag.size() + 1 + 6);  // "<tag> APPEND"
      AppendArgs args;
      if (!parse_append_args(q, args) || !q.at_pending_literal())
        return reject("BAD", "",
                      "Error in IMAP command APPEND: " +
                          (q.error().empty() ? std::string("Invalid arguments") : q.error()));
      if (args.bad_name) return reject("NO", "CANNOT", "Invalid mailbox name");
      if (ev.literal_size > st_.limits.max_message)
        return reject("NO", "TOOBIG", "Message too large");
      auto sink = st_.store->begin_append(args.mailbox);
      if (!sink) {
        reader_.reject_literal();
        Ctx ctx{st_, tag, q, out};
        ctx.fail(sink.error());
        out += ctx.tagged_line;
        return;
      }
      st_.append.sink = std::move(sink.value());
      st_.append.mailbox = args.mailbox;
      st_.append.error.reset();
      return accept(true);
    }
  }

  std::uint64_t limit =
      st_.state == State::NotAuthenticated
          ? st_.limits.max_literal_prelogin
          : (st_.limits.max_command > partial.size ? st_.limits.max_command - partial.size : 0);
  if (ev.literal_size > limit) return reject("NO", "TOOBIG", "Literal too large");
  accept(false);
}

Session::Outcome Session::execute(Command& cmd, std::string& out) {
  ArgParser p(cmd, st_.limits);
  if (st_.sasl_tag) {
    std::string tag = *st_.sasl_tag;
    Ctx ctx{st_, tag, p, out};
    sasl_continue(ctx, cmd.lines.front());
    if (!ctx.continues) out += ctx.tagged_line;
    return {ctx.next, ctx.delay};
  }
  if (st_.idle_tag) {
    std::string tag = *st_.idle_tag;
    Ctx ctx{st_, tag, p, out};
    idle_done(ctx, cmd.lines.front());
    out += ctx.tagged_line;
    return {};
  }

  std::string tag = cmd.tag();
  if (tag == "*") {
    st_.append = {};
    out += "* BAD Error in IMAP command received by server: invalid tag\r\n";
    return {};
  }
  Ctx ctx{st_, tag, p, out};
  if (cmd.has_nul) {
    st_.append = {};
    ctx.bad("CLIENTBUG", "NUL octet in command");
    out += ctx.tagged_line;
    return {};
  }
  bool uid = false;
  const CommandSpec* spec = command_of(p, tag, uid);
  if (!spec) {
    st_.append = {};
    ctx.bad("", p.error().empty() || p.error() == "Expected an atom"
                    ? "Unknown command"
                    : "Error in IMAP command: " + p.error());
    out += ctx.tagged_line;
    return {};
  }
  if (!is_allowed(*spec, st_.state)) {
    st_.append = {};
    const char* why = "Command not allowed in this state";
    if (st_.state == State::NotAuthenticated && (spec->states & kLoggedIn))
      why = "Command requires authentication";
    else if (st_.state == State::Authenticated && (spec->states & kSelected))
      why = "No mailbox selected";
    ctx.bad("", why);
    out += ctx.tagged_line;
    return {};
  }
  ctx.uid = uid;
  spec->handler(ctx);
  st_.append = {};
  if (ctx.continues) return {};
  if (ctx.next == protocol::Next::Handoff) return {ctx.next, ctx.delay};
  SATCHEL_ASSERT(!ctx.tagged_line.empty());

  bool bad = ctx.tagged_line.compare(tag.size(), 5, " BAD ") == 0;
  if (st_.state == State::Selected && st_.selected && !bad) {
    Status st = st_.selected->sync(out, (spec->flags & kNoExpunge) == 0, uid);
    if (!st) log::warning("imap: user=" + st_.user + " sync failed: " + st.error().message);
  }
  out += ctx.tagged_line;
  return {ctx.next, ctx.delay};
}

protocol::FeedResult Session::feed(std::span<const char> input, std::string& out) {
  std::string_view in(input.data(), input.size());
  std::size_t pos = 0;
  protocol::FeedResult result;
  if (pending_login_ && !complete_pending_login(out)) {
    result.next = protocol::Next::Close;
    return result;
  }
  while (true) {
    if (st_.state == State::Logout) {
      result.next = protocol::Next::Close;
      break;
    }
    CommandReader::Event ev = reader_.next(in, pos);
    switch (ev.kind) {
      case CommandReader::Kind::NeedMore:
        result.consumed = pos;
        return result;
      case CommandReader::Kind::Fatal:
        out += "* BYE [TOOBIG] Literal length out of range\r\n";
        st_.state = State::Logout;
        result.next = protocol::Next::Close;
        result.consumed = pos;
        return result;
      case CommandReader::Kind::Error:
        on_reader_error(ev, out);
        break;
      case CommandReader::Kind::LiteralHeader:
        on_literal_header(ev, out);
        break;
      case CommandReader::Kind::LiteralChunk:
        if (st_.append.sink && !st_.append.error) {
          Status w = st_.append.sink->write(ev.chunk);
          if (!w) st_.append.error = w.error();
        }
        break;
      case CommandReader::Kind::Command: {
        Command cmd = std::move(reader_.command());
        reader_.reset();
        Outcome o = execute(cmd, out);
        if (o.next != protocol::Next::Read || o.delay.count() > 0) {
          // STARTTLS: nothing after this command line may be taken (RFC 3501 §6.2.1).
          if (o.next == protocol::Next::StartTls) reader_.reset();
          result.next = o.next;
          result.delay = o.delay;
          result.consumed = pos;
          return result;
        }
        break;
      }
    }
  }
  result.consumed = pos;
  return result;
}

}  // namespace satchel::imap
