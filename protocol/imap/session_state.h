// Everything an IMAP session knows, shared by the Session driver and the command handlers.
// Data of the selected mailbox lives only in `selected`, which exists only in the Selected
// state (CONVENTIONS.md rule 4).
#pragma once

#include <chrono>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "protocol/imap/arg_parser.h"
#include "protocol/imap/date_time.h"
#include "protocol/imap/selected_mailbox.h"
#include "protocol/sasl/authentication.h"
#include "protocol/session.h"
#include "storage/api/mail_store.h"

namespace satchel::imap {

enum class State { NotAuthenticated, Authenticated, Selected, Logout };

// The only place that reads the clock (the default internal date of APPEND); tests replace it.
using Clock = std::function<DateTime()>;
DateTime system_clock_now();

// An APPEND whose message literal is being streamed (RFC 3501 §6.3.11).
struct PendingAppend {
  std::unique_ptr<storage::AppendSink> sink;
  std::string mailbox;
  std::optional<Error> error;  // A write failed; answered when the command ends.
};

struct SessionState {
  protocol::ConnectionInfo conn;
  protocol::Limits limits;
  protocol::Services services;
  Clock clock = system_clock_now;

  State state = State::NotAuthenticated;
  std::string user;
  std::unique_ptr<storage::MailStore> store;
  std::unique_ptr<SelectedMailbox> selected;  // Non-null exactly in State::Selected.
  PendingAppend append;
  std::optional<std::string> sasl_tag;         // AUTHENTICATE waiting for a client response line.
  std::unique_ptr<sasl::Authentication> sasl;  // The AUTHENTICATE exchange in progress.
  std::optional<protocol::LoginHandoff> handoff;  // Set with Next::Handoff (login worker).
  std::optional<std::string> idle_tag;            // IDLE waiting for DONE (RFC 2177).

  // Leaves the Selected state (SELECT of another mailbox, CLOSE, UNSELECT).
  // Drops an AUTHENTICATE exchange in progress.
  void end_sasl() {
    sasl_tag.reset();
    sasl.reset();
  }
  void deselect() {
    selected.reset();
    if (state == State::Selected) state = State::Authenticated;
  }
  bool tls_or_plaintext_ok() const { return conn.tls_active || conn.plaintext_auth_allowed; }
};

// One running command: its tag, arguments, where responses go, and what the driver must do
// next.
struct Ctx {
  SessionState& s;
  std::string tag;
  ArgParser& p;
  std::string& out;  // Untagged responses, in order.
  bool uid = false;  // Run as "UID <command>".

  std::string tagged_line;  // Written last, after untagged updates.
  protocol::Next next = protocol::Next::Read;
  std::chrono::milliseconds delay{0};
  bool continues = false;  // The command waits for more client input (AUTHENTICATE).

  void ok(std::string_view text, std::string_view code = {});
  void no(std::string_view code, std::string_view text);
  void bad(std::string_view code, std::string_view text);
  // BAD with the parser's error ([LIMIT] when a limit was hit).
  void syntax_error();
  // NO/BAD for an error from storage or auth, with its response code (RFC 5530).
  void fail(const Error& e);
};

}  // namespace satchel::imap
