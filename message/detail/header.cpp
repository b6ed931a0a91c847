#include "message/detail/header.h"

#include "base/ascii.h"

namespace satchel::message::detail {

namespace {

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

// The end of the line starting at `pos`: the index just after its LF, or the text size.
std::size_t line_end(std::string_view text, std::size_t pos) {
  std::size_t lf = text.find('\n', pos);
  return lf == std::string_view::npos ? text.size() : lf + 1;
}

bool is_empty_line(std::string_view text, std::size_t pos) {
  if (pos >= text.size()) return true;
  if (text[pos] == '\n') return true;
  return text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n';
}

}  // namespace

bool HeaderReader::next(HeaderField& field) {
  while (pos_ < text_.size()) {
    if (is_empty_line(text_, pos_)) {
      pos_ = text_.size();
      return false;
    }
    std::size_t start = pos_;
    std::size_t end = line_end(text_, start);
    // Continuation lines belong to the field above them.
    while (end < text_.size() && is_wsp(text_[end])) end = line_end(text_, end);
    pos_ = end;
    std::string_view raw = text_.substr(start, end - start);
    std::size_t colon = raw.find(':');
    std::size_t first_lf = raw.find('\n');
    // A line starting with WSP here has no field to continue; a line without a colon in its
    // first physical line is no field either.
    if (is_wsp(raw[0]) || colon == std::string_view::npos ||
        (first_lf != std::string_view::npos && colon > first_lf))
      continue;
    std::string_view name = raw.substr(0, colon);
    while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
    if (name.empty()) continue;
    std::string_view value = raw.substr(colon + 1);
    if (!value.empty() && value.back() == '\n') value.remove_suffix(1);
    if (!value.empty() && value.back() == '\r') value.remove_suffix(1);
    field = HeaderField{name, value, raw};
    return true;
  }
  return false;
}

std::string unfold(std::string_view value, std::size_t limit) {
  std::string out;
  out.reserve(value.size() < limit ? value.size() : limit);
  for (char c : value) {
    if (c == '\r' || c == '\n') continue;
    if (out.size() >= limit) break;
    out.push_back(c);
  }
  std::size_t b = 0;
  while (b < out.size() && is_wsp(out[b])) ++b;
  std::size_t e = out.size();
  while (e > b && is_wsp(out[e - 1])) --e;
  return out.substr(b, e - b);
}

std::optional<std::string> find_field(std::string_view header, std::string_view name) {
  HeaderReader reader(header);
  HeaderField f;
  while (reader.next(f))
    if (ascii::iequals(f.name, name)) return unfold(f.value);
  return std::nullopt;
}

}  // namespace satchel::message::detail
