"""The process split of issue 6, checked from /proc while real sessions are open.

Split model (the default): login workers ("satchel-login") run as the login user, chrooted to
an empty directory, and never hold mail files; mail workers ("satchel-mail") run as the mail
owner (the harness's [server] user); the auth process ("satchel-auth") has no TCP socket.
Sessions work end to end across the split: plaintext, STARTTLS and implicit TLS for IMAP and
POP3, and IDLE sees mail appended by a session of another process. process_model = single
keeps one worker type.
"""

import os
import pwd
import grp
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import auth_support as a  # noqa: E402
import satchel_harness as h  # noqa: E402

IS_ROOT = os.geteuid() == 0
SPLIT_COMMS = {"satchel-login", "satchel-mail", "satchel-auth", "satchel-user"}


def select_inbox(conn, tag="S1"):
    conn.send(f"{tag} SELECT INBOX")
    lines = conn.until_tagged(tag)
    if not lines[-1].startswith(f"{tag} OK"):
        raise AssertionError(lines)
    for line in lines:
        if line.endswith(" EXISTS"):
            return int(line.split()[1])
    raise AssertionError(lines)


def raw_login(conn, user, tag="L1"):
    conn.send(f"{tag} LOGIN {user} {h.PASSWORD}")
    line = conn.until_tagged(tag)[-1]
    if not line.startswith(f"{tag} OK"):
        raise AssertionError(line)


@unittest.skipUnless(IS_ROOT, "the split needs root to start workers as other users")
class SplitLayout(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.login_pw = a.ensure_login_user()
        cls.inst = h.Instance(start=False)
        try:
            cls.chroot = cls.inst.path("login-root")  # Created by the master.
            with open(cls.inst.config, "a") as f:
                f.write(f"\n[server]\nprocess_model = split\nlogin_chroot = {cls.chroot}\n")
            cls.inst.start()
        except BaseException:
            cls.inst.close()
            raise
        cls.mail_owner = pwd.getpwnam("nobody")
        cls.mail_group = grp.getgrnam("nogroup")
        cls.inst.deliver("alice", a.message("split-mail"))

    @classmethod
    def tearDownClass(cls):
        cls.inst.close()

    def tls_conn(self, port):
        ctx = self.inst.ssl_context()
        sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        conn = a.Conn(sock=ctx.wrap_socket(sock, server_hostname="localhost"))
        self.addCleanup(conn.close)
        return conn

    def plain_conn(self, port):
        conn = a.Conn(port)
        self.addCleanup(conn.close)
        return conn

    def open_sessions(self):
        """An IMAPS session of alice and a plaintext IMAP session of bob, both logged in."""
        s1 = self.tls_conn(self.inst.ports["imaps"])
        s1.readline()
        raw_login(s1, "alice")
        self.assertEqual(select_inbox(s1), 1)
        s2 = self.plain_conn(self.inst.ports["imap"])
        s2.readline()
        raw_login(s2, "bob")
        select_inbox(s2)
        return s1, s2

    def test_process_layout_while_sessions_are_open(self):
        s1, s2 = self.open_sessions()
        master = self.inst.proc.pid
        tree = a.descendants(master)
        comms = sorted(i["comm"] for i in tree)

        logins = a.processes_named(master, "satchel-login")
        self.assertTrue(logins, f"no satchel-login process: {comms}")
        for info in logins:
            self.assertEqual(info["uids"], [self.login_pw.pw_uid] * 4, info)
            self.assertNotEqual(info["uids"][0], self.mail_owner.pw_uid)
            self.assertEqual(info["root"], os.path.realpath(self.chroot), info)
            self.assertNotIn(0, info["gids"])
            self.assertNotIn(0, info["groups"])
        # The chroot is empty: nothing of the mail store is reachable from there...
        self.assertEqual(os.listdir(self.chroot), [])
        # ...and no login worker holds a file of it open.
        mail = self.inst.path("mail")
        for info in logins:
            for fd in os.listdir(f"/proc/{info['pid']}/fd"):
                try:
                    target = os.readlink(f"/proc/{info['pid']}/fd/{fd}")
                except OSError:
                    continue
                self.assertFalse(target.startswith(mail), f"login worker has {target} open")

        # With the login worker's own credentials (as /proc shows them), alice's Maildir, with
        # the usual mode 0700 of its owner, cannot be read even outside the chroot.
        cur = self.inst.maildir("alice", "cur")
        os.chmod(self.inst.maildir("alice"), 0o700)
        for info in logins:
            self.assertFalse(a.can_read_as(info["uids"][0], info["gids"][0], cur,
                                           info["groups"]), "the login worker can read mail")

        mails = a.processes_named(master, "satchel-mail")
        self.assertTrue(mails, f"no satchel-mail process: {comms}")
        for info in mails:
            self.assertEqual(info["uids"], [self.mail_owner.pw_uid] * 4, info)
            self.assertEqual(info["gids"], [self.mail_group.gr_gid] * 4, info)
            self.assertTrue(a.can_read_as(info["uids"][0], info["gids"][0], cur,
                                          info["groups"]), "the mail worker cannot read mail")

        auths = a.processes_named(master, "satchel-auth")
        self.assertEqual(len(auths), 1, f"auth processes: {comms}")
        auth_sockets = a.socket_inodes(auths[0]["pid"])
        self.assertTrue(auth_sockets, "the auth process has no socket at all (no channel?)")
        self.assertEqual(auth_sockets & a.tcp_inodes(), set(),
                         "the auth process holds a TCP socket")
        # The sockets of the sessions are TCP sockets some other process holds (sanity check
        # that the comparison can see TCP sockets at all).
        worker_sockets = set()
        for info in logins + mails:
            worker_sockets |= a.socket_inodes(info["pid"])
        self.assertTrue(worker_sockets & a.tcp_inodes())

        # The sessions still work after the inspection.
        s1.send("F1 FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertTrue(any("Subject: split-mail" in l for l in s1.until_tagged("F1")))
        s2.send("N1 NOOP")
        self.assertTrue(s2.until_tagged("N1")[-1].startswith("N1 OK"))

    def test_imap_starttls_and_imaps(self):
        c = self.inst.imap()
        c.starttls(ssl_context=self.inst.ssl_context())
        c.login("alice", h.PASSWORD)
        typ, data = c.select("INBOX", readonly=True)
        self.assertEqual(data, [b"1"])
        typ, data = c.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertIn(b"split-mail", data[0][1])
        c.logout()
        c = self.inst.imaps("alice")
        typ, data = c.select("INBOX", readonly=True)
        self.assertEqual(data, [b"1"])
        c.logout()

    def test_pop3_plain_stls_and_pop3s(self):
        p = self.inst.pop3("alice")
        self.assertEqual(p.stat()[0], 1)
        self.assertIn(b"Subject: split-mail", p.retr(1)[1])
        p.rset()
        p.quit()
        p = self.inst.pop3()
        p.stls(context=self.inst.ssl_context())
        p.user("alice")
        p.pass_(h.PASSWORD)
        self.assertEqual(p.stat()[0], 1)
        p.rset()
        p.quit()
        p = self.inst.pop3s("alice")
        self.assertIn(b"Subject: split-mail", p.top(1, 0)[1])
        p.rset()
        p.quit()

    def test_idle_push_across_processes(self):
        # bob IDLEs over IMAPS (login worker relaying to a mail worker); an APPEND from a
        # plaintext session (handed to a mail worker) must reach him.
        idler = self.tls_conn(self.inst.ports["imaps"])
        idler.readline()
        raw_login(idler, "bob", "I0")
        before = select_inbox(idler, "I1")
        idler.send("I2 IDLE")
        self.assertTrue(idler.readline().startswith("+"))
        c = self.inst.imap("bob")
        msg = a.message("pushed").encode()
        self.assertEqual(c.append("INBOX", None, None, msg)[0], "OK")
        c.logout()
        deadline = time.time() + 10
        idler.sock.settimeout(10)
        seen = []
        while time.time() < deadline:
            line = idler.readline()
            seen.append(line)
            if line == f"* {before + 1} EXISTS":
                break
        self.assertIn(f"* {before + 1} EXISTS", seen)
        idler.send("DONE")
        self.assertTrue(idler.until_tagged("I2")[-1].startswith("I2 OK"))


class SingleModel(unittest.TestCase):
    def test_single_process_model_still_works(self):
        inst = h.Instance(extra_server="process_model = single")
        self.addCleanup(inst.close)
        inst.deliver("alice", a.message("single-mail"))
        c = inst.imap("alice")
        try:
            typ, data = c.select("INBOX", readonly=True)
            self.assertEqual(data, [b"1"])
            tree = a.descendants(inst.proc.pid)
            comms = {i["comm"] for i in tree}
            self.assertEqual(comms & SPLIT_COMMS, set(), f"split processes in single: {comms}")
            self.assertTrue(tree, "no worker process")
            self.assertEqual(len(comms), 1, f"one worker type: {comms}")
        finally:
            c.logout()
        p = inst.pop3s("alice")
        self.assertIn(b"Subject: single-mail", p.top(1, 0)[1])
        p.quit()


if __name__ == "__main__":
    unittest.main()
