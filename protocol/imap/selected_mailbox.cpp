#include "protocol/imap/selected_mailbox.h"

#include <algorithm>

#include "protocol/imap/flags.h"

namespace satchel::imap {

SelectedMailbox::SelectedMailbox(std::unique_ptr<storage::Mailbox> box, bool read_only,
                                 std::vector<storage::MessageInfo> view)
    : box_(std::move(box)), read_only_(read_only), view_(std::move(view)) {
  modseq_ = box_->info().highest_modseq;
}

std::uint32_t SelectedMailbox::recent() const {
  return static_cast<std::uint32_t>(
      std::count_if(view_.begin(), view_.end(), [](const auto& m) { return m.recent; }));
}

std::vector<storage::Uid> SelectedMailbox::uids() const {
  std::vector<storage::Uid> out;
  out.reserve(view_.size());
  for (const auto& m : view_) out.push_back(m.uid);
  return out;
}

std::optional<std::size_t> SelectedMailbox::find(storage::Uid uid) const {
  auto it =
      std::lower_bound(view_.begin(), view_.end(), uid,
                       [](const storage::MessageInfo& m, storage::Uid u) { return m.uid < u; });
  if (it == view_.end() || it->uid != uid) return std::nullopt;
  return static_cast<std::size_t>(it - view_.begin());
}

bool SelectedMailbox::expunge_pending(storage::Uid uid) const {
  return std::binary_search(pending_expunge_.begin(), pending_expunge_.end(), uid);
}

void SelectedMailbox::update(const storage::MessageInfo& info) {
  if (auto i = find(info.uid)) {
    bool recent = view_[*i].recent;
    view_[*i] = info;
    view_[*i].recent = recent;
  }
}

void SelectedMailbox::remove(const std::vector<storage::Uid>& uids, std::string& out, bool silent) {
  std::vector<std::size_t> idx;
  for (storage::Uid u : uids)
    if (auto i = find(u)) idx.push_back(*i);
  std::sort(idx.begin(), idx.end());
  // Descending: removing a message never renumbers the ones still to be reported.
  for (auto it = idx.rbegin(); it != idx.rend(); ++it) {
    if (!silent) out += "* " + std::to_string(*it + 1) + " EXPUNGE\r\n";
    view_.erase(view_.begin() + static_cast<std::ptrdiff_t>(*it));
  }
  std::erase_if(pending_expunge_, [&](storage::Uid u) {
    return std::binary_search(uids.begin(), uids.end(), u) || !find(u);
  });
}

Status SelectedMailbox::sync(std::string& out, bool allow_expunge, bool with_uid) {
  auto changes = box_->changes_since(modseq_);
  if (!changes) return changes.error();
  modseq_ = std::max(modseq_, changes->info.highest_modseq);
  for (storage::Uid u : changes->expunged)
    if (find(u) && !expunge_pending(u)) pending_expunge_.push_back(u);
  std::sort(pending_expunge_.begin(), pending_expunge_.end());

  if (allow_expunge && !pending_expunge_.empty()) {
    std::vector<storage::Uid> gone = pending_expunge_;
    remove(gone, out, false);
    pending_expunge_.clear();
  }

  storage::Uid last = view_.empty() ? 0 : view_.back().uid;
  bool grew = false;
  std::vector<std::size_t> flag_changes;
  for (const auto& m : changes->changed) {
    if (m.uid > last) {
      view_.push_back(m);
      last = m.uid;
      grew = true;
      continue;
    }
    auto i = find(m.uid);
    if (!i) continue;
    storage::MessageInfo& mine = view_[*i];
    bool recent = mine.recent || m.recent;
    if (!(mine.flags == m.flags) || recent != mine.recent) flag_changes.push_back(*i);
    mine = m;
    mine.recent = recent;
  }
  if (grew) {
    out += "* " + std::to_string(view_.size()) + " EXISTS\r\n";
    out += "* " + std::to_string(recent()) + " RECENT\r\n";
  }
  for (std::size_t i : flag_changes) {
    out += "* " + std::to_string(i + 1) + " FETCH (";
    if (with_uid) out += "UID " + std::to_string(view_[i].uid) + " ";
    out += "FLAGS " + format_flags(view_[i].flags, view_[i].recent) + ")\r\n";
  }
  return ok_status();
}

}  // namespace satchel::imap
