"""IMAP and POP3 on the same mailbox: what one protocol does, the other sees (issue 5)."""

import os
import poplib
import re
import unittest

import satchel_harness as h
from pop3_support import RawPop, poplib_body


def msg(subject, extra=b""):
    return (b"From: t@example.com\r\nTo: alice@example.com\r\nSubject: " + subject.encode() +
            b"\r\n\r\nbody of " + subject.encode() + b"\r\n" + extra)


def imap_subjects(m):
    """{uid: subject} of the selected mailbox."""
    typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    out = {}
    for item in data:
        if isinstance(item, tuple):
            uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
            out[uid] = item[1].strip().decode().removeprefix("Subject: ")
    return out


class Pop3Interplay(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = h.Instance(users=("alice", "bob", "carol"), workers=2, tls=False)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def fill(self, user, subjects):
        m = self.srv.imap(user)
        for s in subjects:
            self.assertEqual(m.append("INBOX", None, None, msg(s))[0], "OK")
        return m

    def test_append_over_imap_retr_and_dele_over_pop3(self):
        m = self.fill("alice", ["one", "two", "three", "four"])
        typ, data = m.select("INBOX")
        self.assertEqual(data[0], b"4")
        uids = sorted(imap_subjects(m))

        p = self.srv.pop3("alice")
        self.assertEqual(p.stat()[0], 4)
        for i, s in enumerate(["one", "two", "three", "four"], 1):
            self.assertEqual(poplib_body(p.retr(i)[1]), msg(s))
        p.dele(1)
        p.dele(3)
        # The IMAP session, selected all along, sees nothing before the POP3 QUIT (UPDATE).
        m.noop()
        self.assertNotIn("EXPUNGE", m.untagged_responses)
        self.assertIn(b"2 messages deleted", p.quit())

        # RFC 3501 §7.4.1: the selected IMAP session learns of the removals at its next NOOP,
        # highest sequence number first or not, one EXPUNGE per message.
        typ, data = m.noop()
        expunged = sorted(int(x) for x in m.untagged_responses.pop("EXPUNGE", []))
        self.assertEqual(len(expunged), 2, expunged)
        self.assertEqual(imap_subjects(m), {uids[1]: "two", uids[3]: "four"})
        m.logout()

        m = self.srv.imap("alice")
        typ, data = m.select("INBOX")
        self.assertEqual(data[0], b"2")  # EXISTS went down.
        m.logout()

    def test_imap_expunge_during_a_pop3_session(self):
        m = self.fill("bob", ["keep", "gone", "also-gone"])
        m.select("INBOX")
        uids = sorted(imap_subjects(m))
        p = self.srv.pop3("bob")
        self.assertEqual(p.stat()[0], 3)
        before = p.uidl()[1]

        m.uid("STORE", "%d,%d" % (uids[1], uids[2]), "+FLAGS", r"(\Deleted)")
        m.expunge()

        # RFC 1939 §5: the maildrop as listed at login stays numbered and listed for the
        # session. The content of an expunged message is gone from the store, so RETR of it
        # fails with -ERR (RFC 1939 assumes exclusive access and defines no "vanished" case;
        # Dovecot also answers -ERR here). The session goes on.
        self.assertEqual(p.stat()[0], 3)
        self.assertEqual(p.uidl()[1], before)
        with self.assertRaises(poplib.error_proto) as cm:
            p.retr(2)
        self.assertTrue(cm.exception.args[0].startswith(b"-ERR"), cm.exception.args)
        with self.assertRaises(poplib.error_proto):
            p.top(3, 0)
        self.assertEqual(poplib_body(p.retr(1)[1]), msg("keep"))
        # DELE of a message expunged meanwhile, and QUIT: still +OK, nothing else removed.
        p.dele(3)
        reply = p.quit()
        self.assertTrue(reply.startswith(b"+OK"), reply)
        m.noop()
        self.assertEqual(imap_subjects(m), {uids[0]: "keep"})
        m.logout()

    def test_imap_deleted_flag_is_not_pop3s_business(self):
        # A message IMAP flagged \Deleted is still listed by POP3 (it knows no IMAP flags), and a
        # POP3 QUIT removes only what POP3 deleted: IMAP's \Deleted message stays until an IMAP
        # EXPUNGE.
        m = self.fill("carol", ["a", "b", "c"])
        m.select("INBOX")
        uids = sorted(imap_subjects(m))
        m.uid("STORE", str(uids[0]), "+FLAGS", r"(\Deleted)")
        # New mail delivered during the POP3 session waits for the next session.
        raw = RawPop(self.srv.ports["pop3"])
        raw.login("carol")
        self.assertTrue(raw.cmd("STAT").startswith("+OK 3 "))
        self.srv.deliver("carol", msg("late"))
        m.noop()
        self.assertTrue(raw.cmd("STAT").startswith("+OK 3 "))
        self.assertTrue(raw.cmd("DELE 2").startswith("+OK"))
        self.assertEqual(raw.cmd("QUIT"), "+OK Bye, 1 messages deleted.")
        m.noop()
        subjects = imap_subjects(m)
        self.assertEqual(sorted(subjects.values()), ["a", "c", "late"])
        typ, data = m.uid("FETCH", str(uids[0]), "(FLAGS)")
        self.assertIn(rb"\Deleted", data[0])
        m.expunge()
        m.logout()
        p = self.srv.pop3("carol")
        self.assertEqual([poplib_body(p.retr(i)[1]) for i in (1, 2)], [msg("c"), msg("late")])
        p.quit()

    def test_user_without_a_maildir_yet_gets_an_empty_maildrop(self):
        # A user added after start whose Maildir no MTA has created yet (RFC 1939 has no
        # error for "no mail yet"): an empty maildrop, like an empty INBOX over IMAP.
        self.srv.admin("user", "add", "newbie", stdin=h.PASSWORD + "\n")
        self.srv.fix_owner()
        self.assertFalse(os.path.exists(self.srv.maildir("newbie")))
        p = self.srv.pop3("newbie")
        self.assertEqual(p.stat(), (0, 0))
        self.assertEqual(p.list()[1], [])
        self.assertEqual(p.uidl()[1], [])
        self.assertTrue(p.quit().startswith(b"+OK"))

    def test_without_tls_no_stls(self):
        # This instance has no certificates: STLS is neither offered nor accepted, and USER
        # still works from loopback.
        raw = RawPop(self.srv.ports["pop3"])
        status, capa = raw.multi("CAPA")
        self.assertTrue(status.startswith("+OK"))
        self.assertNotIn(b"STLS", capa.split(b"\r\n"))
        self.assertIn(b"USER", capa.split(b"\r\n"))
        self.assertTrue(raw.cmd("STLS").startswith("-ERR"))
        self.assertTrue(raw.cmd("QUIT").startswith("+OK"))
        raw.close()


class Pop3ConfiguredMailbox(unittest.TestCase):
    """[storage] pop3_mailbox: POP3 serves that mailbox instead of INBOX (issue 5)."""

    def test_pop3_serves_the_configured_mailbox(self):
        with h.Instance(users=("alice",), workers=1, tls=False,
                        extra_config="[storage]\npop3_mailbox = Pop") as srv:
            m = srv.imap("alice")
            self.assertEqual(m.append("INBOX", None, None, msg("in inbox"))[0], "OK")
            # Not there yet: the login succeeds or fails, but never serves INBOX instead.
            try:
                p = srv.pop3("alice")
                self.assertEqual(p.stat(), (0, 0))
                p.quit()
            except poplib.error_proto as e:
                self.assertTrue(e.args[0].startswith(b"-ERR [SYS/"), e.args)
            self.assertEqual(m.create("Pop")[0], "OK")
            self.assertEqual(m.append("Pop", None, None, msg("for pop"))[0], "OK")
            p = srv.pop3("alice")
            self.assertEqual(p.stat()[0], 1)
            self.assertEqual(poplib_body(p.retr(1)[1]), msg("for pop"))
            p.dele(1)
            p.quit()
            self.assertEqual(m.select("Pop")[1][0], b"0")
            self.assertEqual(m.select("INBOX")[1][0], b"1")
            m.logout()


if __name__ == "__main__":
    unittest.main()
