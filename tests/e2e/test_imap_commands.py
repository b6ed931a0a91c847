"""Every RFC 3501 command through Python's imaplib against a real satcheld."""

import imaplib
import re
import sys
import unittest

import satchel_harness as h

SIMPLE = (b"From: Alice <alice@example.com>\r\nTo: Bob <bob@example.com>\r\n"
          b"Subject: hello there\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\n"
          b"Message-ID: <m1@example.com>\r\n\r\nBody line one\r\nBody line two\r\n")


class ImapCommands(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = h.Instance(users=("alice", "bob"), tls=True)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def login(self, user="alice"):
        m = self.srv.imap(user)
        self.addCleanup(lambda: m.logout() if m.state != "LOGOUT" else None)
        return m

    def test_greeting_and_capability(self):
        m = self.srv.imap()
        self.assertIn(b"Satchel", m.welcome)
        typ, caps = m.capability()
        self.assertEqual(typ, "OK")
        words = caps[0].split()
        self.assertIn(b"IMAP4rev1", words)
        self.assertIn(b"STARTTLS", words)
        m.logout()

    def test_login_failure_is_authenticationfailed(self):
        m = self.srv.imap()
        with self.assertRaises(imaplib.IMAP4.error) as ctx:
            m.login("alice", "wrong")
        self.assertIn("AUTHENTICATIONFAILED", str(ctx.exception))
        m.logout()
        self.assertTrue(self.srv.log_contains(r"auth failed: user=alice rip=127\.0\.0\.1"))

    def test_append_fetch_byte_identical(self):
        m = self.login()
        typ, data = m.append("INBOX", r"(\Flagged)", None, SIMPLE)
        self.assertEqual(typ, "OK")
        typ, data = m.select("INBOX")
        self.assertEqual(typ, "OK")
        count = int(data[0])
        typ, data = m.fetch(str(count), "(BODY.PEEK[] RFC822.SIZE FLAGS)")
        self.assertEqual(typ, "OK")
        self.assertEqual(data[0][1], SIMPLE)
        rest = data[0][0] + data[1]
        self.assertIn(b"RFC822.SIZE %d" % len(SIMPLE), rest)
        self.assertIn(b"\\Flagged", rest)

    def test_bare_lf_message_is_served_with_crlf(self):
        bare = SIMPLE.replace(b"hello there", b"bare lf").replace(b"\r\n", b"\n")
        self.srv.deliver("alice", bare)
        m = self.login()
        m.select("INBOX")
        typ, data = m.search(None, "SUBJECT", '"bare lf"')
        num = data[0].split()[-1]
        typ, data = m.fetch(num, "(RFC822.SIZE BODY.PEEK[])")
        crlf = bare.replace(b"\n", b"\r\n")
        self.assertEqual(data[0][1], crlf)
        self.assertIn(b"RFC822.SIZE %d" % len(crlf), data[0][0] + data[1])

    def test_select_examine_responses(self):
        m = self.login()
        m.append("INBOX", None, None, SIMPLE)
        typ, data = m.select("INBOX")
        self.assertEqual(typ, "OK")
        self.assertTrue(m.untagged_responses.get("UIDVALIDITY"))
        self.assertTrue(m.untagged_responses.get("UIDNEXT"))
        self.assertTrue(m.untagged_responses.get("FLAGS"))
        typ, data = m.select("INBOX", readonly=True)
        self.assertEqual(typ, "OK")
        typ, data = m.store("1", "+FLAGS", r"\Seen")
        self.assertEqual(typ, "NO")

    def test_select_nonexistent(self):
        m = self.login()
        typ, data = m.select("No/Such/Box")
        self.assertEqual(typ, "NO")
        self.assertIn(b"NONEXISTENT", data[0])

    def test_create_list_rename_delete(self):
        m = self.login()
        self.assertEqual(m.create("Projects/Alpha")[0], "OK")
        self.assertEqual(m.create("Projects/Beta")[0], "OK")
        typ, data = m.list('""', "Projects/*")
        names = sorted(re.search(rb'"/" (.*)$', d).group(1).strip(b'"') for d in data)
        self.assertEqual(names, [b"Projects/Alpha", b"Projects/Beta"])
        typ, data = m.list('""', "%")
        joined = b"\n".join(data)
        self.assertIn(b"INBOX", joined)
        self.assertIn(b"Projects", joined)
        self.assertEqual(m.rename("Projects", "Work")[0], "OK")
        typ, data = m.list('""', "Work/*")
        self.assertEqual(len(data), 2)
        self.assertEqual(m.delete("Work/Alpha")[0], "OK")
        typ, data = m.create("Work/Beta")
        self.assertEqual(typ, "NO")
        self.assertIn(b"ALREADYEXISTS", data[0])
        typ, data = m.delete("INBOX")
        self.assertEqual(typ, "NO")

    def test_non_ascii_mailbox_name_round_trip(self):
        m = self.login()
        name = "&ZeVnLIqe-"  # Modified UTF-7 for a Japanese name (RFC 3501 §5.1.3).
        self.assertEqual(m.create(name)[0], "OK")
        typ, data = m.list('""', name)
        self.assertIn(name.encode(), data[0])
        typ, data = m.create("bad&name")
        self.assertEqual(typ, "NO")

    def test_subscribe_lsub(self):
        m = self.login()
        m.create("Lists/News")
        self.assertEqual(m.subscribe("Lists/News")[0], "OK")
        typ, data = m.lsub('""', "*")
        self.assertTrue(any(b"Lists/News" in d for d in data))
        self.assertEqual(m.unsubscribe("Lists/News")[0], "OK")
        typ, data = m.lsub('""', "Lists/*")
        self.assertFalse(any(d and b"Lists/News" in d for d in data))

    def test_status(self):
        m = self.login("bob")
        m.create("StatusBox")
        m.append("StatusBox", None, None, SIMPLE)
        m.append("StatusBox", r"(\Seen)", None, SIMPLE)
        typ, data = m.status("StatusBox", "(MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT)")
        self.assertEqual(typ, "OK")
        self.assertIn(b"MESSAGES 2", data[0])
        self.assertIn(b"UNSEEN 1", data[0])
        self.assertIn(b"UIDNEXT 3", data[0])

    def test_store_search_copy_expunge(self):
        m = self.login("bob")
        m.create("Work")
        for i in range(5):
            m.append("Work", None, None, SIMPLE.replace(b"hello there", b"msg %d" % i))
        m.select("Work")
        typ, data = m.store("2:3", "+FLAGS", r"(\Deleted)")
        self.assertEqual(typ, "OK")
        typ, data = m.search(None, "DELETED")
        self.assertEqual(data[0].split(), [b"2", b"3"])
        typ, data = m.search(None, "SUBJECT", '"msg 4"')
        self.assertEqual(data[0].split(), [b"5"])
        typ, data = m.uid("SEARCH", None, "ALL")
        uids = data[0].split()
        self.assertEqual(len(uids), 5)
        m.create("Archive")
        typ, data = m.copy("1:2", "Archive")
        self.assertEqual(typ, "OK")
        typ, data = m.copy("1", "NoSuchBox")
        self.assertEqual(typ, "NO")
        self.assertIn(b"TRYCREATE", data[0])
        typ, data = m.expunge()
        self.assertEqual(typ, "OK")
        self.assertEqual(data, [b"3", b"2"])
        typ, data = m.search(None, "ALL")
        self.assertEqual(data[0].split(), [b"1", b"2", b"3"])
        typ, data = m.status("Archive", "(MESSAGES)")
        self.assertIn(b"MESSAGES 2", data[0])

    def test_uid_commands(self):
        m = self.login("bob")
        m.create("Uids")
        for i in range(3):
            m.append("Uids", None, None, SIMPLE)
        m.select("Uids")
        typ, data = m.uid("FETCH", "1:*", "(FLAGS)")
        self.assertEqual(len([d for d in data if d]), 3)
        self.assertTrue(all(b"UID" in d for d in data if d))
        typ, data = m.uid("STORE", "2", "+FLAGS", r"(\Seen)")
        self.assertEqual(typ, "OK")
        typ, data = m.uid("SEARCH", None, "SEEN")
        self.assertEqual(data[0].split(), [b"2"])
        m.create("Uids2")
        typ, data = m.uid("COPY", "1:3", "Uids2")
        self.assertEqual(typ, "OK")

    def test_check_close_noop(self):
        m = self.login("bob")
        m.create("Closing")
        m.append("Closing", r"(\Deleted)", None, SIMPLE)
        m.append("Closing", None, None, SIMPLE)
        m.select("Closing")
        self.assertEqual(m.check()[0], "OK")
        self.assertEqual(m.noop()[0], "OK")
        self.assertEqual(m.close()[0], "OK")
        typ, data = m.status("Closing", "(MESSAGES)")
        self.assertIn(b"MESSAGES 1", data[0])

    def test_fetch_envelope_and_bodystructure(self):
        m = self.login()
        m.create("Structure")
        m.append("Structure", None, None, SIMPLE)
        m.select("Structure")
        typ, data = m.fetch("1", "(ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertEqual(typ, "OK")
        head = data[0][0]
        self.assertIn(b'"hello there"', head)
        self.assertIn(b'"alice" "example.com"', head)
        self.assertIn(b'("text" "plain"', head.lower().replace(b'"TEXT" "PLAIN"', b'"text" "plain"'))
        self.assertEqual(data[0][1], b"Subject: hello there\r\n\r\n")

    def test_fetch_sets_seen_unless_peek(self):
        m = self.login()
        m.create("Seen")
        m.append("Seen", None, None, SIMPLE)
        m.select("Seen")
        m.fetch("1", "(BODY.PEEK[TEXT])")
        typ, data = m.fetch("1", "(FLAGS)")
        self.assertNotIn(b"\\Seen", data[0])
        m.fetch("1", "(BODY[TEXT])")
        typ, data = m.fetch("1", "(FLAGS)")
        self.assertIn(b"\\Seen", data[0])

    def test_authenticate_plain(self):
        m = self.srv.imap()
        typ, data = m.authenticate("PLAIN", lambda _: b"\0alice\0" + h.PASSWORD.encode())
        self.assertEqual(typ, "OK")
        m.logout()

    def test_logout(self):
        m = self.login()
        typ, data = m.logout()
        self.assertEqual(typ, "BYE")


if __name__ == "__main__":
    unittest.main(verbosity=2)
