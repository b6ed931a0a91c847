#include <doctest/doctest.h>

#include "tests/unit/protocol/imap/imap_driver.h"

using namespace satchel;
using namespace satchel::testing;

namespace {

struct SearchFixture {
  ImapWorld w;
  ImapDriver d{w};
  SearchFixture() {
    MemoryStore s = w.store();
    s.deliver("INBOX",
              "From: Alice <alice@example.com>\r\nTo: bob@example.com\r\nCc: carol@example.com\r\n"
              "Subject: Quarterly report\r\nDate: Mon, 4 Mar 2024 10:00:00 +0000\r\n\r\n"
              "The numbers are attached.\r\n",
              storage::kSeen | storage::kFlagged);
    s.deliver(
        "INBOX",
        "From: Bob <bob@example.com>\r\nTo: alice@example.com\r\nSubject: =?UTF-8?Q?caf=C3=A9?=\r\n"
        "Date: Tue, 5 Mar 2024 23:30:00 -0500\r\nX-Tag: special\r\n\r\nLunch tomorrow?\r\n",
        storage::kAnswered);
    s.deliver("INBOX", "Subject: third\r\n\r\n" + std::string(500, 'z') + "\r\n",
              storage::kDeleted);
    auto& box = s.data().mailboxes["INBOX"];
    box.messages[1].info.internal_date = 1709546400;  // 2024-03-04 10:00 UTC
    box.messages[2].info.internal_date = 1709700000;  // 2024-03-06 04:40 UTC
    box.messages[3].info.internal_date = 1709900000;  // 2024-03-08
    box.messages[2].info.flags.keywords = {"$Work"};
    d.login();
    d.select();
    d.send("s STORE 1 -FLAGS.SILENT (\\Recent)\r\n");
  }
  std::string search(const std::string& q) {
    std::string out = d.send("s " + q + "\r\n");
    auto start = out.find("* SEARCH");
    if (start == std::string::npos) return out;
    return out.substr(start, out.find("\r\n", start) - start);
  }
};

}  // namespace

TEST_CASE("SEARCH flag, size, sequence and UID keys") {
  SearchFixture f;
  CHECK(f.search("SEARCH ALL") == "* SEARCH 1 2 3");
  CHECK(f.search("SEARCH SEEN") == "* SEARCH 1");
  CHECK(f.search("SEARCH UNSEEN") == "* SEARCH 2 3");
  CHECK(f.search("SEARCH FLAGGED") == "* SEARCH 1");
  CHECK(f.search("SEARCH UNFLAGGED") == "* SEARCH 2 3");
  CHECK(f.search("SEARCH ANSWERED") == "* SEARCH 2");
  CHECK(f.search("SEARCH UNANSWERED") == "* SEARCH 1 3");
  CHECK(f.search("SEARCH DELETED") == "* SEARCH 3");
  CHECK(f.search("SEARCH UNDELETED") == "* SEARCH 1 2");
  CHECK(f.search("SEARCH DRAFT") == "* SEARCH");
  CHECK(f.search("SEARCH UNDRAFT") == "* SEARCH 1 2 3");
  CHECK(f.search("SEARCH KEYWORD $work") == "* SEARCH 2");
  CHECK(f.search("SEARCH UNKEYWORD $Work") == "* SEARCH 1 3");
  CHECK(f.search("SEARCH RECENT") == "* SEARCH 1 2 3");
  CHECK(f.search("SEARCH NEW") == "* SEARCH 2 3");
  CHECK(f.search("SEARCH OLD") == "* SEARCH");
  CHECK(f.search("SEARCH LARGER 400") == "* SEARCH 3");
  CHECK(f.search("SEARCH SMALLER 400") == "* SEARCH 1 2");
  CHECK(f.search("SEARCH 2:*") == "* SEARCH 2 3");
  CHECK(f.search("SEARCH UID 1,3") == "* SEARCH 1 3");
  CHECK(f.search("UID SEARCH UID 2:*") == "* SEARCH 2 3");
  CHECK(f.search("SEARCH NOT 1") == "* SEARCH 2 3");
  CHECK(f.search("SEARCH OR SEEN ANSWERED") == "* SEARCH 1 2");
  CHECK(f.search("SEARCH (SEEN FLAGGED) UNDELETED") == "* SEARCH 1");
  CHECK(f.search("SEARCH NOT (OR 1 2)") == "* SEARCH 3");
}

TEST_CASE("SEARCH date keys: internal date vs Date: header") {
  SearchFixture f;
  CHECK(f.search("SEARCH ON 4-Mar-2024") == "* SEARCH 1");
  CHECK(f.search("SEARCH BEFORE 6-Mar-2024") == "* SEARCH 1");
  CHECK(f.search("SEARCH SINCE \"6-Mar-2024\"") == "* SEARCH 2 3");
  CHECK(f.search("SEARCH SENTON 5-Mar-2024") == "* SEARCH 2");
  CHECK(f.search("SEARCH SENTBEFORE 5-Mar-2024") == "* SEARCH 1");
  CHECK(f.search("SEARCH SENTSINCE 5-Mar-2024") == "* SEARCH 2");
  CHECK(f.search("SEARCH ON 31-Feb-2024").rfind("s BAD", 0) == 0);
}

TEST_CASE("SEARCH text keys and charsets") {
  SearchFixture f;
  CHECK(f.search("SEARCH FROM alice") == "* SEARCH 1");
  CHECK(f.search("SEARCH TO alice") == "* SEARCH 2");
  CHECK(f.search("SEARCH CC carol") == "* SEARCH 1");
  CHECK(f.search("SEARCH BCC carol") == "* SEARCH");
  CHECK(f.search("SEARCH SUBJECT REPORT") == "* SEARCH 1");
  CHECK(f.search("SEARCH HEADER X-Tag spec") == "* SEARCH 2");
  CHECK(f.search("SEARCH HEADER X-Tag \"\"") == "* SEARCH 2");
  CHECK(f.search("SEARCH BODY lunch") == "* SEARCH 2");
  CHECK(f.search("SEARCH TEXT quarterly") == "* SEARCH 1");
  CHECK(f.search("SEARCH TEXT nowhere") == "* SEARCH");
  CHECK(f.search("SEARCH CHARSET UTF-8 SUBJECT \"caf\xc3\xa9\"") == "* SEARCH 2");
  CHECK(f.search("SEARCH CHARSET UTF-8 SUBJECT {5}\r\ncaf\xc3\xa9") == "* SEARCH 2");
  CHECK(f.search("SEARCH CHARSET ISO-8859-1 SUBJECT \"caf\xe9\"") == "* SEARCH 2");
  CHECK(f.search("SEARCH CHARSET X-NOPE SUBJECT x") ==
        "s NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset or invalid search text\r\n");
  CHECK(f.search("SEARCH BOGUS").rfind("s BAD", 0) == 0);
  CHECK(f.search("SEARCH").rfind("s BAD", 0) == 0);
  CHECK(f.search("SEARCH LARGER 4294967296").rfind("s BAD", 0) == 0);
}
