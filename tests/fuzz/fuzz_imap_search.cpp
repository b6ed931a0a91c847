// libFuzzer target for SEARCH (RFC 3501 §6.4.4): the input is framed as IMAP commands whose
// lines hold search keys directly (literals allowed); each is parsed, its needles converted
// from the charset, and every text needle matched against a fixed multipart message.
// Built when SATCHEL_FUZZ is on (clang).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "message/message.h"
#include "protocol/imap/arg_parser.h"
#include "protocol/imap/search_args.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using satchel::imap::SearchKey;

constexpr std::string_view kMessage =
    "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
    "From: =?ISO-8859-1?Q?Andr=E9?= <andre@example.org>\r\n"
    "To: a@example.org, Group: b@example.org;\r\n"
    "Subject: =?utf-8?B?w6l0w6k=?= report\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
    "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n\r\nFran=E7ais\r\n"
    "--b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    "PGI+w7xiZXI8L2I+\r\n--b--\r\n";

// Visits the tree (bounded by the parser's own nesting limit) and matches the needles.
void evaluate(const SearchKey& key, const satchel::message::ParsedMessage& msg, int depth) {
  if (depth > 200) __builtin_trap();  // Deeper than any nesting limit lets through.
  switch (key.kind) {
    case SearchKey::Kind::Header:
      (void)satchel::message::header_contains(msg, key.field, key.text);
      break;
    case SearchKey::Kind::Body:
      (void)satchel::message::body_contains(msg, key.text);
      break;
    case SearchKey::Kind::Text:
      (void)satchel::message::text_contains(msg, key.text);
      break;
    default:
      break;
  }
  (void)key.needs_content();
  for (const SearchKey& child : key.children) evaluate(child, msg, depth + 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::unique_ptr<satchel::message::ParsedMessage> msg =
      satchel::message::parse(kMessage);
  std::string_view input(reinterpret_cast<const char*>(data), size);
  satchel::protocol::Limits limits;
  limits.max_nesting = 16;
  limits.max_arguments = 256;
  satchel::fuzz::for_each_command(input, limits, 4096, input.size(),
                                  [&](const satchel::imap::Command& cmd) {
                                    satchel::imap::ArgParser p(cmd, limits);
                                    satchel::imap::SearchProgram program;
                                    if (!satchel::imap::parse_search(p, program)) return;
                                    (void)p.end();
                                    if (!satchel::imap::convert_needles(program)) return;
                                    evaluate(program.root, *msg, 0);
                                  });
  return 0;
}
