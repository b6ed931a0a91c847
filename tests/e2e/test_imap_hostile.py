"""Hostile input over a raw socket: the classes of bugs behind past IMAP server CVEs."""

import unittest

import satchel_harness as h


class Hostile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = h.Instance(users=("alice",), workers=1, tls=False)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def client(self, login=True):
        c = h.RawClient(self.srv.ports["imap"])
        self.addCleanup(c.close)
        self.assertTrue(c.readline().startswith("* OK"))
        if login:
            c.send("l LOGIN alice %s\r\n" % h.PASSWORD)
            self.assertTrue(c.read_until_tagged("l")[-1].startswith("l OK"))
        return c

    def tagged(self, c, tag):
        return c.read_until_tagged(tag)[-1]

    def test_sequence_number_overflow_is_bad(self):
        c = self.client()
        c.send("s SELECT INBOX\r\n")
        self.tagged(c, "s")
        c.send("f FETCH 4294967296 FLAGS\r\n")
        self.assertTrue(self.tagged(c, "f").startswith("f BAD"))
        c.send("u UID FETCH 1:99999999999999999999 FLAGS\r\n")
        self.assertTrue(self.tagged(c, "u").startswith("u BAD"))
        c.send("n NOOP\r\n")
        self.assertTrue(self.tagged(c, "n").startswith("n OK"))

    def test_literal_larger_than_limit_gets_toobig_before_continuation(self):
        c = self.client()
        c.send("a APPEND INBOX {999999999999}\r\n")
        line = self.tagged(c, "a")
        self.assertTrue(line.startswith("a NO") or line.startswith("a BAD"), line)
        self.assertIn("TOOBIG", line)
        c.send("n NOOP\r\n")
        self.assertTrue(self.tagged(c, "n").startswith("n OK"))

    def test_rejected_nonsync_literal_keeps_framing(self):
        c = self.client()
        # An unknown command carrying a {n+} literal: the n octets must be skipped, not run.
        c.send("x FROBNICATE {18+}\r\nq LOGOUT\r\nextra!\r\n\r\nn NOOP\r\n")
        self.assertTrue(self.tagged(c, "x").startswith("x BAD"))
        self.assertTrue(self.tagged(c, "n").startswith("n OK"))

    def test_nul_in_command_is_bad(self):
        c = self.client()
        c.send(b"z SELECT IN\x00BOX\r\n")
        self.assertTrue(self.tagged(c, "z").startswith("z BAD"))
        c.send("n NOOP\r\n")
        self.assertTrue(self.tagged(c, "n").startswith("n OK"))

    def test_overlong_line_is_refused_and_stream_resyncs(self):
        c = self.client()
        c.send("t SEARCH " + "X" * 200000 + "\r\n")
        line = self.tagged(c, "t")
        self.assertTrue(line.startswith("t BAD") or line.startswith("* BAD"), line[:200])
        c.send("n NOOP\r\n")
        self.assertTrue(self.tagged(c, "n").startswith("n OK"))

    def test_deep_nesting_is_bad(self):
        c = self.client()
        c.send("s SELECT INBOX\r\n")
        self.tagged(c, "s")
        c.send("d SEARCH " + "(" * 500 + "ALL" + ")" * 500 + "\r\n")
        self.assertTrue(self.tagged(c, "d").startswith("d BAD"))

    def test_path_traversal_names_are_refused(self):
        c = self.client()
        for i, name in enumerate(["../escape", "a/../../b", "/abs", "~other", "a//b", "."]):
            c.send('c%d CREATE "%s"\r\n' % (i, name))
            line = self.tagged(c, "c%d" % i)
            self.assertTrue(line.startswith("c%d NO" % i) or line.startswith("c%d BAD" % i),
                            (name, line))

    def test_prelogin_literal_is_small(self):
        c = self.client(login=False)
        c.send("a LOGIN {100000}\r\n")
        line = c.readline()
        self.assertFalse(line.startswith("+"), line)

    def test_aborted_append_leaves_no_file(self):
        c = self.client()
        c.send("a APPEND INBOX {1000}\r\n")
        self.assertTrue(c.readline().startswith("+"))
        c.send("partial message body")
        c.close()
        import os
        import time
        time.sleep(1)
        tmp = os.listdir(self.srv.maildir("alice", "tmp"))
        self.assertEqual(tmp, [])

    def test_command_before_login_is_refused(self):
        c = self.client(login=False)
        c.send("s SELECT INBOX\r\n")
        line = self.tagged(c, "s")
        self.assertTrue(line.startswith("s BAD") or line.startswith("s NO"), line)

    def test_fetch_without_select_is_bad(self):
        c = self.client()
        c.send("f FETCH 1 FLAGS\r\n")
        self.assertTrue(self.tagged(c, "f").startswith("f BAD"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
