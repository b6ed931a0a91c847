#include "message/detail/rfc2047.h"

#include "base/ascii.h"
#include "message/detail/charset.h"
#include "message/detail/transfer.h"
#include "message/message.h"

namespace satchel::message::detail {

namespace {

struct Word {
  std::string charset;
  std::string bytes;
  std::size_t end = 0;  // Index just after "?=".
};

// Parses an encoded-word starting at `pos` ("=?"). RFC 2047 §2: charset and encoding are
// tokens, the encoded text has no "?" and no white space.
bool parse_word(std::string_view s, std::size_t pos, Word* w) {
  std::size_t q1 = s.find('?', pos + 2);
  if (q1 == std::string_view::npos || q1 == pos + 2) return false;
  if (q1 + 2 >= s.size() || s[q1 + 2] != '?') return false;
  char enc = ascii::to_upper(s[q1 + 1]);
  if (enc != 'B' && enc != 'Q') return false;
  std::size_t text_begin = q1 + 3;
  std::size_t close = s.find("?=", text_begin);
  if (close == std::string_view::npos) return false;
  std::string_view text = s.substr(text_begin, close - text_begin);
  if (text.find_first_of(" \t") != std::string_view::npos) return false;
  std::string_view charset = s.substr(pos + 2, q1 - pos - 2);
  // RFC 2231 §5: charset*language.
  std::size_t star = charset.find('*');
  if (star != std::string_view::npos) charset = charset.substr(0, star);
  if (charset.find_first_of(" \t") != std::string_view::npos) return false;
  w->charset = std::string(charset);
  w->bytes = enc == 'B' ? decode_base64(text) : decode_quoted_printable(text, true);
  w->end = close + 2;
  return true;
}

}  // namespace

std::string decode_header_text(std::string_view s) {
  std::string out;
  std::string pending_charset, pending;
  std::string raw_words;  // The pending words as written, in case their charset is unknown.
  auto flush = [&] {
    if (raw_words.empty()) return;
    if (auto u = to_utf8(pending_charset, pending))
      out += *u;
    else if (charset_supported(pending_charset))
      out += to_utf8_lossy(pending_charset, pending);
    else
      out += raw_words;
    pending.clear();
    raw_words.clear();
  };
  std::size_t i = 0;
  std::size_t plain_begin = 0;
  auto emit_plain = [&](std::size_t end) {
    if (end > plain_begin) out += to_utf8_lossy("", s.substr(plain_begin, end - plain_begin));
  };
  while (i < s.size()) {
    if (s[i] == '=' && i + 1 < s.size() && s[i + 1] == '?') {
      Word w;
      if (parse_word(s, i, &w)) {
        // Text between the previous encoded-word and this one: dropped if only white space.
        std::string_view between = s.substr(plain_begin, i - plain_begin);
        bool only_space = between.find_first_not_of(" \t\r\n") == std::string_view::npos;
        if (!(only_space && !raw_words.empty())) {
          flush();
          emit_plain(i);
        }
        if (!raw_words.empty() && !ascii::iequals(pending_charset, w.charset)) flush();
        pending_charset = w.charset;
        pending += w.bytes;
        raw_words += s.substr(i, w.end - i);
        i = w.end;
        plain_begin = i;
        continue;
      }
    }
    ++i;
  }
  if (plain_begin < s.size()) {
    flush();
    emit_plain(s.size());
  }
  flush();
  return out;
}

}  // namespace satchel::message::detail
