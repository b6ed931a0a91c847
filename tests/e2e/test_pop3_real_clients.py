"""Real POP3 clients from Debian against satcheld: curl (pop3:// with STLS and pop3s://),
fetchmail and getmail6 retrieving a mailbox of 200 varied messages over TLS, compared byte for
byte with what was stored (issue 5, "Done when")."""

import collections
import getpass
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import satchel_harness as h
from pop3_support import as_retrieved, corpus_messages, crlf_form, generated_message

try:  # getmail6's own message class: how getmail rewrites what it retrieved (see below).
    from getmailcore.message import Message as GetmailMessage
except ImportError:  # pragma: no cover - getmail6 is a listed package of this project
    GetmailMessage = None

# getmail 6.18.11 waits for its delivery child with a SIGCHLD handler it installs only after
# fork() and a Condition it may notify before anyone waits (getmailcore.baseclasses.ForkingBase):
# when the child is quick, the wake-up is lost and getmail stops with "waiting child pid ...
# timed out" after 60 s. This runs the installed getmail unchanged except for that wait, done
# with a plain waitpid(). Retrieval, parsing and the Maildir delivery are getmail's own.
GETMAIL_WRAPPER = """
import os, runpy, sys
import getmailcore.baseclasses as base

def _prepare_child(self):
    pass

def _wait_for_child(self, childpid):
    pid, status = os.waitpid(childpid, 0)
    if not os.WIFEXITED(status):
        raise base.getmailOperationError("child pid %d failed (status %d)" % (pid, status))
    return os.WEXITSTATUS(status)

base.ForkingBase._prepare_child = _prepare_child
base.ForkingBase._wait_for_child = _wait_for_child
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""

# Python's poplib (inside getmail) refuses lines longer than this (poplib._MAXLINE).
POPLIB_MAX_LINE = 2048


def sha(data):
    return hashlib.sha256(data).hexdigest()


def build_messages():
    """The corpus (well-formed and malformed cases, a 1 MB header line, an empty message, NUL
    bytes, bare CR/LF) and generated messages: sizes from 100 octets to 1 MB, CRLF and bare LF
    line ends, lines starting with "."."""
    msgs = list(corpus_messages().values())
    n = 200 - len(msgs)
    for i in range(n):
        if i == 0:
            size = 1024 * 1024
        else:
            size = [120, 700, 3000, 12000, 40000, 150][i % 6] + i * 13
        msgs.append(generated_message(1000 + i, size, bare_lf=(i % 5 == 2),
                                      dot_lines=(i % 3 == 1)))
    return msgs


def long_lines(data):
    return any(len(line) + 2 > POPLIB_MAX_LINE for line in crlf_lines(data))


def crlf_lines(data):
    return as_retrieved(data).split(b"\r\n")


def parse_bsmtp(data):
    """The messages of a BSMTP file as fetchmail --bsmtp writes it: MAIL FROM, RCPT TO, DATA,
    the dot-stuffed message, "."."""
    msgs = []
    lines = data.split(b"\r\n")
    i = 0
    while i < len(lines):
        if lines[i].startswith(b"MAIL FROM:"):
            i += 1
            while lines[i].startswith(b"RCPT TO:"):
                i += 1
            assert lines[i] == b"DATA", lines[i][:100]
            i += 1
            body = []
            while lines[i] != b".":
                body.append(lines[i][1:] if lines[i].startswith(b".") else lines[i])
                i += 1
            msgs.append(b"".join(line + b"\r\n" for line in body))
        elif lines[i] not in (b"QUIT", b""):
            raise ValueError("unexpected BSMTP line %r" % lines[i][:100])
        i += 1
    return msgs


def files_in(*dirs):
    out = []
    for d in dirs:
        for path in sorted(glob.glob(os.path.join(d, "*"))):
            with open(path, "rb") as f:
                out.append(f.read())
    return out


class Pop3RealClients(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = h.Instance(users=("fetch", "get"), workers=2, tls=True)
        cls.tmp = tempfile.mkdtemp(prefix="pop3-clients-")
        os.chmod(cls.tmp, 0o755)
        cls.msgs = build_messages()
        # getmail reads with poplib, which cannot take a line over 2048 octets (the corpus
        # header line of 1 MB breaks its session): its mailbox has all the others.
        skip = {i for i, m in enumerate(cls.msgs) if long_lines(m)}
        assert len(skip) == 1
        cls.get_msgs = [m for i, m in enumerate(cls.msgs) if i not in skip]
        # The "get" mailbox first, so that getmail (the slow one) starts as early as possible.
        for user, indexes in (("get", [i for i in range(len(cls.msgs)) if i not in skip]),
                              ("fetch", range(len(cls.msgs)))):
            client = cls.srv.imap(user)
            for i in indexes:
                msg = cls.msgs[i]
                # Mostly delivered like an MTA; every 25th appended over IMAP (a non-empty one).
                if i % 25 == 24 and msg:
                    assert client.append("INBOX", None, None, msg)[0] == "OK"
                else:
                    cls.srv.deliver(user, msg, name=f"{i:04d}.P1.pop3clients")
            client.logout()
            if user == "get":
                cls.getmail = None
                if GetmailMessage is not None:
                    cls.start_getmail()

    @classmethod
    def tearDownClass(cls):
        if cls.getmail and cls.getmail.poll() is None:
            cls.getmail.kill()
            cls.getmail.wait()
        cls.srv.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def curl(self, url, *extra):
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        run = subprocess.run(["curl", "-sS", "--cacert", self.srv.ca, "--resolve",
                              f"localhost:{port}:127.0.0.1", "-u", "fetch:" + h.PASSWORD,
                              *extra, url], capture_output=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        return run.stdout

    # --- curl ----------------------------------------------------------------------------
    def test_curl_list_and_retr_over_stls_and_pop3s(self):
        plain = "pop3://localhost:%d/" % self.srv.ports["pop3"]
        implicit = "pop3s://localhost:%d/" % self.srv.ports["pop3s"]
        listing = self.curl(plain, "--ssl-reqd").decode()
        sizes = [int(line.split()[1]) for line in listing.splitlines()]
        self.assertEqual(sorted(sizes), sorted(len(crlf_form(m)) for m in self.msgs))
        self.assertEqual([int(line.split()[0]) for line in listing.splitlines()],
                         list(range(1, len(self.msgs) + 1)))
        self.assertTrue(listing.endswith("\r\n"))
        # Messages picked by a size no other message has: the 1 MB generated one, one with
        # lines starting with ".", one stored with bare LF, the NUL-bytes one.
        wanted = [m for m in self.msgs if m.startswith(b"From: Sender 1000 ")]
        wanted += [m for m in self.msgs if b"\n.\r\n" in m][:1]
        wanted += [m for m in self.msgs if b"\n." in m and b"\r" not in m][:1]
        wanted += [m for m in self.msgs if b"\0" in m][:1]
        self.assertEqual(len(wanted), 4)
        for k, msg in enumerate(wanted):
            size = len(crlf_form(msg))
            self.assertEqual(sizes.count(size), 1, "size %d is not unique" % size)
            number = sizes.index(size) + 1
            url = (plain if k % 2 else implicit) + str(number)
            got = self.curl(url, "--ssl-reqd") if k % 2 else self.curl(url)
            # curl removes the byte-stuffing and the terminating "." line.
            self.assertEqual(got, as_retrieved(msg), f"message {number} via {url}")

    # --- fetchmail -----------------------------------------------------------------------
    def test_fetchmail_over_stls_byte_exact(self):
        work = os.path.join(self.tmp, "fetchmail")
        os.makedirs(work)
        rc = os.path.join(work, "fetchmailrc")
        with open(rc, "w") as f:
            # invisible: no Received: line of its own; no rewrite: addresses left alone;
            # no stripcr: CRLF kept; bad-header accept: the corpus has a header line without
            # a colon; sslproto without ssl: STLS, required and verified against the test CA.
            f.write(f"""set no bouncemail
set no syslog
set invisible
poll localhost with proto POP3 port {self.srv.ports["pop3"]} bad-header accept
  user "fetch" there with password "{h.PASSWORD}" is "{getpass.getuser()}" here
  sslproto "TLS1.2+" sslcertck sslcertfile "{self.srv.ca}"
  keep fetchall no rewrite no stripcr
""")
        os.chmod(rc, 0o600)
        # Delivery into one BSMTP file (no process per message, unlike an MDA).
        bsmtp = os.path.join(work, "out.bsmtp")
        run = subprocess.run(["fetchmail", "-f", rc, "--nodetach", "-v", "--bsmtp", bsmtp,
                              "--pidfile", os.path.join(work, "pid")], capture_output=True,
                             text=True, env=dict(os.environ, HOME=work), timeout=120)
        self.assertEqual(run.returncode, 0, run.stdout[-3000:] + run.stderr[-3000:])
        self.assertIn("POP3> STLS", run.stdout + run.stderr)
        with open(bsmtp, "rb") as f:
            got = parse_bsmtp(f.read())
        self.assertEqual(len(got), len(self.msgs))

        # fetchmail's own rewrites of malformed input, exactly these: an empty message
        # becomes its "Headerless mail" notice; a header without the empty line that ends it
        # gets one; NUL bytes in header lines are dropped. Nothing else may differ.
        def fetchmail_form(msg):
            data = as_retrieved(msg)
            head, sep, body = data.partition(b"\r\n\r\n")
            if not sep:
                return head.replace(b"\0", b"") + b"\r\n"
            return head.replace(b"\0", b"") + sep + body

        notices = [g for g in got if g.startswith(b"From: FETCHMAIL-DAEMON\r\n")
                   and b"Subject: Headerless mail" in g]
        self.assertEqual(len(notices), sum(1 for m in self.msgs if not m))
        want = collections.Counter(sha(fetchmail_form(m)) for m in self.msgs if m)
        have = collections.Counter(sha(g) for g in got if g not in notices)
        self.assertEqual(have, want)
        # The bulk is well-formed: compared with no rewrite at all.
        generated = [m for m in self.msgs if m.startswith(b"From: Sender ")]
        self.assertGreater(len(generated), 150)
        plain = collections.Counter(sha(as_retrieved(m)) for m in generated)
        self.assertEqual(plain - have, collections.Counter())

    # --- getmail -------------------------------------------------------------------------
    @classmethod
    def start_getmail(cls):
        """Starts getmail on the "get" mailbox; its test collects the result. getmail forks a
        process per message it writes, so it runs while the other clients are tested."""
        work = os.path.join(cls.tmp, "getmail")
        cls.getmail_dir = os.path.join(work, "Maildir")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(cls.getmail_dir, sub))
        os.makedirs(os.path.join(work, "state"))
        # getmail refuses to write a Maildir as root (and then hangs): deliver as nobody.
        user_line = ""
        if os.geteuid() == 0:
            user_line = "user = nobody\n"
            subprocess.run(["chown", "-R", "nobody:nogroup", cls.getmail_dir], check=True)
        rc = os.path.join(work, "getmailrc")
        with open(rc, "w") as f:
            f.write(f"""[retriever]
type = SimplePOP3SSLRetriever
server = localhost
port = {cls.srv.ports["pop3s"]}
username = get
password = {h.PASSWORD}
ca_certs = {cls.srv.ca}

[destination]
type = Maildir
path = {cls.getmail_dir}/
{user_line}
[options]
read_all = true
delete = true
received = false
delivered_to = false
""")
        cls.getmail = subprocess.Popen(
            [sys.executable, "-c", GETMAIL_WRAPPER, shutil.which("getmail") or "/usr/bin/getmail",
             "--getmaildir", os.path.join(work, "state"), "--rcfile", rc],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    @unittest.skipIf(GetmailMessage is None, "getmailcore not importable")
    def test_getmail_over_pop3s_byte_exact_then_deletes(self):
        try:
            output, _ = self.getmail.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            self.getmail.kill()
            output, _ = self.getmail.communicate()
            self.fail("getmail did not finish: " + output[-3000:])
        run = subprocess.CompletedProcess(self.getmail.args, self.getmail.returncode, output, "")
        maildir = self.getmail_dir
        self.assertEqual(run.returncode, 0, run.stdout[-3000:] + run.stderr[-3000:])
        self.assertNotIn("broken", run.stdout + run.stderr)
        got = files_in(os.path.join(maildir, "new"), os.path.join(maildir, "cur"))
        self.assertEqual(len(got), len(self.get_msgs))

        # getmail parses every message with Python's email package and writes it out again
        # (getmailcore.message.Message.flatten): LF line ends, a Return-Path line first, and
        # MIME structure re-serialized. So each stored message is put through that same code,
        # as getmail's retriever does with poplib's lines, and the results must match.
        def getmail_form(msg):
            lines = as_retrieved(msg).split(b"\r\n")[:-1]
            return GetmailMessage(fromlines=lines + [b""]).flatten(False, False)

        have = collections.Counter(sha(g) for g in got)
        want = collections.Counter(sha(getmail_form(m)) for m in self.get_msgs)
        self.assertEqual(have, want)
        # And directly, with no Python email round trip, for the generated messages (single
        # part, well-formed): only the Return-Path line and LF line ends differ.
        direct = collections.Counter(
            sha(b"Return-Path: <unknown>\n" + as_retrieved(m).replace(b"\r\n", b"\n"))
            for m in self.get_msgs if m.startswith(b"From: Sender "))
        self.assertEqual(direct - have, collections.Counter())
        self.assertGreater(sum(direct.values()), 150)

        # delete = true: getmail's DELE + QUIT emptied the mailbox, as IMAP sees.
        m = self.srv.imap("get")
        typ, data = m.select("INBOX")
        self.assertEqual(data[0], b"0")
        m.logout()


if __name__ == "__main__":
    unittest.main()
