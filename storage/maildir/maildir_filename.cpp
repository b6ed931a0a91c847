#include "storage/maildir/maildir_filename.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <climits>

#include "base/crypto.h"
#include "storage/api/types.h"

namespace satchel::storage::maildir {
namespace {

struct LetterFlag {
  char letter;
  std::uint8_t flag;
};
constexpr LetterFlag kLetters[] = {
    {'D', kDraft}, {'F', kFlagged}, {'R', kAnswered}, {'S', kSeen}, {'T', kDeleted},
};

std::optional<std::uint64_t> field_value(std::string_view base, std::string_view key) {
  std::size_t pos = base.find(key);
  if (pos == std::string_view::npos) return std::nullopt;
  std::string_view rest = base.substr(pos + key.size());
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
  if (ec != std::errc() || ptr == rest.data()) return std::nullopt;
  return v;
}

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "localhost";
  std::string out;
  for (const char* p = buf; *p != '\0'; ++p) {
    if (*p == '/') {
      out += "\\057";
    } else if (*p == ':') {
      out += "\\072";
    } else if (*p == ',') {
      out += "\\054";  // ',' introduces our size fields.
    } else {
      out.push_back(*p);
    }
  }
  return out;
}

}  // namespace

MaildirFileName parse_file_name(std::string_view name) {
  MaildirFileName out;
  std::size_t colon = name.find(':');
  out.base = std::string(name.substr(0, colon));
  if (colon != std::string_view::npos && name.substr(colon).starts_with(":2,")) {
    out.has_info = true;
    out.letters = std::string(name.substr(colon + 3));
  }
  out.size = field_value(out.base, ",S=");
  out.crlf_size = field_value(out.base, ",W=");
  return out;
}

std::uint8_t flags_from_letters(std::string_view letters) {
  std::uint8_t flags = 0;
  for (char c : letters) {
    for (const auto& lf : kLetters) {
      if (lf.letter == c) flags |= lf.flag;
    }
  }
  return flags;
}

std::string letters_for_flags(std::string_view old_letters, std::uint8_t system) {
  std::string out;
  for (char c : old_letters) {
    bool ours = std::any_of(std::begin(kLetters), std::end(kLetters),
                            [c](const LetterFlag& lf) { return lf.letter == c; });
    // Only printable letters survive; anything else would make a name other tools misread.
    if (!ours && c > 0x20 && c < 0x7f && c != '/' && c != ':') out.push_back(c);
  }
  for (const auto& lf : kLetters) {
    if ((system & lf.flag) != 0) out.push_back(lf.letter);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string file_name_with_info(std::string_view base, std::string_view letters) {
  std::string out(base);
  out += ":2,";
  out += letters;
  return out;
}

std::string make_base_name(std::int64_t sec, std::int64_t usec, std::uint64_t size,
                           std::uint64_t crlf_size) {
  static const std::string host = host_name();
  std::string out = std::to_string(sec);
  out += ".M" + std::to_string(usec);
  out += "P" + std::to_string(getpid());
  out += "R" + std::to_string(crypto::random_u32());
  out += "." + host;
  out += ",S=" + std::to_string(size);
  out += ",W=" + std::to_string(crlf_size);
  return out;
}

}  // namespace satchel::storage::maildir
