// BODY[section] (RFC 3501 §6.4.5) and BINARY[section] (RFC 3516 §4.2).
#include "base/ascii.h"
#include "message/detail/header.h"
#include "message/detail/part_text.h"
#include "message/detail/transfer.h"
#include "message/message.h"

namespace satchel::message {

namespace {

// The parts numbered 1..n under `p`. RFC 3501 §6.4.5: the parts of a multipart are its body
// parts; a message/rfc822 part's numbers go into the encapsulated message, whose part 1 is its
// body when it is not multipart; any other part has no sub-parts.
const std::vector<Part>* subparts(const Part& p, const Part** single) {
  if (p.kind == Part::Kind::Multipart) return &p.children;
  if (p.kind == Part::Kind::Message && !p.children.empty()) {
    const Part& inner = p.children[0];
    if (inner.kind == Part::Kind::Multipart) return &inner.children;
    *single = &inner;
  }
  return nullptr;
}

// Resolves a part path; nullptr when the part does not exist.
const Part* resolve(const Part& root, const std::vector<std::uint32_t>& path) {
  if (path.empty()) return &root;
  // The top level is a message: its part 1 is its body unless it is multipart.
  const Part* cur = nullptr;
  if (root.kind == Part::Kind::Multipart) {
    if (path[0] == 0 || path[0] > root.children.size()) return nullptr;
    cur = &root.children[path[0] - 1];
  } else {
    if (path[0] != 1) return nullptr;
    cur = &root;
  }
  for (std::size_t i = 1; i < path.size(); ++i) {
    const Part* single = nullptr;
    const std::vector<Part>* list = subparts(*cur, &single);
    std::uint32_t n = path[i];
    if (list != nullptr) {
      if (n == 0 || n > list->size()) return nullptr;
      cur = &(*list)[n - 1];
    } else if (single != nullptr && n == 1) {
      cur = single;
    } else {
      return nullptr;
    }
  }
  return cur;
}

bool listed(std::string_view name, const std::vector<std::string>& fields) {
  for (const auto& f : fields)
    if (ascii::iequals(name, f)) return true;
  return false;
}

std::string header_fields(std::string_view header, const std::vector<std::string>& fields,
                          bool negate) {
  std::string out;
  detail::HeaderReader reader(header);
  detail::HeaderField f;
  while (reader.next(f)) {
    if (listed(f.name, fields) != negate) {
      out += f.raw;
      // A last field without its line end (a header cut by the end of the text).
      if (out.back() != '\n') out += "\r\n";
    }
  }
  // RFC 3501 §6.4.5: the delimiting blank line is included in all header fetches, "except in
  // the case of a message which has no body and no blank line".
  if (header == "\r\n" || header.ends_with("\r\n\r\n")) out += "\r\n";
  return out;
}

}  // namespace

std::optional<std::string> section(const ParsedMessage& msg, const Section& spec) {
  std::string_view text = msg.text();
  const Part* p = resolve(msg.root(), spec.part);
  if (p == nullptr) return std::nullopt;
  if (spec.kind == Section::Kind::Full) {
    if (spec.part.empty()) return std::string(text);
    return std::string(detail::body_view(text, *p));
  }
  if (spec.kind == Section::Kind::Mime) {
    if (spec.part.empty()) return std::nullopt;
    return std::string(detail::header_view(text, *p));
  }
  // HEADER, HEADER.FIELDS[.NOT] and TEXT apply to a message: the top level, or the message
  // encapsulated in a message/rfc822 part.
  const Part* m = p;
  if (!spec.part.empty()) {
    if (p->kind != Part::Kind::Message || p->children.empty()) return std::nullopt;
    m = &p->children[0];
  }
  std::string_view header = detail::header_view(text, *m);
  switch (spec.kind) {
    case Section::Kind::Header:
      return std::string(header);
    case Section::Kind::HeaderFields:
      return header_fields(header, spec.fields, false);
    case Section::Kind::HeaderFieldsNot:
      return header_fields(header, spec.fields, true);
    case Section::Kind::Text:
      return std::string(detail::body_view(text, *m));
    default:
      return std::nullopt;
  }
}

std::optional<std::string> binary_section(const ParsedMessage& msg,
                                          const std::vector<std::uint32_t>& part,
                                          bool* unknown_encoding) {
  if (unknown_encoding != nullptr) *unknown_encoding = false;
  std::string_view text = msg.text();
  if (part.empty()) return std::string(text);
  const Part* p = resolve(msg.root(), part);
  if (p == nullptr) return std::nullopt;
  std::string_view body = detail::body_view(text, *p);
  // RFC 2045 §6.4: composite types are never encoded, whatever they claim.
  if (p->kind != Part::Kind::Leaf) return std::string(body);
  switch (detail::encoding_of(p->encoding)) {
    case detail::Encoding::Identity:
      return std::string(body);
    case detail::Encoding::Base64:
      return detail::decode_base64(body);
    case detail::Encoding::QuotedPrintable:
      return detail::decode_quoted_printable(body);
    case detail::Encoding::Unknown:
      break;
  }
  if (unknown_encoding != nullptr) *unknown_encoding = true;
  return std::nullopt;
}

}  // namespace satchel::message
