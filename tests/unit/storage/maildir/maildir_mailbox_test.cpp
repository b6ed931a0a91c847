#include "storage/maildir/maildir_mailbox.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>

#include "../storage_test_util.h"

using namespace satchel;
using namespace satchel::storage;
using namespace satchel::storage::test;

namespace {

std::unique_ptr<Mailbox> open_mb(MailStore& store, std::string_view name, bool ro = false) {
  auto mb = store.open(name, ro);
  REQUIRE(mb.ok());
  return std::move(mb.value());
}

std::vector<MessageInfo> snap(Mailbox& mb) {
  auto s = mb.snapshot();
  REQUIRE(s.ok());
  return s.value();
}

}  // namespace

TEST_CASE("append then read back gives the CRLF form and its size") {
  TempDir tmp;
  auto store = open_store(tmp);
  std::string crlf = "Subject: hi\r\n\r\nbody\r\n";
  std::string lf = "Subject: lf\n\nline one\nline two\n";
  auto a = append(*store, "INBOX", crlf, kSeen);
  auto b = append(*store, "INBOX", lf);
  CHECK(a.uid == 1);
  CHECK(b.uid == 2);
  CHECK(a.uidvalidity == b.uidvalidity);
  auto mb = open_mb(*store, "INBOX");
  auto msgs = snap(*mb);
  REQUIRE(msgs.size() == 2);
  CHECK(msgs[0].size == crlf.size());
  CHECK(msgs[1].size == lf.size() + 4);  // four bare LFs become CRLF
  CHECK(mb->read_message(1).value() == crlf);
  CHECK(mb->read_message(2).value() == "Subject: lf\r\n\r\nline one\r\nline two\r\n");
  CHECK(msgs[0].internal_date == 1700000000);
  CHECK(msgs[0].internal_tz == 60);
  // The file keeps what the client sent, byte for byte.
  auto cur = files_in(tmp.maildir() + "/cur");
  REQUIRE(cur.size() == 2);
  CHECK(cur[0].ends_with(":2,S") != cur[1].ends_with(":2,S"));
  CHECK(files_in(tmp.maildir() + "/tmp").empty());
}

TEST_CASE("the internal date is the file's mtime") {
  TempDir tmp;
  auto store = open_store(tmp);
  append(*store, "INBOX", "x\r\n", 0, 1234567890);
  auto cur = files_in(tmp.maildir() + "/cur");
  REQUIRE(cur.size() == 1);
  struct stat st {};
  REQUIRE(::stat((tmp.maildir() + "/cur/" + cur[0]).c_str(), &st) == 0);
  CHECK(st.st_mtime == 1234567890);
}

TEST_CASE("an aborted append leaves nothing in tmp/ and takes no UID") {
  TempDir tmp;
  auto store = open_store(tmp);
  {
    auto sink = store->begin_append("INBOX");
    REQUIRE(sink.ok());
    REQUIRE((*sink)->write("half a mess").ok());
    CHECK(files_in(tmp.maildir() + "/tmp").size() == 1);
  }
  CHECK(files_in(tmp.maildir() + "/tmp").empty());
  CHECK(append(*store, "INBOX", "whole\r\n").uid == 1);
}

TEST_CASE("append to a missing mailbox asks to TRYCREATE") {
  TempDir tmp;
  auto store = open_store(tmp);
  auto sink = store->begin_append("Nope");
  REQUIRE_FALSE(sink.ok());
  CHECK(sink.error().code == "TRYCREATE");
}

TEST_CASE("flags live in file names and survive reopening; keywords in the index") {
  TempDir tmp;
  Uid uid = 0;
  std::uint32_t uidvalidity = 0;
  {
    auto store = open_store(tmp);
    auto r = append(*store, "INBOX", "a\r\n");
    uid = r.uid;
    uidvalidity = r.uidvalidity;
    auto mb = open_mb(*store, "INBOX");
    snap(*mb);
    Uid uids[] = {uid};
    auto st = mb->store_flags(uids, FlagOp::Add, Flags{kSeen | kFlagged, {"$Label1"}}, 0);
    REQUIRE(st.ok());
    REQUIRE(st->updated.size() == 1);
    CHECK(st->updated[0].flags.system == (kSeen | kFlagged));
  }
  auto cur = files_in(tmp.maildir() + "/cur");
  REQUIRE(cur.size() == 1);
  CHECK(cur[0].ends_with(":2,FS"));
  auto store = open_store(tmp);
  auto mb = open_mb(*store, "INBOX");
  auto msgs = snap(*mb);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].uid == uid);
  CHECK(mb->info().uidvalidity == uidvalidity);
  CHECK(msgs[0].flags.system == (kSeen | kFlagged));
  CHECK(msgs[0].flags.keywords == std::vector<std::string>{"$Label1"});
}

TEST_CASE("STORE -FLAGS, FLAGS and UNCHANGEDSINCE") {
  TempDir tmp;
  auto store = open_store(tmp);
  append(*store, "INBOX", "1\r\n", kSeen | kDeleted);
  append(*store, "INBOX", "2\r\n");
  auto mb = open_mb(*store, "INBOX");
  auto before = snap(*mb);
  Uid both[] = {1, 2, 99};
  auto r = mb->store_flags(both, FlagOp::Remove, Flags{kDeleted, {}}, 0);
  REQUIRE(r.ok());
  REQUIRE(r->updated.size() == 2);  // 99 does not exist
  CHECK(r->updated[0].flags.system == kSeen);
  CHECK(r->updated[0].modseq > before[0].modseq);
  CHECK(r->updated[1].modseq == before[1].modseq);  // nothing to remove: modseq kept
  ModSeq m1 = r->updated[0].modseq;
  // Message 1 changed after `before[1].modseq`, so it fails the test; message 2 passes.
  auto c = mb->store_flags(both, FlagOp::Replace, Flags{kAnswered, {"x"}},
                           std::max(before[0].modseq, before[1].modseq));
  REQUIRE(c.ok());
  CHECK(c->modified == std::vector<Uid>{1});
  REQUIRE(c->updated.size() == 1);
  CHECK(c->updated[0].uid == 2);
  CHECK(c->updated[0].flags.system == kAnswered);
  CHECK(mb->snapshot().value()[0].modseq == m1);
}

TEST_CASE("a file dropped into new/ gets the next UID and is \\Recent in exactly one session") {
  TempDir tmp;
  auto store = open_store(tmp);
  append(*store, "INBOX", "old\r\n");
  auto a = open_mb(*store, "INBOX");
  auto b = open_mb(*store, "INBOX");
  auto ro = open_mb(*store, "INBOX", true);
  snap(*a);
  snap(*b);
  write_file(tmp.maildir() + "/new/1700000001.M1P1.mta", "From: mta\n\nhello\n");
  auto ca = a->changes_since(a->info().highest_modseq);
  auto cb = b->changes_since(b->info().highest_modseq);
  auto cr = ro->changes_since(0);
  REQUIRE(ca.ok());
  REQUIRE(cb.ok());
  REQUIRE(cr.ok());
  REQUIRE(ca->changed.size() == 1);
  REQUIRE(cb->changed.size() == 1);
  CHECK(ca->changed[0].uid == 2);
  CHECK(cb->changed[0].uid == 2);
  CHECK(ca->changed[0].size == 20);
  CHECK(ca->changed[0].recent + cb->changed[0].recent == 1);
  for (const auto& m : cr->changed) CHECK_FALSE(m.recent);
  // A read-write session moved it to cur/ with an empty info.
  CHECK(files_in(tmp.maildir() + "/new").empty());
  CHECK(files_in(tmp.maildir() + "/cur").size() == 2);
  CHECK(a->read_message(2).value() == "From: mta\r\n\r\nhello\r\n");
}

TEST_CASE("flag letters changed by another tool update flags with a new modseq") {
  TempDir tmp;
  auto store = open_store(tmp);
  append(*store, "INBOX", "x\r\n");
  auto mb = open_mb(*store, "INBOX");
  auto msgs = snap(*mb);
  ModSeq since = mb->info().highest_modseq;
  auto cur = files_in(tmp.maildir() + "/cur");
  REQUIRE(cur.size() == 1);
  std::string dir = tmp.maildir() + "/cur/";
  std::string renamed =
      cur[0].substr(0, cur[0].find(':')) + ":2,RSa";  // "mutt" with a keyword letter
  std::filesystem::rename(dir + cur[0], dir + renamed);
  auto ch = mb->changes_since(since);
  REQUIRE(ch.ok());
  REQUIRE(ch->changed.size() == 1);
  CHECK(ch->changed[0].flags.system == (kAnswered | kSeen));
  CHECK(ch->changed[0].modseq > msgs[0].modseq);
  // Our own rename keeps the foreign letter 'a'.
  Uid one[] = {1};
  REQUIRE(mb->store_flags(one, FlagOp::Add, Flags{kFlagged, {}}, 0).ok());
  CHECK(files_in(dir)[0].ends_with(":2,FRSa"));
  CHECK(mb->read_message(1).value() == "x\r\n");
}

TEST_CASE("expunge removes files of \\Deleted messages and reports their UIDs") {
  TempDir tmp;
  auto store = open_store(tmp);
  append(*store, "INBOX", "1\r\n", kDeleted);
  append(*store, "INBOX", "2\r\n");
  append(*store, "INBOX", "3\r\n", kDeleted);
  auto mb = open_mb(*store, "INBOX");
  snap(*mb);
  ModSeq since = mb->info().highest_modseq;
  std::vector<Uid> only{3};
  auto partial = mb->expunge(&only);
  REQUIRE(partial.ok());
  CHECK(partial.value() == std::vector<Uid>{3});
  auto rest = mb->expunge(nullptr);
  REQUIRE(rest.ok());
  CHECK(rest.value() == std::vector<Uid>{1});
  CHECK(files_in(tmp.maildir() + "/cur").size() == 1);
  auto ch = mb->changes_since(since);
  REQUIRE(ch.ok());
  CHECK(ch->expunged == std::vector<Uid>{1, 3});
  CHECK(ch->changed.empty());
  auto read = mb->read_message(1);
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().code == "NONEXISTENT");
}

TEST_CASE("a file deleted by another tool is reported as expunged") {
  TempDir tmp;
  auto store = open_store(tmp);
  append(*store, "INBOX", "1\r\n");
  append(*store, "INBOX", "2\r\n");
  auto mb = open_mb(*store, "INBOX");
  snap(*mb);
  ModSeq since = mb->info().highest_modseq;
  auto cur = files_in(tmp.maildir() + "/cur");
  std::filesystem::remove(tmp.maildir() + "/cur/" + cur[0]);
  auto ch = mb->changes_since(since);
  REQUIRE(ch.ok());
  CHECK(ch->expunged.size() == 1);
  CHECK(snap(*mb).size() == 1);
}

TEST_CASE("copy keeps flags, keywords and dates and assigns new UIDs") {
  TempDir tmp;
  auto store = open_store(tmp);
  REQUIRE(store->create("Archive").ok());
  append(*store, "Archive", "pre\r\n");
  append(*store, "INBOX", "a\r\n", kSeen, 1500000000, {"$Work"});
  append(*store, "INBOX", "b\n", kFlagged, 1600000000);
  auto mb = open_mb(*store, "INBOX");
  snap(*mb);
  Uid uids[] = {2, 1};
  auto r = mb->copy_to(uids, "Archive");
  REQUIRE(r.ok());
  CHECK(r->source_uids == std::vector<Uid>{1, 2});
  CHECK(r->dest_uids == std::vector<Uid>{2, 3});
  auto dest = open_mb(*store, "Archive");
  CHECK(r->dest_uidvalidity == dest->info().uidvalidity);
  auto msgs = snap(*dest);
  REQUIRE(msgs.size() == 3);
  CHECK(msgs[1].flags.system == kSeen);
  CHECK(msgs[1].flags.keywords == std::vector<std::string>{"$Work"});
  CHECK(msgs[1].internal_date == 1500000000);
  CHECK(msgs[2].flags.system == kFlagged);
  CHECK(msgs[2].internal_date == 1600000000);
  CHECK(dest->read_message(3).value() == "b\r\n");
  auto missing = mb->copy_to(uids, "Nowhere");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == "TRYCREATE");
}

TEST_CASE("read-only mailboxes refuse changes and never claim \\Recent") {
  TempDir tmp;
  auto store = open_store(tmp);
  append(*store, "INBOX", "x\r\n");
  auto ro = open_mb(*store, "INBOX", true);
  CHECK(ro->info().read_only);
  CHECK_FALSE(snap(*ro)[0].recent);
  Uid one[] = {1};
  CHECK_FALSE(ro->store_flags(one, FlagOp::Add, Flags{kSeen, {}}, 0).ok());
  CHECK_FALSE(ro->expunge(nullptr).ok());
  auto rw = open_mb(*store, "INBOX");
  CHECK(snap(*rw)[0].recent);
  CHECK(store->status("INBOX").value().recent == 0);
}

TEST_CASE("the cache keeps values per message and forgets expunged ones") {
  TempDir tmp;
  auto store = open_store(tmp);
  append(*store, "INBOX", "x\r\n", kDeleted);
  auto mb = open_mb(*store, "INBOX");
  snap(*mb);
  CHECK_FALSE(mb->cache_get(1, "envelope").has_value());
  mb->cache_put(1, "envelope", std::string("(NIL \"a\0b\")", 11));
  CHECK(mb->cache_get(1, "envelope").value() == std::string("(NIL \"a\0b\")", 11));
  mb->cache_put(7, "envelope", "nobody");
  CHECK_FALSE(mb->cache_get(7, "envelope").has_value());
  REQUIRE(mb->expunge(nullptr).ok());
  CHECK_FALSE(mb->cache_get(1, "envelope").has_value());
}

TEST_CASE("a Mailbox whose mailbox was deleted and recreated elsewhere asks to reselect") {
  TempDir tmp;
  auto store = open_store(tmp);
  REQUIRE(store->create("Box").ok());
  append(*store, "Box", "x\r\n");
  auto mb = open_mb(*store, "Box");
  snap(*mb);
  auto other = open_store(tmp);
  REQUIRE(other->remove("Box").ok());
  REQUIRE(other->create("Box").ok());
  auto ch = mb->changes_since(0);
  REQUIRE_FALSE(ch.ok());
  CHECK(ch.error().code == "NONEXISTENT");
  auto fresh = open_mb(*store, "Box");
  CHECK(snap(*fresh).empty());
  CHECK(fresh->info().uidvalidity != mb->info().uidvalidity);
}

TEST_CASE("changes_since reports flag changes, new messages and expunges from another session") {
  TempDir tmp;
  auto store = open_store(tmp);
  append(*store, "INBOX", "1\r\n");
  append(*store, "INBOX", "2\r\n");
  auto watcher = open_mb(*store, "INBOX");
  snap(*watcher);
  ModSeq since = watcher->info().highest_modseq;
  auto other_store = open_store(tmp);
  auto actor = open_mb(*other_store, "INBOX");
  snap(*actor);
  Uid one[] = {1};
  Uid two[] = {2};
  REQUIRE(actor->store_flags(one, FlagOp::Add, Flags{kSeen, {}}, 0).ok());
  REQUIRE(actor->store_flags(two, FlagOp::Add, Flags{kDeleted, {}}, 0).ok());
  REQUIRE(actor->expunge(nullptr).ok());
  append(*other_store, "INBOX", "3\r\n");
  auto ch = watcher->changes_since(since);
  REQUIRE(ch.ok());
  REQUIRE(ch->changed.size() == 2);
  CHECK(ch->changed[0].uid == 1);
  CHECK(ch->changed[0].flags.system == kSeen);
  CHECK(ch->changed[1].uid == 3);
  CHECK(ch->expunged == std::vector<Uid>{2});
  CHECK(ch->info.uidnext == 4);
  CHECK(ch->info.highest_modseq > since);
  CHECK(watcher->info().highest_modseq == ch->info.highest_modseq);
  // Nothing new since then.
  auto none = watcher->changes_since(ch->info.highest_modseq);
  REQUIRE(none.ok());
  CHECK(none->changed.empty());
  CHECK(none->expunged.empty());
}

TEST_CASE("a read-only session leaves delivered files in new/") {
  TempDir tmp;
  auto store = open_store(tmp);
  write_file(tmp.maildir() + "/new/1700000001.M1P1.mta", "x\n");
  auto ro = open_mb(*store, "INBOX", true);
  auto msgs = snap(*ro);
  REQUIRE(msgs.size() == 1);
  CHECK(files_in(tmp.maildir() + "/new").size() == 1);
  CHECK(ro->read_message(msgs[0].uid).value() == "x\r\n");
  auto rw = open_mb(*store, "INBOX");
  REQUIRE(rw->read_message(msgs[0].uid).ok());
}
