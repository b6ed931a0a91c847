#include "protocol/imap/command_table.h"

#include "base/ascii.h"

namespace satchel::imap {
namespace {

constexpr CommandSpec kCommands[] = {
    {"CAPABILITY", cmd_capability, kAnyState, 0},
    {"NOOP", cmd_noop, kAnyState, 0},
    {"LOGOUT", cmd_logout, kAnyState, 0},
    {"ID", cmd_id, kAnyState, 0},
    {"STARTTLS", cmd_starttls, kNotAuth, 0},
    {"LOGIN", cmd_login, kNotAuth, 0},
    {"AUTHENTICATE", cmd_authenticate, kNotAuth, 0},
    {"SELECT", cmd_select, kLoggedIn, 0},
    {"EXAMINE", cmd_examine, kLoggedIn, 0},
    {"CREATE", cmd_create, kLoggedIn, 0},
    {"DELETE", cmd_delete, kLoggedIn, 0},
    {"RENAME", cmd_rename, kLoggedIn, 0},
    {"SUBSCRIBE", cmd_subscribe, kLoggedIn, 0},
    {"UNSUBSCRIBE", cmd_unsubscribe, kLoggedIn, 0},
    {"LIST", cmd_list, kLoggedIn, 0},
    {"LSUB", cmd_lsub, kLoggedIn, 0},
    {"STATUS", cmd_status, kLoggedIn, 0},
    {"APPEND", cmd_append, kLoggedIn, 0},
    {"NAMESPACE", cmd_namespace, kLoggedIn, 0},
    {"ENABLE", cmd_enable, kLoggedIn, 0},
    {"IDLE", cmd_idle, kLoggedIn, 0},
    {"CHECK", cmd_check, kSelected, 0},
    {"CLOSE", cmd_close, kSelected, 0},
    {"UNSELECT", cmd_unselect, kSelected, 0},
    {"EXPUNGE", cmd_expunge, kSelected, 0},
    {"SEARCH", cmd_search, kSelected, kNoExpunge},
    {"FETCH", cmd_fetch, kSelected, kNoExpunge},
    {"STORE", cmd_store, kSelected, kNoExpunge},
    {"COPY", cmd_copy, kSelected, kNoExpunge},
};

// RFC 3501 §6.4.8 and RFC 4315 §2.1 (UID EXPUNGE).
constexpr CommandSpec kUidCommands[] = {
    {"FETCH", cmd_fetch, kSelected, kNoExpunge}, {"SEARCH", cmd_search, kSelected, kNoExpunge},
    {"STORE", cmd_store, kSelected, kNoExpunge}, {"COPY", cmd_copy, kSelected, kNoExpunge},
    {"EXPUNGE", cmd_expunge, kSelected, 0},
};

}  // namespace

const CommandSpec* find_command(std::string_view name, bool uid) {
  if (uid) {
    for (const auto& c : kUidCommands)
      if (ascii::iequals(c.name, name)) return &c;
    return nullptr;
  }
  for (const auto& c : kCommands)
    if (ascii::iequals(c.name, name)) return &c;
  return nullptr;
}

bool is_allowed(const CommandSpec& spec, State state) {
  switch (state) {
    case State::NotAuthenticated:
      return (spec.states & kNotAuth) != 0;
    case State::Authenticated:
      return (spec.states & kAuth) != 0;
    case State::Selected:
      return (spec.states & kSelected) != 0;
    case State::Logout:
      return false;
  }
  return false;
}

}  // namespace satchel::imap
