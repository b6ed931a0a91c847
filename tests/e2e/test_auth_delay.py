"""Failed logins (issue 6): the refusal is held for [auth] failure_delay, the delay grows with
the failures of one user from one IP, every failure is logged as
`auth failed: user=<u> rip=<ip> mech=<m> reason=<r>` (what fail2ban matches), a brute force
against one user does not slow down another user behind the same IP, and trusted_networks
are exempt.

Timing assertions are lower bounds, except two generous upper bounds: another user's answer
during a brute force (< 4 s while the attacked user's answers take 8 s), and trusted networks
(< half the configured delay).
"""

import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import auth_support as a  # noqa: E402
import satchel_harness as h  # noqa: E402

SLACK = 0.05  # Timer granularity: a delay of d is accepted from d - SLACK.


def instance(delay, delay_max, extra_auth=""):
    a.ensure_login_user()  # The split model's login user (root only).
    inst = h.Instance(failure_delay=delay, start=False)
    try:
        with open(inst.config, "a") as f:
            f.write(f"\n[auth]\nfailure_delay_max = {delay_max}\n{extra_auth}")
        inst.start()
    except BaseException:
        inst.close()
        raise
    return inst


class GrowingDelay(unittest.TestCase):
    def test_imap_refusal_is_held_and_grows_per_user_and_ip(self):
        inst = instance("1s", "8s")
        self.addCleanup(inst.close)
        port = inst.ports["imap"]
        times = []
        for _ in range(3):
            took, line = a.imap_login_timed(port, "alice", "wrong")
            self.assertRegex(line, r"^T1 NO ")
            times.append(took)
        # 1 s, then doubling: 2 s, 4 s.
        self.assertGreaterEqual(times[0], 1.0 - SLACK, times)
        self.assertGreaterEqual(times[1], 2.0 - SLACK, times)
        self.assertGreaterEqual(times[2], 4.0 - SLACK, times)
        fails = [l for l in inst.log_lines if "auth failed: user=alice " in l]
        self.assertEqual(len(fails), 3, fails)
        for line in fails:
            self.assertRegex(line, a.failed_line("alice", "LOGIN", r"\S.*"))
        # AUTHENTICATE PLAIN: its own mech= in the line; still alice from 127.0.0.1, so the
        # fourth failure is held at least as long as the third.
        took, line = a.imap_plain_timed(port, "alice", "wrong")
        self.assertRegex(line, r"^T1 NO ")
        self.assertGreaterEqual(took, 4.0 - SLACK)
        self.assertTrue(inst.log_contains(a.failed_line("alice", "PLAIN")))
        # bob's first failure starts from the base delay again, and his right password works
        # at once afterwards.
        took, line = a.imap_login_timed(port, "bob", "wrong")
        self.assertGreaterEqual(took, 1.0 - SLACK)
        took, line = a.imap_login_timed(port, "bob", h.PASSWORD)
        self.assertRegex(line, r"^T1 OK ")
        self.assertTrue(inst.log_contains(a.login_line("bob", "LOGIN")))

    def test_pop3_refusal_is_held(self):
        inst = instance("1s", "8s")
        self.addCleanup(inst.close)
        took1, line = a.pop3_pass_timed(inst.ports["pop3"], "bob", "wrong")
        self.assertTrue(line.startswith("-ERR"), line)
        took2, line = a.pop3_pass_timed(inst.ports["pop3"], "bob", "wrong")
        self.assertTrue(line.startswith("-ERR"), line)
        self.assertGreaterEqual(took1, 1.0 - SLACK)
        self.assertGreaterEqual(took2, 2.0 - SLACK)
        self.assertTrue(inst.log_contains(a.failed_line("bob", "USER")),
                        [l for l in inst.log_lines if "auth failed" in l])
        # An unknown user is refused the same way and logged with its name.
        took, line = a.pop3_pass_timed(inst.ports["pop3"], "nosuchuser", "x")
        self.assertTrue(line.startswith("-ERR"))
        self.assertGreaterEqual(took, 1.0 - SLACK)
        self.assertTrue(inst.log_contains(a.failed_line("nosuchuser")))


class BruteForce(unittest.TestCase):
    def test_other_users_behind_the_same_ip_stay_responsive(self):
        inst = instance("8s", "8s")
        self.addCleanup(inst.close)
        port = inst.ports["imap"]
        results = []
        lock = threading.Lock()

        def attack():
            took, line = a.imap_login_timed(port, "alice", "guess")
            with lock:
                results.append((took, line))

        threads = [threading.Thread(target=attack) for _ in range(6)]
        for t in threads:
            t.start()
        # Let the attempts reach the server and start their delays.
        deadline = time.time() + 10
        while time.time() < deadline and sum(
                "auth failed: user=alice" in l for l in inst.log_lines) < 6:
            time.sleep(0.05)
        took, line = a.imap_login_timed(port, "bob", h.PASSWORD)
        self.assertRegex(line, r"^T1 OK ")
        self.assertLess(took, 4.0, "bob waited behind alice's brute force")
        # POP3 too.
        took, line = a.pop3_pass_timed(inst.ports["pop3"], "bob", h.PASSWORD)
        self.assertTrue(line.startswith("+OK"), line)
        self.assertLess(took, 4.0)
        for t in threads:
            t.join(60)
        self.assertEqual(len(results), 6)
        for took, line in results:
            self.assertRegex(line, r"^T1 NO ")
            self.assertGreaterEqual(took, 8.0 - SLACK)


class TrustedNetworks(unittest.TestCase):
    def test_trusted_networks_are_not_delayed(self):
        inst = instance("5s", "20s", "trusted_networks = 10.0.0.0/8 127.0.0.0/8\n")
        self.addCleanup(inst.close)
        for _ in range(3):
            took, line = a.imap_login_timed(inst.ports["imap"], "alice", "wrong")
            self.assertRegex(line, r"^T1 NO ")
            self.assertLess(took, 2.5, "a trusted network's failure was delayed")
        took, line = a.pop3_pass_timed(inst.ports["pop3"], "alice", "wrong")
        self.assertTrue(line.startswith("-ERR"))
        self.assertLess(took, 2.5)
        # Still logged.
        self.assertTrue(inst.log_contains(a.failed_line("alice", "LOGIN")))

    def test_untrusted_prefix_does_not_exempt_loopback(self):
        inst = instance("1s", "1s", "trusted_networks = 10.0.0.0/8\n")
        self.addCleanup(inst.close)
        took, line = a.imap_login_timed(inst.ports["imap"], "alice", "wrong")
        self.assertRegex(line, r"^T1 NO ")
        self.assertGreaterEqual(took, 1.0 - SLACK)


if __name__ == "__main__":
    unittest.main()
