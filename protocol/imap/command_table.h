// The IMAP command table: name -> handler + the states it is allowed in + flags
// (CONVENTIONS.md: commands as a table, one place decides what is allowed when).
#pragma once

#include <cstdint>
#include <string_view>

#include "protocol/imap/session_state.h"

namespace satchel::imap {

using Handler = void (*)(Ctx&);

enum StateMask : std::uint8_t {
  kNotAuth = 1,
  kAuth = 2,
  kSelected = 4,
  kAnyState = kNotAuth | kAuth | kSelected,
  kLoggedIn = kAuth | kSelected,
};

enum CommandFlag : std::uint8_t {
  // RFC 3501 §7.4.1: no EXPUNGE response while this command runs (it uses sequence numbers,
  // or is the UID form of one that does: deferring is always allowed).
  kNoExpunge = 1,
};

struct CommandSpec {
  std::string_view name;
  Handler handler;
  std::uint8_t states;
  std::uint8_t flags;
};

// Finds a command (case-insensitive); `uid` looks among the "UID <name>" forms. nullptr if
// unknown.
const CommandSpec* find_command(std::string_view name, bool uid);

// The one function that decides whether a command may run in a state.
bool is_allowed(const CommandSpec& spec, State state);

// Handlers, one file per command or small group (commands/*.cpp).
void cmd_capability(Ctx&);
void cmd_noop(Ctx&);
void cmd_logout(Ctx&);
void cmd_starttls(Ctx&);
void cmd_login(Ctx&);
void cmd_authenticate(Ctx&);
void cmd_select(Ctx&);
void cmd_examine(Ctx&);
void cmd_create(Ctx&);
void cmd_delete(Ctx&);
void cmd_rename(Ctx&);
void cmd_subscribe(Ctx&);
void cmd_unsubscribe(Ctx&);
void cmd_list(Ctx&);
void cmd_lsub(Ctx&);
void cmd_status(Ctx&);
void cmd_append(Ctx&);
void cmd_check(Ctx&);
void cmd_close(Ctx&);
void cmd_unselect(Ctx&);
void cmd_expunge(Ctx&);
void cmd_search(Ctx&);
void cmd_fetch(Ctx&);
void cmd_store(Ctx&);
void cmd_copy(Ctx&);
void cmd_namespace(Ctx&);
void cmd_id(Ctx&);
void cmd_enable(Ctx&);
void cmd_idle(Ctx&);
// The line that ends IDLE ("DONE", RFC 2177 §3).
void idle_done(Ctx&, std::string_view line);

}  // namespace satchel::imap
