"""The move of a logged-in connection from a login worker to a mail worker (issue 6, DESIGN.md
Processes): what a client pipelines behind its login is not lost on the way, over plaintext
(the socket itself is passed, with the bytes already read) and over TLS (relayed)."""

import os
import signal
import time
import unittest

import satchel_harness as h
import tls_support as t

MSG = b"From: a@example.com\r\nSubject: handed over\r\n\r\nbody\r\n"


class Handoff(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = h.Instance(users=("alice",), workers=1)
        cls.srv.deliver("alice", MSG)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def pipelined_imap(self, client):
        # One write: the login and three more commands arrive in the login worker together.
        client.send("a LOGIN alice %s\r\nb SELECT INBOX\r\n"
                    "c FETCH 1 ENVELOPE\r\nd LOGOUT\r\n" % h.PASSWORD)
        login = client.read_until_tagged("a")
        self.assertTrue(login[-1].startswith("a OK [CAPABILITY"), login)
        select = client.read_until_tagged("b")
        self.assertIn("* 1 EXISTS", select)
        self.assertTrue(select[-1].startswith("b OK [READ-WRITE]"), select)
        fetch = client.read_until_tagged("c")
        self.assertTrue(any('"handed over"' in line for line in fetch), fetch)
        self.assertTrue(fetch[-1].startswith("c OK"), fetch)
        logout = client.read_until_tagged("d")
        self.assertTrue(logout[0].startswith("* BYE"), logout)
        self.assertTrue(logout[-1].startswith("d OK"), logout)
        self.assertEqual(client.readline(), "", "the connection ends after LOGOUT")

    def test_plaintext_imap_keeps_commands_sent_with_login(self):
        c = h.RawClient(self.srv.ports["imap"])
        self.assertTrue(c.readline().startswith("* OK"))
        self.pipelined_imap(c)
        c.close()

    def test_imaps_keeps_commands_sent_with_login(self):
        c = t.LineReader(t.tls_connect(self.srv.ports["imaps"], self.srv.ssl_context()))
        self.assertTrue(c.readline().startswith("* OK"))
        self.pipelined_imap(c)
        c.close()

    def test_pop3_keeps_commands_sent_with_pass(self):
        c = h.RawClient(self.srv.ports["pop3"])
        self.assertTrue(c.readline().startswith("+OK"))
        c.send("USER alice\r\nPASS %s\r\nSTAT\r\nQUIT\r\n" % h.PASSWORD)
        self.assertTrue(c.readline().startswith("+OK"))
        self.assertTrue(c.readline().startswith("+OK Logged in"))
        self.assertTrue(c.readline().startswith("+OK 1 "))
        self.assertTrue(c.readline().startswith("+OK"))
        self.assertEqual(c.readline(), "")
        c.close()

    def test_session_and_log_lines_belong_to_the_mail_worker(self):
        c = h.RawClient(self.srv.ports["imap"])
        c.readline()
        c.send("a LOGIN alice %s\r\n" % h.PASSWORD)
        c.read_until_tagged("a")
        self.assertTrue(self.srv.log_contains(
            r"satchel-mail \d+: login: user=alice rip=127\.0\.0\.1 mech=LOGIN"))
        c.send("z LOGOUT\r\n")
        c.read_until_tagged("z")
        c.close()
        self.assertTrue(self.srv.log_contains(r"satchel-mail \d+: disconnect: user=alice"))



class AuthProcessRestart(unittest.TestCase):
    def test_a_killed_auth_process_is_restarted_and_logins_work_again(self):
        with h.Instance(users=("alice",), workers=1, tls=False) as srv:
            auth = h.wait_children_named(srv.proc.pid, "satchel-auth")
            self.assertEqual(len(auth), 1)
            m = srv.imap("alice")  # A session that must survive the restart.
            os.kill(auth[0], signal.SIGKILL)
            self.assertTrue(srv.log_contains(r"auth process .* killed by signal 9; restarting"))
            deadline = time.time() + 15
            while time.time() < deadline:
                names = [h.process_name(p) for p in h.child_pids(srv.proc.pid)]
                fresh = [p for p in h.children_named(srv.proc.pid, "satchel-auth")
                         if p != auth[0]]
                if fresh and "satchel-login" in names:
                    break
                time.sleep(0.1)
            self.assertTrue(fresh, "a new auth process runs")
            again = srv.imap("alice")
            self.assertEqual(again.select("INBOX")[0], "OK")
            again.logout()
            self.assertEqual(m.noop()[0], "OK")
            m.logout()


class RelayTimeouts(unittest.TestCase):
    def test_a_logged_in_tls_session_outlives_the_login_timeout(self):
        # The login worker relays a TLS session after login; only the mail worker's idle
        # timeout (30 min at least) may end it, not the login worker's login_timeout.
        with h.Instance(users=("alice",), workers=1, login_timeout="2s") as srv:
            m = srv.imaps("alice")
            self.assertEqual(m.select("INBOX")[0], "OK")
            time.sleep(4)
            self.assertEqual(m.noop()[0], "OK")
            m.logout()
            p = srv.pop3s("alice")
            time.sleep(4)
            self.assertTrue(p.stat()[0] >= 0)
            p.quit()

    def test_server_stop_reaches_relayed_tls_clients_with_bye(self):
        srv = h.Instance(users=("alice",), workers=1)
        try:
            c = t.LineReader(t.tls_connect(srv.ports["imaps"], srv.ssl_context()))
            c.readline()
            c.send("a LOGIN alice %s\r\n" % h.PASSWORD)
            self.assertTrue(c.read_until_tagged("a")[-1].startswith("a OK"))
            srv.proc.send_signal(signal.SIGTERM)
            self.assertTrue(c.readline().startswith("* BYE"))
            c.close()
        finally:
            srv.close()


if __name__ == "__main__":
    unittest.main()
