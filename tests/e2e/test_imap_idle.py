"""IDLE (RFC 2177): changes made by other sessions, workers and outside writers are pushed."""

import socket
import time
import unittest

import satchel_harness as h

MSG = b"From: x@example.com\r\nSubject: idle %d\r\n\r\nbody\r\n"


class Idle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = h.Instance(users=("alice",), workers=2, tls=False)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def idle_client(self, mailbox):
        c = h.RawClient(self.srv.ports["imap"])
        self.addCleanup(c.close)
        c.readline()
        c.send("l LOGIN alice %s\r\n" % h.PASSWORD)
        c.read_until_tagged("l")
        c.send("s SELECT %s\r\n" % mailbox)
        c.read_until_tagged("s")
        c.send("i IDLE\r\n")
        self.assertTrue(c.readline().startswith("+"))
        return c

    def wait_for(self, c, predicate, timeout=8):
        """Reads untagged lines until one satisfies `predicate` (or the time is up)."""
        c.sock.settimeout(0.5)
        deadline = time.time() + timeout
        seen = []
        while time.time() < deadline:
            try:
                line = c.readline()
            except socket.timeout:
                continue
            seen.append(line)
            if predicate(line):
                return seen
        self.fail("no matching line within %ss; saw %r" % (timeout, seen))

    def test_append_expunge_and_flags_by_another_session_are_pushed(self):
        other = self.srv.imap("alice")
        other.create("IdleBox")
        c = self.idle_client("IdleBox")
        other.append("IdleBox", None, None, MSG % 1)
        self.wait_for(c, lambda l: l == "* 1 EXISTS")
        other.select("IdleBox")
        other.store("1", "+FLAGS", r"(\Flagged)")
        self.wait_for(c, lambda l: l.startswith("* 1 FETCH") and "\\Flagged" in l)
        other.store("1", "+FLAGS", r"(\Deleted)")
        other.expunge()
        self.wait_for(c, lambda l: l == "* 1 EXPUNGE")
        c.send("DONE\r\n")
        self.assertTrue(c.read_until_tagged("i")[-1].startswith("i OK"))
        other.logout()

    def test_outside_delivery_is_pushed(self):
        c = self.idle_client("INBOX")
        self.srv.deliver("alice", MSG % 2)
        self.wait_for(c, lambda l: l.endswith(" EXISTS"))
        c.send("DONE\r\n")
        self.assertTrue(c.read_until_tagged("i")[-1].startswith("i OK"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
