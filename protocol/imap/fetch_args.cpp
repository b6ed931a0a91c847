#include "protocol/imap/fetch_args.h"

#include "base/ascii.h"

namespace satchel::imap {
namespace {

using Kind = FetchItem::Kind;

bool parse_partial(ArgParser& p, FetchItem& item) {
  if (!p.skip('<')) return true;
  auto origin = p.number();
  if (!origin || !p.skip('.')) return p.fail("Invalid partial range");
  auto count = p.nz_number();
  if (!count || !p.skip('>')) return p.fail("Invalid partial range");
  item.origin = *origin;
  item.count = *count;
  return true;
}

// section = "[" [section-spec] "]"; `binary` allows only a part path (RFC 3516 section-binary).
bool parse_section(ArgParser& p, FetchItem& item, bool binary) {
  if (!p.skip('[')) return p.fail("Expected '['");
  std::string_view rest = p.rest_of_line();
  std::size_t n = 0;
  while (n < rest.size() && rest[n] != ']' && rest[n] != ' ') ++n;
  std::string spec(rest.substr(0, n));
  p.advance(n);
  item.section_text = ascii::upper(spec);
  // Leading part numbers: nz-number *("." nz-number).
  std::size_t i = 0;
  while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') {
    std::uint64_t v = 0;
    while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') {
      v = v * 10 + static_cast<unsigned>(spec[i] - '0');
      if (v > 0xffffffffULL) return p.fail("Section part number out of range");
      ++i;
    }
    if (v == 0) return p.fail("Section part numbers start at 1");
    item.section.part.push_back(static_cast<std::uint32_t>(v));
    if (i < spec.size() && spec[i] == '.') {
      ++i;
      if (i >= spec.size()) return p.fail("Invalid section");
    }
  }
  std::string text = ascii::upper(spec.substr(i));
  if (binary && !text.empty()) return p.fail("Invalid BINARY section");
  if (text.empty()) {
    item.section.kind = message::Section::Kind::Full;
  } else if (text == "HEADER") {
    item.section.kind = message::Section::Kind::Header;
  } else if (text == "TEXT") {
    item.section.kind = message::Section::Kind::Text;
  } else if (text == "MIME") {
    if (item.section.part.empty()) return p.fail("MIME needs a part number");
    item.section.kind = message::Section::Kind::Mime;
  } else if (text == "HEADER.FIELDS" || text == "HEADER.FIELDS.NOT") {
    item.section.kind = text == "HEADER.FIELDS" ? message::Section::Kind::HeaderFields
                                                : message::Section::Kind::HeaderFieldsNot;
    if (!p.sp() || !p.open_list()) return false;
    std::string names;
    while (true) {
      auto f = p.astring();
      if (!f) return false;
      item.section.fields.push_back(*f);
      if (!names.empty()) names += ' ';
      names += ascii::upper(*f);
      if (p.peek(')')) break;
      if (!p.sp()) return false;
    }
    if (!p.close_list()) return false;
    item.section_text += " (" + names + ")";
  } else {
    return p.fail("Invalid section " + spec);
  }
  if (!p.skip(']')) return p.fail("Expected ']'");
  return parse_partial(p, item);
}

bool parse_item(ArgParser& p, std::vector<FetchItem>& items) {
  auto word = p.word(true);
  if (!word) return false;
  std::string name = ascii::upper(*word);
  FetchItem item;
  if (name == "FLAGS")
    item.kind = Kind::Flags;
  else if (name == "UID")
    item.kind = Kind::Uid;
  else if (name == "INTERNALDATE")
    item.kind = Kind::InternalDate;
  else if (name == "RFC822.SIZE")
    item.kind = Kind::Rfc822Size;
  else if (name == "ENVELOPE")
    item.kind = Kind::Envelope;
  else if (name == "BODYSTRUCTURE")
    item.kind = Kind::BodyStructure;
  else if (name == "RFC822")
    item.kind = Kind::Rfc822;
  else if (name == "RFC822.HEADER")
    item.kind = Kind::Rfc822Header;
  else if (name == "RFC822.TEXT")
    item.kind = Kind::Rfc822Text;
  else if (name == "BODY" || name == "BODY.PEEK") {
    if (!p.peek('[')) {
      if (name == "BODY.PEEK") return p.fail("BODY.PEEK needs a section");
      item.kind = Kind::Body;
    } else {
      item.kind = Kind::Section;
      item.peek = name == "BODY.PEEK";
      if (!parse_section(p, item, false)) return false;
    }
  } else if (name == "BINARY" || name == "BINARY.PEEK" || name == "BINARY.SIZE") {
    item.kind = name == "BINARY.SIZE" ? Kind::BinarySize : Kind::Binary;
    item.peek = name != "BINARY";
    if (!parse_section(p, item, true)) return false;
    if (item.kind == Kind::BinarySize && item.origin) return p.fail("BINARY.SIZE takes no range");
  } else {
    return p.fail("Unknown FETCH item " + *word);
  }
  items.push_back(std::move(item));
  return true;
}

void add(std::vector<FetchItem>& items, Kind k) {
  FetchItem i;
  i.kind = k;
  items.push_back(i);
}

}  // namespace

bool FetchItem::needs_text() const {
  switch (kind) {
    case Kind::Flags:
    case Kind::Uid:
    case Kind::InternalDate:
    case Kind::Rfc822Size:
      return false;
    default:
      return true;
  }
}

bool FetchItem::sets_seen() const {
  switch (kind) {
    case Kind::Section:
    case Kind::Binary:
      return !peek;
    case Kind::Rfc822:
    case Kind::Rfc822Text:
      return true;
    default:
      return false;
  }
}

bool parse_fetch_items(ArgParser& p, std::vector<FetchItem>& items) {
  if (p.peek('(')) {
    if (!p.open_list()) return false;
    while (true) {
      if (!parse_item(p, items)) return false;
      if (p.peek(')')) break;
      if (!p.sp()) return false;
    }
    return p.close_list();
  }
  std::string_view rest = p.rest_of_line();
  std::string first = ascii::upper(rest.substr(0, rest.find(' ')));
  // RFC 3501 §6.4.5 macros.
  if (first == "ALL" || first == "FAST" || first == "FULL") {
    p.advance(first.size());
    add(items, Kind::Flags);
    add(items, Kind::InternalDate);
    add(items, Kind::Rfc822Size);
    if (first != "FAST") add(items, Kind::Envelope);
    if (first == "FULL") add(items, Kind::Body);
    return true;
  }
  return parse_item(p, items);
}

}  // namespace satchel::imap
