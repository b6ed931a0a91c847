"""A real satcheld on loopback ports chosen by the kernel, for end-to-end tests.

Instance() writes a private configuration, certificates and user database into a temporary
directory, starts `satcheld -f`, learns the bound ports from its "listening:" log lines and
stops it (SIGTERM) on close(). Tests drive it with real clients: imaplib, poplib, ssl, curl,
openssl s_client, mutt, mbsync.
"""

import atexit
import imaplib
import os
import poplib
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time

SATCHELD = os.environ.get("SATCHELD", "build/asan/server/satcheld")
ADMIN = os.environ.get("SATCHEL_ADMIN", "build/asan/cli/satchel-admin")
SOURCE = os.environ.get("SATCHEL_SOURCE", os.path.join(os.path.dirname(__file__), "..", ".."))
PASSWORD = "secret-pw"


_running = []


@atexit.register
def _kill_leftovers():
    """A test that dies half-way must not leave a server holding the runner's pipes."""
    for proc in _running:
        if proc.poll() is None:
            proc.kill()


class Instance:
    def __init__(self, users=("alice", "bob"), workers=2, tls=True, extra_server="",
                 extra_limits="", plaintext_auth=False, extra_config="", failure_delay="500ms",
                 env=None, start=True, login_timeout="60s"):
        # failure_delay: the [auth] failure_delay value. env: extra environment variables for
        # satcheld (e.g. LD_PRELOAD). start=False: set up only; the caller calls start().
        self.dir = tempfile.mkdtemp(prefix="satchel-e2e-")
        self.failure_delay = failure_delay
        self.login_timeout = login_timeout
        self.env = env
        os.chmod(self.dir, 0o755)
        self.root = os.geteuid() == 0
        self.users = list(users)
        self.log_lines = []
        self.ports = {}
        self.ca = None
        os.makedirs(self.path("mail"))
        os.makedirs(self.path("auth"))
        if tls:
            out = subprocess.run([os.path.join(SOURCE, "tools", "make_dev_ca.sh"), self.dir],
                                 check=True, capture_output=True, text=True)
            self.ca = out.stdout.strip().splitlines()[-1]
        self.write_config(workers, tls, extra_server, extra_limits, plaintext_auth)
        if extra_config:
            # Whole extra sections ([certificate NAME], [listener NAME]...), appended as given.
            with open(self.config, "a") as f:
                f.write("\n" + extra_config + "\n")
        for user in self.users:
            self.admin("user", "add", user, stdin=PASSWORD + "\n")
        for user in self.users:
            for sub in ("cur", "new", "tmp"):
                os.makedirs(self.maildir(user, sub), exist_ok=True)
        self.fix_owner()
        if start:
            self.start()

    # --- set-up -------------------------------------------------------------------------
    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def maildir(self, user, *parts):
        return self.path("mail", user, "Maildir", *parts)

    def write_config(self, workers, tls, extra_server, extra_limits, plaintext_auth):
        user_lines = "user = nobody\ngroup = nogroup\n" if self.root else ""
        pa = "yes" if plaintext_auth else "no"
        conf = f"""[server]
{user_lines}workers = {workers}
log = stderr
{extra_server}
[limits]
login_timeout = {self.login_timeout}
{extra_limits}
[storage]
mail_root = {self.path("mail")}
mail_location = maildir:%h/Maildir

[auth]
userdb = {self.path("auth", "users.db")}
failure_delay = {self.failure_delay}
"""
        if tls:
            conf += f"""
[tls]
cert = {self.path("tls", "server.pem")}
key = {self.path("tls", "server.key")}
"""
        starttls = "starttls" if tls else "none"
        conf += f"""
[listener imap]
protocol = imap
address = 127.0.0.1:0
tls = {starttls}
plaintext_auth = {pa}

[listener pop3]
protocol = pop3
address = 127.0.0.1:0
tls = {starttls}
plaintext_auth = {pa}
"""
        if tls:
            conf += """
[listener imaps]
protocol = imap
address = 127.0.0.1:0
tls = implicit

[listener pop3s]
protocol = pop3
address = 127.0.0.1:0
tls = implicit
"""
        self.config = self.path("satchel.conf")
        with open(self.config, "w") as f:
            f.write(conf)

    def fix_owner(self):
        if self.root:
            subprocess.run(["chown", "-R", "nobody:nogroup", self.path("mail"),
                            self.path("auth")], check=True)

    def admin(self, *args, stdin=None, check=True):
        return subprocess.run([ADMIN, "-c", self.config, *args], input=stdin, text=True,
                              capture_output=True, check=check)

    # --- process ------------------------------------------------------------------------
    def start(self):
        self.ports = {}
        env = dict(os.environ, **self.env) if self.env else None
        self.proc = subprocess.Popen([SATCHELD, "-f", "-c", self.config],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True, errors="replace", env=env)
        _running.append(self.proc)
        self.started = threading.Event()
        self.reader = threading.Thread(target=self._read_log, daemon=True)
        self.reader.start()
        if not self.started.wait(30):
            self.close()
            raise RuntimeError("satcheld did not start:\n" + "\n".join(self.log_lines))

    def _read_log(self):
        for line in self.proc.stderr:
            line = line.rstrip("\n")
            self.log_lines.append(line)
            if os.environ.get("SATCHEL_E2E_VERBOSE"):
                print("satcheld:", line, flush=True)
            m = re.search(r"listening: (\S+) \S*:(\d+)$", line)
            if m:
                self.ports[m.group(1)] = int(m.group(2))
            if "satcheld started" in line:
                self.started.set()
        self.started.set()

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if getattr(self, "proc", None) is None:  # Instance(start=False), never started.
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(5)
        return self.proc.returncode

    def restart(self):
        self.stop()
        self.start()

    def close(self):
        try:
            self.stop()
        finally:
            if not os.environ.get("SATCHEL_E2E_KEEP"):
                shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def log_contains(self, pattern, timeout=5):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(re.search(pattern, line) for line in self.log_lines):
                return True
            time.sleep(0.05)
        return False

    # --- mail ---------------------------------------------------------------------------
    def deliver(self, user, text, name=None):
        """Delivers like an MTA: write into tmp/, then rename into new/."""
        name = name or f"{time.time():.6f}.P{os.getpid()}.{threading.get_ident()}.test"
        tmp = self.maildir(user, "tmp", name)
        data = text.encode() if isinstance(text, str) else text
        with open(tmp, "wb") as f:
            f.write(data)
        if self.root:
            shutil.chown(tmp, "nobody", "nogroup")
        os.rename(tmp, self.maildir(user, "new", name))
        return name

    # --- clients ------------------------------------------------------------------------
    def ssl_context(self):
        ctx = ssl.create_default_context(cafile=self.ca)
        return ctx

    def imap(self, user=None, password=PASSWORD):
        client = imaplib.IMAP4("127.0.0.1", self.ports["imap"], timeout=30)
        if user:
            client.login(user, password)
        return client

    def imaps(self, user=None, password=PASSWORD):
        client = imaplib.IMAP4_SSL("localhost", self.ports["imaps"],
                                   ssl_context=self.ssl_context(), timeout=30)
        if user:
            client.login(user, password)
        return client

    def pop3(self, user=None, password=PASSWORD):
        client = poplib.POP3("127.0.0.1", self.ports["pop3"], timeout=30)
        if user:
            client.user(user)
            client.pass_(password)
        return client

    def pop3s(self, user=None, password=PASSWORD):
        client = poplib.POP3_SSL("localhost", self.ports["pop3s"], context=self.ssl_context(),
                                 timeout=30)
        if user:
            client.user(user)
            client.pass_(password)
        return client


class RawClient:
    """A line-oriented raw socket client for scripted conversations."""

    def __init__(self, port, host="127.0.0.1", timeout=10):
        import socket
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def readline(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                line, self.buf = self.buf, b""
                return line.decode(errors="replace")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode(errors="replace")

    def read_until_tagged(self, tag):
        """Lines up to and including the tagged response `tag ...`."""
        lines = []
        while True:
            line = self.readline()
            lines.append(line)
            if line.startswith(tag + " ") or line == "":
                return lines

    def read_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def close(self):
        self.sock.close()


# --- processes (DESIGN.md, Processes) ----------------------------------------------------------
# Process names (/proc/PID/comm) of satcheld's children: "satchel-auth", "satchel-login" and
# "satchel-mail" (split model), "satchel-user" (one system user's mail worker), and
# "satchel-worker" (single model).
ACCEPTING = ("satchel-login", "satchel-worker")


def child_pids(master_pid):
    with open(f"/proc/{master_pid}/task/{master_pid}/children") as f:
        return [int(x) for x in f.read().split()]


def process_name(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def children_named(master_pid, *names):
    return [p for p in child_pids(master_pid) if process_name(p) in names]


def wait_children_named(master_pid, *names, count=1, timeout=10):
    """The children called one of `names`, once there are `count` (a child names itself only
    after it has dropped root, a moment after the master's start lines); what there is after
    `timeout`."""
    import time
    deadline = time.time() + timeout
    while True:
        found = children_named(master_pid, *names)
        if len(found) >= count or time.time() > deadline:
            return found
        time.sleep(0.05)


def accepting_workers(master_pid, count=1):
    """The children that accept client connections (login workers, or single-model workers),
    once `count` have started."""
    return wait_children_named(master_pid, *ACCEPTING, count=count)
