// SEARCH keys (RFC 3501 §6.4.4, §9 search-key) as a tree, and its evaluation per message.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/imap/arg_parser.h"
#include "protocol/imap/date_time.h"
#include "protocol/imap/sequence_set.h"

namespace satchel::imap {

struct SearchKey {
  enum class Kind {
    All,
    And,
    Or,
    Not,
    Sequence,
    Uid,
    FlagSet,
    FlagClear,  // `flag`: a storage::SystemFlag bit.
    Keyword,
    Unkeyword,
    New,
    Old,
    Recent,
    Before,
    On,
    Since,
    SentBefore,
    SentOn,
    SentSince,
    Larger,
    Smaller,
    Header,
    Body,
    Text,  // `field` (Header; FROM/TO/CC/BCC/SUBJECT map to Header).
  };
  Kind kind = Kind::All;
  std::vector<SearchKey> children;
  SequenceSet set;
  std::uint8_t flag = 0;
  std::string text;   // Keyword or needle (UTF-8 after charset conversion).
  std::string field;  // Header field name.
  Day day;
  std::uint32_t size = 0;

  // True when evaluating it needs the message content.
  bool needs_content() const;
  // True when a SENT* key or text key needs the parsed message.
};

struct SearchProgram {
  std::string charset = "US-ASCII";
  SearchKey root;  // Kind::And of the top-level keys.
};

// Parses what follows "SEARCH SP". False with the error in `p`.
bool parse_search(ArgParser& p, SearchProgram& program);

// Converts every needle from `charset` to UTF-8. False when the charset is unknown or a
// needle is invalid in it (the caller answers NO [BADCHARSET ...]).
bool convert_needles(SearchProgram& program);

}  // namespace satchel::imap
