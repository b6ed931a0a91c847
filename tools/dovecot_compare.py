#!/usr/bin/env python3
"""Compares Satchel's FETCH answers with those of Debian's Dovecot, message by message.

Usage (as a developer tool; not part of ./dev or ctest):
    SATCHELD=build/h-x/server/satcheld SATCHEL_ADMIN=build/h-x/cli/satchel-admin \\
        /usr/bin/python3 tools/dovecot_compare.py [-v] [NAME_SUBSTRING...]

Needs the dovecot-imapd package (apt-get install dovecot-imapd). The system service is not
used: a private `dovecot -F` runs with a configuration, passwd-file and Maildir in a temporary
directory, listening on a free loopback port. A private satcheld is started through
tests/e2e/satchel_harness.py. The same messages (tests/corpus/make_corpus.py plus
tools/dev_messages/*.eml, line ends made CRLF first so both servers receive the same bytes)
are APPENDed to both INBOXes, then every FETCH item in ITEMS is asked of both, one item per
command, and each answer that differs is printed with both values. Exit status 1 when any
answer differs.
"""

import glob
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
DOVECOT = os.environ.get("DOVECOT", "/usr/sbin/dovecot")
PASSWORD = "secret-pw"

ITEMS = ("ENVELOPE", "BODYSTRUCTURE", "BODY", "RFC822.SIZE", "BODY.PEEK[HEADER]",
         "BODY.PEEK[TEXT]", "BODY.PEEK[1]", "BODY.PEEK[1.MIME]",
         "BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT)]", "BINARY.SIZE[1]")

CRLF_RE = re.compile(rb"\r\n|\r(?!\n)|\n")
LITERAL_AT_END = re.compile(rb"~?\{(\d+)\+?\}\r\n$")


def load_harness():
    path = os.path.join(SOURCE, "tests", "e2e", "satchel_harness.py")
    spec = importlib.util.spec_from_file_location("satchel_harness", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- a minimal IMAP client (same code path for both servers) -------------------------------
class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""
        self.tag = 0
        greeting = self.response()
        if not greeting.startswith(b"* OK"):
            raise RuntimeError("greeting: %r" % greeting)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        end = self.buf.index(b"\r\n") + 2
        line, self.buf = self.buf[:end], self.buf[end:]
        return line

    def _exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def response(self):
        """One whole response, literals included."""
        data = b""
        while True:
            line = self._line()
            data += line
            m = LITERAL_AT_END.search(line)
            if not m:
                return data
            data += self._exact(int(m.group(1)))

    def command(self, text, literal=None):
        """(untagged responses, tagged line). A literal is sent after the continuation."""
        self.tag += 1
        tag = b"c%d" % self.tag
        if literal is None:
            self.sock.sendall(tag + b" " + text + b"\r\n")
        else:
            self.sock.sendall(tag + b" " + text + b" {%d}\r\n" % len(literal))
            first = self.response()
            if not first.startswith(b"+"):
                return [], first
            self.sock.sendall(literal + b"\r\n")
        untagged = []
        while True:
            resp = self.response()
            if resp.startswith(tag + b" "):
                return untagged, resp
            untagged.append(resp)

    def login(self, user, password):
        _, tagged = self.command(b"LOGIN %s %s" % (user.encode(), password.encode()))
        if b" OK" not in tagged:
            raise RuntimeError("LOGIN failed: %r" % tagged)


# --- a private Dovecot --------------------------------------------------------------------
class Dovecot:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dovecmp-")
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        root = os.geteuid() == 0
        if root:
            uid, gid = 65534, 65534
            internal, login = "nobody", ("dovenull" if user_exists("dovenull") else "nobody")
        else:
            uid, gid = os.getuid(), os.getgid()
            internal = login = current_user()
        home = os.path.join(self.dir, "home", "alice")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(home, "Maildir", sub))
        if root:
            subprocess.run(["chown", "-R", "%d:%d" % (uid, gid), os.path.join(self.dir, "home")],
                           check=True)
        with open(os.path.join(self.dir, "passwd"), "w") as f:
            f.write("alice:{PLAIN}%s:%d:%d::%s::\n" % (PASSWORD, uid, gid, home))
        d = self.dir
        self.config = os.path.join(d, "dovecot.conf")
        with open(self.config, "w") as f:
            f.write(f"""protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = {d}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
""")
        self.proc = subprocess.Popen([DOVECOT, "-c", self.config, "-F"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("dovecot exited: %s\n%s" % (
                    self.proc.stderr.read().decode(errors="replace"), self.log()))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.close()
        raise RuntimeError("dovecot did not listen:\n" + self.log())

    def log(self):
        try:
            with open(os.path.join(self.dir, "dovecot.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not os.environ.get("DOVECMP_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)


def user_exists(name):
    try:
        import pwd
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def current_user():
    import pwd
    return pwd.getpwuid(os.getuid()).pw_name


# --- the comparison -----------------------------------------------------------------------
def messages(tmp):
    """[(name, CRLF bytes)]: the corpus, then tools/dev_messages."""
    out_dir = os.path.join(tmp, "corpus")
    subprocess.run([sys.executable, os.path.join(SOURCE, "tests", "corpus", "make_corpus.py"),
                    out_dir], check=True, capture_output=True)
    paths = sorted(glob.glob(os.path.join(out_dir, "*.eml")))
    paths += sorted(glob.glob(os.path.join(HERE, "dev_messages", "*.eml")))
    result = []
    for p in paths:
        with open(p, "rb") as f:
            result.append((os.path.basename(p), CRLF_RE.sub(b"\r\n", f.read())))
    return result


def fetch_value(untagged, seq):
    """The FETCH response for `seq`, without '* N FETCH (' and ')\\r\\n'."""
    prefix = b"* %d FETCH (" % seq
    for resp in untagged:
        if resp.startswith(prefix):
            return resp[len(prefix):].rstrip(b"\r\n")[:-1]
    return b"(no FETCH response) " + b" | ".join(untagged)


def show(value, verbose):
    text = repr(value)
    if not verbose and len(text) > 600:
        text = text[:300] + " ... " + text[-300:]
    return text


def main(argv):
    verbose = "-v" in argv
    wanted = [a for a in argv if a != "-v"]
    h = load_harness()
    tmp = tempfile.mkdtemp(prefix="dovecmp-msgs-")
    dovecot = Dovecot()
    satchel = None
    differences = 0
    try:
        satchel = h.Instance(users=("alice",), tls=False, plaintext_auth=True)
        servers = {"satchel": satchel.ports["imap"], "dovecot": dovecot.port}
        clients = {}
        for label, port in servers.items():
            clients[label] = Client(port)
            clients[label].login("alice", PASSWORD)
        seqs = {label: {} for label in servers}
        msgs = [(n, m) for n, m in messages(tmp) if not wanted or any(w in n for w in wanted)]
        for name, raw in msgs:
            for label, c in clients.items():
                _, tagged = c.command(b"APPEND INBOX", raw)
                if b" OK" in tagged:
                    seqs[label][name] = len(seqs[label]) + 1
                else:
                    print("%s: APPEND to %s failed: %r" % (name, label, tagged))
        for c in clients.values():
            _, tagged = c.command(b"SELECT INBOX")
            assert b" OK" in tagged, tagged
        compared = 0
        for name, _ in msgs:
            if not all(name in seqs[label] for label in servers):
                continue
            for item in ITEMS:
                values = {}
                for label, c in clients.items():
                    seq = seqs[label][name]
                    untagged, tagged = c.command(b"FETCH %d (%s)" % (seq, item.encode()))
                    value = fetch_value(untagged, seq)
                    if b" OK" not in tagged:
                        value = b"[" + tagged.rstrip(b"\r\n") + b"] " + value
                    values[label] = value
                compared += 1
                if values["satchel"] != values["dovecot"]:
                    differences += 1
                    print("=== %s  %s" % (name, item))
                    print("  satchel: " + show(values["satchel"], verbose))
                    print("  dovecot: " + show(values["dovecot"], verbose))
        for c in clients.values():
            c.command(b"LOGOUT")
        print("%d answers compared, %d differ" % (compared, differences))
    finally:
        if satchel is not None:
            satchel.close()
        dovecot.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
