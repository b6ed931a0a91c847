#include "storage/index/flag_ops.h"

#include <algorithm>

#include "base/ascii.h"

namespace satchel::storage::index {
namespace {

bool has_keyword(const std::vector<std::string>& list, std::string_view kw) {
  return std::any_of(list.begin(), list.end(),
                     [kw](const std::string& k) { return ascii::iequals(k, kw); });
}

bool storable_keyword(std::string_view kw) {
  return !kw.empty() && std::none_of(kw.begin(), kw.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

void add_keywords(std::vector<std::string>* list, const std::vector<std::string>& more) {
  for (const auto& k : more) {
    if (storable_keyword(k) && !has_keyword(*list, k)) list->push_back(k);
  }
}

}  // namespace

std::vector<std::string> normalize_keywords(const std::vector<std::string>& keywords) {
  std::vector<std::string> out;
  add_keywords(&out, keywords);
  std::sort(out.begin(), out.end());
  return out;
}

Flags apply_flags(const Flags& old, FlagOp op, const Flags& change) {
  Flags out = old;
  switch (op) {
    case FlagOp::Replace:
      out.system = change.system;
      out.keywords.clear();
      add_keywords(&out.keywords, change.keywords);
      break;
    case FlagOp::Add:
      out.system |= change.system;
      add_keywords(&out.keywords, change.keywords);
      break;
    case FlagOp::Remove:
      out.system &= static_cast<std::uint8_t>(~change.system);
      std::erase_if(out.keywords,
                    [&](const std::string& k) { return has_keyword(change.keywords, k); });
      break;
  }
  std::sort(out.keywords.begin(), out.keywords.end());
  return out;
}

}  // namespace satchel::storage::index
