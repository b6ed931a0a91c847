"""Several sessions, several worker processes, restarts and outside delivery."""

import os
import re
import shutil
import time
import unittest

import satchel_harness as h

MSG = (b"From: Carol <carol@example.com>\r\nTo: alice@example.com\r\n"
       b"Subject: %s\r\n\r\nbody\r\n")


def worker_of(srv, client):
    """The worker index that accepted `client`, from the server's connect log line.

    In the split process model that is the login worker; the session itself then runs in a
    mail worker, and the master hands consecutive logins to the mail workers in turn, so two
    sessions are in two processes either way."""
    port = client.sock.getsockname()[1]
    deadline = time.time() + 5
    while time.time() < deadline:
        for line in srv.log_lines:
            m = re.search(r"(?:satchel-login|satchel-worker) (\d+): connect: .* rport=%d$"
                          % port, line)
            if m:
                return int(m.group(1))
        time.sleep(0.05)
    raise AssertionError("no connect line for port %d" % port)


class Sessions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = h.Instance(users=("alice",), workers=2, tls=False)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def two_clients_in_different_workers(self):
        first = self.srv.imap("alice")
        w1 = worker_of(self.srv, first)
        for _ in range(40):
            second = self.srv.imap("alice")
            if worker_of(self.srv, second) != w1:
                return first, second
            second.logout()
        self.skipTest("the kernel gave every connection to one worker")

    def test_two_sessions_in_different_workers_see_each_other(self):
        a, b = self.two_clients_in_different_workers()
        a.create("Shared")
        a.select("Shared")
        b.select("Shared")
        b.append("Shared", None, None, MSG % b"one")
        typ, data = a.noop()
        self.assertEqual(a.untagged_responses.get("EXISTS", [b"0"])[-1], b"1")
        # \Recent went to b: the appending session saw the message first (RFC 3501 §2.3.2).
        # A flag change by b reaches a as an untagged FETCH.
        b.store("1", "+FLAGS", r"(\Flagged)")
        typ, data = a.noop()
        fetches = a.untagged_responses.get("FETCH", [])
        self.assertTrue(any(b"\\Flagged" in f for f in fetches), fetches)
        # An expunge by b reaches a as EXPUNGE.
        b.store("1", "+FLAGS", r"(\Deleted)")
        b.expunge()
        typ, data = a.noop()
        self.assertEqual(a.untagged_responses.get("EXPUNGE"), [b"1"])
        a.logout()
        b.logout()

    def test_outside_delivery_appears_on_noop(self):
        m = self.srv.imap("alice")
        m.create("Outside")
        typ, data = m.select("INBOX")
        before = int(data[0])
        self.srv.deliver("alice", MSG % b"delivered by an MTA")
        m.noop()
        exists = m.untagged_responses.get("EXISTS", [b"0"])[-1]
        self.assertEqual(int(exists), before + 1)
        typ, data = m.search(None, "RECENT")
        self.assertIn(str(before + 1).encode(), data[0].split())
        m.logout()

    def test_flags_are_in_maildir_file_names(self):
        m = self.srv.imap("alice")
        m.create("Flagged")
        m.append("Flagged", r"(\Seen \Answered)", None, MSG % b"flags")
        files = os.listdir(os.path.join(self.srv.maildir("alice"), ".Flagged", "cur"))
        self.assertEqual(len(files), 1)
        self.assertTrue(files[0].endswith(":2,RS"), files)
        m.logout()


class Persistence(unittest.TestCase):
    def test_uids_survive_restart_and_index_rebuild(self):
        with h.Instance(users=("alice",), workers=1, tls=False) as srv:
            m = srv.imap("alice")
            for i in range(3):
                m.append("INBOX", r"(\Seen)" if i == 1 else None, None, MSG % b"persist")
            typ, data = m.select("INBOX")
            uidvalidity = m.untagged_responses["UIDVALIDITY"][-1]
            typ, data = m.uid("SEARCH", None, "ALL")
            uids = data[0].split()
            m.logout()

            srv.restart()
            m = srv.imap("alice")
            m.select("INBOX")
            self.assertEqual(m.untagged_responses["UIDVALIDITY"][-1], uidvalidity)
            typ, data = m.uid("SEARCH", None, "ALL")
            self.assertEqual(data[0].split(), uids)
            typ, data = m.uid("SEARCH", None, "SEEN")
            self.assertEqual(data[0].split(), [uids[1]])
            m.logout()

            # Deleting the index loses no mail: it is rebuilt from the Maildir.
            srv.stop()
            for name in os.listdir(srv.maildir("alice")):
                if "index" in name:
                    os.remove(srv.maildir("alice", name))
            srv.start()
            m = srv.imap("alice")
            typ, data = m.select("INBOX")
            self.assertEqual(int(data[0]), 3)
            typ, data = m.search(None, "SEEN")
            self.assertEqual(len(data[0].split()), 1)
            m.logout()

    def test_sigterm_sends_bye(self):
        with h.Instance(users=("alice",), workers=1, tls=False) as srv:
            c = h.RawClient(srv.ports["imap"])
            c.readline()
            c.send("a LOGIN alice %s\r\n" % h.PASSWORD)
            c.read_until_tagged("a")
            srv.proc.send_signal(15)
            line = c.readline()
            self.assertTrue(line.startswith("* BYE"), line)
            self.assertEqual(srv.proc.wait(30), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
