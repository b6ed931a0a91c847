// BODY and BODYSTRUCTURE (RFC 3501 §7.4.2, §9 "body").
//
// Conventions where RFC 3501 leaves a choice (chosen to match established servers):
// - media type, subtype, parameter names and values are sent as written in the message;
// - a text/* part without a charset parameter (other parameters or none, or no valid
//   Content-Type: RFC 2045 §5.2 default) gets "charset" "us-ascii" after its parameters;
// - a missing Content-Transfer-Encoding is sent as "7bit";
// - body-fld-lines counts the LF octets of the body.
#include <algorithm>

#include "base/ascii.h"
#include "message/detail/envelope.h"
#include "message/detail/header.h"
#include "message/detail/imap_string.h"
#include "message/detail/mime_params.h"
#include "message/detail/part_text.h"
#include "message/message.h"

namespace satchel::message {

namespace {

using detail::append_nstring;
using detail::append_string;

struct ExtFields {
  std::optional<std::string> id, description, md5, disposition, language, location;
};

ExtFields read_ext(std::string_view header) {
  ExtFields e;
  detail::HeaderReader reader(header);
  detail::HeaderField f;
  auto take = [&](std::optional<std::string>& slot, std::string_view name) {
    if (!slot && ascii::iequals(f.name, name)) slot = detail::unfold(f.value);
  };
  while (reader.next(f)) {
    take(e.id, "Content-ID");
    take(e.description, "Content-Description");
    take(e.md5, "Content-MD5");
    take(e.disposition, "Content-Disposition");
    take(e.language, "Content-Language");
    take(e.location, "Content-Location");
  }
  return e;
}

void append_params(std::string& out, const detail::Params& params) {
  if (params.empty()) {
    out += "NIL";
    return;
  }
  out += '(';
  bool first = true;
  for (const auto& [k, v] : params) {
    if (!first) out += ' ';
    first = false;
    append_string(out, k);
    out += ' ';
    append_string(out, v);
  }
  out += ')';
}

// body-fld-dsp, body-fld-lang and body-fld-loc.
void append_dsp_lang_loc(std::string& out, const ExtFields& e) {
  out += ' ';
  std::optional<detail::Disposition> d;
  if (e.disposition) d = detail::parse_disposition(*e.disposition);
  if (d) {
    out += '(';
    append_string(out, d->value);
    out += ' ';
    append_params(out, d->params);
    out += ')';
  } else {
    out += "NIL";
  }
  out += ' ';
  // RFC 3066 language tags, comma-separated (RFC 3282 §2): a string for one, a list for more.
  std::vector<std::string> langs;
  if (e.language) {
    std::string_view v = *e.language;
    std::size_t pos = 0;
    while (pos <= v.size()) {
      std::size_t comma = v.find(',', pos);
      if (comma == std::string_view::npos) comma = v.size();
      std::string tag = detail::first_token(v.substr(pos, comma - pos));
      if (!tag.empty()) langs.push_back(tag);
      pos = comma + 1;
    }
  }
  if (langs.empty()) {
    out += "NIL";
  } else if (langs.size() == 1) {
    append_string(out, langs[0]);
  } else {
    out += '(';
    for (std::size_t i = 0; i < langs.size(); ++i) {
      if (i) out += ' ';
      append_string(out, langs[i]);
    }
    out += ')';
  }
  out += ' ';
  append_nstring(out, e.location);
}

std::uint64_t count_lines(std::string_view body) {
  return static_cast<std::uint64_t>(std::count(body.begin(), body.end(), '\n'));
}

void append_part(std::string& out, std::string_view text, const Part& p, bool extended) {
  ExtFields e;
  if (extended || p.kind != Part::Kind::Multipart) e = read_ext(detail::header_view(text, p));
  out += '(';
  if (p.kind == Part::Kind::Multipart) {
    for (const Part& child : p.children) append_part(out, text, child, extended);
    out += ' ';
    append_string(out, p.subtype);
    if (extended) {
      out += ' ';
      append_params(out, p.params);
      append_dsp_lang_loc(out, e);
    }
    out += ')';
    return;
  }
  // A message/rfc822 or multipart part left unparsed (a multipart beyond the depth or part
  // limits, a message/rfc822 there or in a non-identity encoding) cannot be described as one: RFC
  // 3501 §9 body-type-msg needs the inner envelope and body, and a client reading "multipart"
  // expects parts. It is described as opaque data, as established servers do.
  const std::string* boundary = p.param("boundary");
  bool cut_multipart = p.is_type("multipart") && boundary != nullptr && !boundary->empty();
  bool opaque = cut_multipart || p.is_type("message", "rfc822");
  if (opaque && p.kind != Part::Kind::Message) {
    append_string(out, "application");
    out += ' ';
    append_string(out, "octet-stream");
  } else {
    append_string(out, p.type);
    out += ' ';
    append_string(out, p.subtype);
  }
  out += ' ';
  if (p.is_type("text") && p.param("charset") == nullptr) {
    // RFC 2045 §5.2: a text part without a charset parameter is us-ascii; said explicitly,
    // after the parameters it has, as established servers do.
    detail::Params params = p.params;
    params.emplace_back("charset", "us-ascii");
    append_params(out, params);
  } else {
    append_params(out, p.params);
  }
  out += ' ';
  append_nstring(out, e.id);
  out += ' ';
  append_nstring(out, e.description);
  out += ' ';
  append_string(out, p.encoding.empty() ? std::string("7bit") : p.encoding);
  out += ' ';
  out += std::to_string(p.body_size());
  if (p.kind == Part::Kind::Message && !p.children.empty()) {
    const Part& inner = p.children[0];
    out += ' ';
    out += detail::envelope_of(detail::header_view(text, inner));
    out += ' ';
    append_part(out, text, inner, extended);
    out += ' ';
    out += std::to_string(count_lines(detail::body_view(text, p)));
  } else if (p.is_type("text")) {
    out += ' ';
    out += std::to_string(count_lines(detail::body_view(text, p)));
  }
  if (extended) {
    out += ' ';
    append_nstring(out, e.md5);
    append_dsp_lang_loc(out, e);
  }
  out += ')';
}

}  // namespace

std::string body_structure(const ParsedMessage& msg, bool extended) {
  std::string out;
  append_part(out, msg.text(), msg.root(), extended);
  return out;
}

}  // namespace satchel::message
