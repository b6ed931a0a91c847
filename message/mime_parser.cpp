// parse(): one forward pass over the CRLF text that splits it into MIME entities
// (RFC 2045, RFC 2046). Memory is one Part per entity; header fields are re-read from the
// text when needed rather than stored.
#include <string>
#include <vector>

#include "base/ascii.h"
#include "message/detail/header.h"
#include "message/detail/mime_params.h"
#include "message/message.h"

namespace satchel::message {

bool Part::is_type(std::string_view t) const {
  return ascii::iequals(type, t);
}
bool Part::is_type(std::string_view t, std::string_view st) const {
  return ascii::iequals(type, t) && ascii::iequals(subtype, st);
}
const std::string* Part::param(std::string_view name) const {
  for (const auto& [k, v] : params)
    if (ascii::iequals(k, name)) return &v;
  return nullptr;
}

namespace {

// Where a scan for a boundary stopped.
struct Stop {
  std::size_t body_end = 0;  // End of the content before the boundary line's CRLF.
  std::size_t next = 0;      // Just after the boundary line.
  int level = -1;            // Index in the boundary stack, -1 for the end of the text.
  bool close = false;        // A close-delimiter ("--boundary--").
};

class Parser {
 public:
  Parser(std::string_view text, const ParseLimits& limits) : text_(text), limits_(limits) {}

  Stop entity(Part& p, std::size_t pos, std::size_t depth, bool digest_child);

 private:
  std::size_t line_end(std::size_t pos) const {
    std::size_t lf = text_.find('\n', pos);
    return lf == std::string_view::npos ? text_.size() : lf + 1;
  }

  // RFC 2046 §5.1.1: a delimiter line is "--" boundary, optionally "--" for the last one,
  // then only linear white space. The boundary must match exactly, so boundaries that are
  // prefixes of each other stay apart. The innermost matching boundary wins.
  bool boundary_line(std::size_t pos, std::size_t end, int* level, bool* close) const {
    if (end - pos < 2 || text_[pos] != '-' || text_[pos + 1] != '-') return false;
    std::string_view line = text_.substr(pos + 2, end - pos - 2);
    for (std::size_t i = stack_.size(); i-- > 0;) {
      const std::string& b = stack_[i];
      if (line.size() < b.size() || line.compare(0, b.size(), b) != 0) continue;
      std::string_view rest = line.substr(b.size());
      bool is_close = rest.size() >= 2 && rest[0] == '-' && rest[1] == '-';
      if (is_close) rest.remove_prefix(2);
      bool blank = true;
      for (char c : rest)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') blank = false;
      if (!blank) continue;
      *level = static_cast<int>(i);
      *close = is_close;
      return true;
    }
    return false;
  }

  // Scans lines from `pos` (a line start) for a boundary of the stack.
  Stop scan(std::size_t pos) const {
    Stop s;
    std::size_t line = pos;
    while (line < text_.size()) {
      std::size_t end = line_end(line);
      if (!stack_.empty() && boundary_line(line, end, &s.level, &s.close)) {
        // RFC 2046 §5.1.1: the CRLF before the delimiter belongs to the delimiter.
        std::size_t be = line;
        if (be >= pos + 2 && text_[be - 2] == '\r' && text_[be - 1] == '\n')
          be -= 2;
        else if (be >= pos + 1 && text_[be - 1] == '\n')
          be -= 1;
        s.body_end = be;
        s.next = end;
        return s;
      }
      line = end;
    }
    s.body_end = text_.size();
    s.next = text_.size();
    s.level = -1;
    return s;
  }

  // The end of the header starting at `pos`: after its blank line; at a boundary line (a part
  // with a header and no body); or at the end of the text.
  std::size_t header_end(std::size_t pos) const {
    std::size_t line = pos;
    while (line < text_.size()) {
      std::size_t end = line_end(line);
      char c = text_[line];
      if (c == '\n' || (c == '\r' && line + 1 < text_.size() && text_[line + 1] == '\n'))
        return end;
      int level;
      bool close;
      if (!stack_.empty() && boundary_line(line, end, &level, &close)) return line;
      line = end;
    }
    return text_.size();
  }

  void read_header(Part& p, bool digest_child) const {
    std::string_view header = text_.substr(p.header_begin, p.body_begin - p.header_begin);
    detail::HeaderReader reader(header);
    detail::HeaderField f;
    bool have_type = false, have_cte = false;
    while ((!have_type || !have_cte) && reader.next(f)) {
      if (!have_type && ascii::iequals(f.name, "Content-Type")) {
        have_type = true;
        auto ct = detail::parse_content_type(detail::unfold(f.value, limits_.max_header_line));
        if (ct) {
          p.type = std::move(ct->type);
          p.subtype = std::move(ct->subtype);
          p.params = std::move(ct->params);
          p.default_type = false;
        }
      } else if (!have_cte && ascii::iequals(f.name, "Content-Transfer-Encoding")) {
        have_cte = true;
        p.encoding = detail::first_token(detail::unfold(f.value, limits_.max_header_line));
      }
    }
    if (p.default_type) {
      // RFC 2045 §5.2 and RFC 2046 §5.1.5 defaults.
      if (digest_child) {
        p.type = "message";
        p.subtype = "rfc822";
      } else {
        p.type = "text";
        p.subtype = "plain";
        p.params = {{"charset", "us-ascii"}};
      }
    }
  }

  std::string_view text_;
  const ParseLimits& limits_;
  std::vector<std::string> stack_;
  std::size_t parts_ = 0;
};

Stop Parser::entity(Part& p, std::size_t pos, std::size_t depth, bool digest_child) {
  ++parts_;
  p.header_begin = pos;
  p.body_begin = header_end(pos);
  read_header(p, digest_child);
  bool room = depth < limits_.max_depth && parts_ < limits_.max_parts;
  const std::string* boundary = p.param("boundary");

  if (room && p.is_type("multipart") && boundary != nullptr && !boundary->empty()) {
    p.kind = Part::Kind::Multipart;
    bool digest = p.is_type("multipart", "digest");
    stack_.push_back(*boundary);
    int level = static_cast<int>(stack_.size()) - 1;
    Stop s = scan(p.body_begin);  // The preamble.
    while (s.level == level && !s.close) {
      if (parts_ >= limits_.max_parts) {
        // Out of parts: the rest of this multipart is one opaque last part.
        p.children.emplace_back();
        Part& last = p.children.back();
        last.header_begin = last.body_begin = s.next;
        stack_.pop_back();
        s = scan(s.next);
        last.body_end = s.body_end;
        p.body_end = s.body_end;
        return s;
      }
      p.children.emplace_back();
      s = entity(p.children.back(), s.next, depth + 1, digest);
    }
    stack_.pop_back();
    if (s.level == level) s = scan(s.next);  // The epilogue, up to an outer boundary.
    if (p.children.empty()) {
      // RFC 3501 §9 needs 1*body: a multipart without a delimiter gets one empty part.
      p.children.emplace_back();
      Part& empty = p.children.back();
      empty.header_begin = empty.body_begin = empty.body_end = p.body_begin;
    }
    p.body_end = s.body_end;
    return s;
  }

  std::string enc = ascii::lower(p.encoding);
  bool identity = enc.empty() || enc == "7bit" || enc == "8bit" || enc == "binary";
  if (room && identity && p.is_type("message", "rfc822")) {
    p.kind = Part::Kind::Message;
    p.children.emplace_back();
    Stop s = entity(p.children.back(), p.body_begin, depth + 1, false);
    p.body_end = s.body_end;
    return s;
  }

  Stop s = scan(p.body_begin);
  p.body_end = s.body_end < p.body_begin ? p.body_begin : s.body_end;
  return s;
}

}  // namespace

std::unique_ptr<ParsedMessage> parse(std::string_view crlf_message, const ParseLimits& limits) {
  auto msg = std::make_unique<ParsedMessage>(crlf_message);
  Parser parser(crlf_message, limits);
  Stop s = parser.entity(msg->mutable_root(), 0, 0, false);
  (void)s;
  return msg;
}

}  // namespace satchel::message
