// The TRANSACTION commands of pop3::Session (RFC 1939 §5, §7) and the UPDATE state (§6).
#include <cstdint>
#include <limits>
#include <string>

#include "base/log.h"
#include "protocol/pop3/multiline.h"
#include "protocol/pop3/session.h"

namespace satchel::pop3 {

const Maildrop::Entry* Session::message_arg(std::string_view arg, std::string& out, Flow& flow,
                                            std::uint64_t* number_out) {
  flow = Flow::Continue;
  auto number = parse_number(arg, std::numeric_limits<std::uint32_t>::max());
  if (!number) {
    flow = reject(out, "Invalid message number.");
    return nullptr;
  }
  if (number_out) *number_out = *number;
  // RFC 1939 §5: a message marked as deleted may not be referred to.
  const Maildrop::Entry* entry = maildrop_->find(*number);
  if (!entry) {
    bool deleted = *number >= 1 && *number <= maildrop_->size();
    out += deleted ? "-ERR Message is deleted.\r\n" : "-ERR No such message.\r\n";
  }
  return entry;
}

Session::Flow Session::cmd_stat(const CommandLine& cmd, std::string& out) {
  if (!cmd.args.empty()) return reject(out, "STAT takes no arguments.");
  Maildrop::Totals t = maildrop_->totals();
  out += "+OK " + std::to_string(t.messages) + " " + std::to_string(t.octets) + "\r\n";
  return Flow::Continue;
}

Session::Flow Session::cmd_list(const CommandLine& cmd, std::string& out) {
  if (cmd.args.size() > 1) return reject(out, "LIST takes at most one argument.");
  if (cmd.args.size() == 1) {
    Flow flow;
    std::uint64_t number = 0;
    const Maildrop::Entry* entry = message_arg(cmd.args[0], out, flow, &number);
    // RFC 1939 §5: a scan listing starts with the message-number, not the client's spelling
    // of it ("LIST 02" is answered "+OK 2 ...").
    if (entry) out += "+OK " + std::to_string(number) + " " + std::to_string(entry->size) + "\r\n";
    return flow;
  }
  Maildrop::Totals t = maildrop_->totals();
  out += "+OK " + std::to_string(t.messages) + " messages (" + std::to_string(t.octets) +
         " octets)\r\n";
  for (std::size_t n = 1; n <= maildrop_->size(); ++n)
    if (const Maildrop::Entry* entry = maildrop_->find(n))
      out += std::to_string(n) + " " + std::to_string(entry->size) + "\r\n";
  out += ".\r\n";
  return Flow::Continue;
}

Session::Flow Session::cmd_uidl(const CommandLine& cmd, std::string& out) {
  if (cmd.args.size() > 1) return reject(out, "UIDL takes at most one argument.");
  if (cmd.args.size() == 1) {
    Flow flow;
    std::uint64_t number = 0;
    const Maildrop::Entry* entry = message_arg(cmd.args[0], out, flow, &number);
    // RFC 1939 §7: the unique-id listing starts with the message-number, as for LIST.
    if (entry) out += "+OK " + std::to_string(number) + " " + maildrop_->unique_id(*entry) + "\r\n";
    return flow;
  }
  out += "+OK\r\n";
  for (std::size_t n = 1; n <= maildrop_->size(); ++n)
    if (const Maildrop::Entry* entry = maildrop_->find(n))
      out += std::to_string(n) + " " + maildrop_->unique_id(*entry) + "\r\n";
  out += ".\r\n";
  return Flow::Continue;
}

Session::Flow Session::cmd_retr(const CommandLine& cmd, std::string& out) {
  if (cmd.args.size() != 1) return reject(out, "RETR takes one argument: a message number.");
  Flow flow;
  const Maildrop::Entry* entry = message_arg(cmd.args[0], out, flow);
  if (!entry) return flow;
  maildrop_->mark_retrieved(*entry);
  return send_message(*entry, nullptr, out);
}

Session::Flow Session::cmd_top(const CommandLine& cmd, std::string& out) {
  if (cmd.args.size() != 2) return reject(out, "TOP takes two arguments: message and lines.");
  // Validate both arguments before looking the message up, so "TOP 1 -1" is a syntax error.
  auto lines = parse_number(cmd.args[1], std::numeric_limits<std::uint64_t>::max());
  if (!lines) return reject(out, "Invalid number of lines.");
  Flow flow;
  const Maildrop::Entry* entry = message_arg(cmd.args[0], out, flow);
  if (!entry) return flow;
  std::uint64_t n = *lines;
  return send_message(*entry, &n, out);
}

Session::Flow Session::send_message(const Maildrop::Entry& entry, const std::uint64_t* top_lines,
                                    std::string& out) {
  auto text = maildrop_->read(entry);
  if (!text) {
    const Error& error = text.error();
    if (error.code == "NONEXISTENT") {
      out += "-ERR Message was removed by another session.\r\n";
    } else {
      log::error("pop3: cannot read message: user=" + user_ + " uid=" + std::to_string(entry.uid) +
                 " reason=" + error.message);
      out += error.kind == ErrorKind::Temporary ? "-ERR [SYS/TEMP] Unable to read the message.\r\n"
                                                : "-ERR [SYS/PERM] Unable to read the message.\r\n";
    }
    return Flow::Continue;
  }
  if (top_lines) {
    out += "+OK\r\n";
    append_stuffed(out, top_of_message(*text, *top_lines));
  } else {
    // RFC 1939 §7: the size given is the one LIST gives, before byte-stuffing.
    out += "+OK " + std::to_string(entry.size) + " octets\r\n";
    append_stuffed(out, *text);
  }
  return Flow::Continue;
}

Session::Flow Session::cmd_dele(const CommandLine& cmd, std::string& out) {
  if (cmd.args.size() != 1) return reject(out, "DELE takes one argument: a message number.");
  Flow flow;
  std::uint64_t number = 0;
  if (!message_arg(cmd.args[0], out, flow, &number)) return flow;
  bool marked = maildrop_->mark_deleted(number);
  SATCHEL_ASSERT(marked);
  out += "+OK Message deleted.\r\n";
  return Flow::Continue;
}

Session::Flow Session::cmd_rset(const CommandLine& cmd, std::string& out) {
  if (!cmd.args.empty()) return reject(out, "RSET takes no arguments.");
  maildrop_->unmark_all();
  Maildrop::Totals t = maildrop_->totals();
  out += "+OK Maildrop has " + std::to_string(t.messages) + " messages (" +
         std::to_string(t.octets) + " octets).\r\n";
  return Flow::Continue;
}

Session::Flow Session::update_and_quit(std::string& out) {
  // RFC 1939 §6: remove the messages marked deleted, then release the lock and close
  // whatever the outcome.
  std::size_t marked = maildrop_->marked_count();
  auto removed = maildrop_->commit_deletions();
  maildrop_.reset();
  if (!removed) {
    log::error("pop3: deletions failed: user=" + user_ + " marked=" + std::to_string(marked) +
               " reason=" + removed.error().message);
    out += "-ERR [SYS/TEMP] Some deleted messages not removed.\r\n";
    return Flow::Close;
  }
  out += "+OK Bye, " + std::to_string(*removed) + " messages deleted.\r\n";
  return Flow::Close;
}

}  // namespace satchel::pop3
