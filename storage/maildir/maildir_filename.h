// Maildir file names: the unique base name, the ",S=" / ",W=" size fields and the ":2,"
// flag letters that mutt and other Maildir tools read and write.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace satchel::storage::maildir {

struct MaildirFileName {
  std::string base;       // Everything before the first ':' (the stable key of a message).
  bool has_info = false;  // ":2," present.
  std::string letters;    // Flag letters after ":2," exactly as found.
  std::optional<std::uint64_t> size;       // ",S=" in the base: the file size.
  std::optional<std::uint64_t> crlf_size;  // ",W=" in the base: the CRLF size.
};

MaildirFileName parse_file_name(std::string_view name);

// The SystemFlag bits the letters mean: D=\Draft F=\Flagged R=\Answered S=\Seen T=\Deleted.
std::uint8_t flags_from_letters(std::string_view letters);

// The letters for `system`, keeping every letter of `old_letters` that is not one of DFRST
// (P=passed, lowercase keyword letters of other software), in ASCII order, no duplicates.
std::string letters_for_flags(std::string_view old_letters, std::uint8_t system);

// "<base>:2,<letters>".
std::string file_name_with_info(std::string_view base, std::string_view letters);

// A fresh base name for a message we write:
// "<sec>.M<usec>P<pid>R<random>.<hostname>,S=<size>,W=<crlf size>". The host name has '/'
// and ':' replaced by "\057" and "\072" as the Maildir convention asks.
std::string make_base_name(std::int64_t sec, std::int64_t usec, std::uint64_t size,
                           std::uint64_t crlf_size);

}  // namespace satchel::storage::maildir
