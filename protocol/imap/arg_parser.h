// ArgParser: reads the arguments of one framed Command (RFC 3501 §9 tokens). Every method
// either consumes a token and returns it, or returns nullopt/false without consuming and sets
// error(); handlers answer BAD with that text. Counts tokens and parenthesis depth against
// Limits (max_arguments, max_nesting).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/imap/command_reader.h"
#include "protocol/session.h"

namespace satchel::imap {

class ArgParser {
 public:
  ArgParser(const Command& cmd, const protocol::Limits& limits) : cmd_(cmd), limits_(limits) {}

  // Structure.
  bool sp();                         // Exactly one SP.
  bool at_end() const;               // Nothing left in the command.
  bool end();                        // at_end(), or sets an error ("Unexpected arguments").
  bool peek(char c) const;           // Next octet (within the current line) is c.
  bool skip(char c);                 // Consumes c if it is next.
  bool open_list();                  // "(" with the nesting limit.
  bool close_list();                 // ")".
  bool at_literal() const;           // The next token is a literal.
  bool at_streamed_literal() const;  // The next token is the literal streamed to a sink.
  // In a partial command (during a literal decision): the next token is the literal header
  // that ends the last line, whose octets have not arrived yet.
  bool at_pending_literal() const;
  bool skip_literal();  // Consumes a literal token (for the streamed one).

  // Tokens.
  std::optional<std::string> atom();                    // 1*ATOM-CHAR
  std::optional<std::string> astring();                 // atom with "]" allowed / string
  std::optional<std::string> string();                  // quoted / literal
  std::optional<std::optional<std::string>> nstring();  // string / NIL
  std::optional<std::string> list_mailbox();            // 1*list-char / string (LIST patterns)
  std::optional<std::uint32_t> number();                // 32-bit, overflow is an error
  std::optional<std::uint32_t> nz_number();
  // The raw characters up to the next SP, ")" or end of line (sequence sets, flags, section
  // specs), at least one.
  std::optional<std::string> word(bool stop_at_bracket = false);

  // Raw access for items with their own small grammar (FETCH section specs).
  std::string_view rest_of_line() const { return line().substr(pos_); }
  void advance(std::size_t n) { pos_ += n; }

  const std::string& error() const { return error_; }
  bool fail(std::string message);  // Sets the error if none yet; returns false.
  bool counted();                  // Counts one argument against the limit.

  // True when the error came from a limit (answer BAD [LIMIT]).
  bool limit_hit() const { return limit_hit_; }

 private:
  std::string_view line() const { return cmd_.lines[seg_]; }
  bool at_marker() const;  // "{" digits ["+"] "}" ends the current line here.
  std::optional<std::string> quoted();
  std::optional<std::string> literal();

  const Command& cmd_;
  const protocol::Limits& limits_;
  std::size_t seg_ = 0;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
  std::size_t args_ = 0;
  bool limit_hit_ = false;
  std::string error_;
};

}  // namespace satchel::imap
