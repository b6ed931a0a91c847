#include "protocol/pop3/line_reader.h"

#include <algorithm>

namespace satchel::pop3 {

namespace {

void wipe(std::string& s) {
  std::fill(s.begin(), s.end(), '\0');
  s.clear();
}

}  // namespace

LineReader::Event LineReader::next(std::string_view input, std::size_t max_line) {
  // The content of a line may use max_line octets minus its CRLF.
  const std::size_t max_content = max_line > 2 ? max_line - 2 : 0;
  std::size_t pos = 0;
  if (skipping_) {
    std::size_t lf = input.find('\n');
    if (lf == std::string_view::npos) return {Status::NeedMore, input.size()};
    skipping_ = false;
    pos = lf + 1;
  }
  std::string_view rest = input.substr(pos);
  std::size_t lf = rest.find('\n');
  if (lf != std::string_view::npos) {
    line_.assign(partial_);
    line_.append(rest.substr(0, lf));
    wipe(partial_);
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    if (line_.size() > max_content) {
      line_.clear();
      return {Status::TooLong, pos + lf + 1};
    }
    return {Status::Line, pos + lf + 1};
  }
  // No end of line yet. A trailing CR may be the first half of the CRLF, so it does not count
  // against the limit.
  bool ends_in_cr =
      rest.empty() ? (!partial_.empty() && partial_.back() == '\r') : rest.back() == '\r';
  std::size_t length = partial_.size() + rest.size() - (ends_in_cr ? 1 : 0);
  if (length > max_content) {
    partial_.clear();
    skipping_ = true;
    return {Status::TooLong, input.size()};
  }
  partial_.append(rest);
  return {Status::NeedMore, input.size()};
}

void LineReader::reset() {
  wipe(partial_);
  wipe(line_);
  skipping_ = false;
}

void LineReader::wipe_line() {
  wipe(line_);
}

}  // namespace satchel::pop3
