// FETCH data items (RFC 3501 §6.4.5, §9 fetch-att; RFC 3516 BINARY).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "message/message.h"
#include "protocol/imap/arg_parser.h"

namespace satchel::imap {

struct FetchItem {
  enum class Kind {
    Flags,
    Uid,
    InternalDate,
    Rfc822Size,
    Envelope,
    Body,
    BodyStructure,
    Section,     // BODY[...] / BODY.PEEK[...]
    Binary,      // BINARY[...] / BINARY.PEEK[...]
    BinarySize,  // BINARY.SIZE[...]
    Rfc822,
    Rfc822Header,
    Rfc822Text,
  };
  Kind kind = Kind::Flags;
  bool peek = false;
  message::Section section;
  std::string section_text;             // As echoed in the response: "1.HEADER.FIELDS (FROM TO)".
  std::optional<std::uint32_t> origin;  // <origin.count>
  std::uint32_t count = 0;

  // Needs the message text / a parsed message.
  bool needs_text() const;
  // Sets \Seen when fetched from a read-write mailbox.
  bool sets_seen() const;
};

// Parses what follows "FETCH SP sequence-set SP": a macro, one item, or a list. False with
// the error in `p` on bad syntax.
bool parse_fetch_items(ArgParser& p, std::vector<FetchItem>& items);

}  // namespace satchel::imap
