"""Helpers for the authentication end-to-end tests (issue 6): sasldb and SASL configuration,
a real SASL client (gsasl) driven over IMAP AUTHENTICATE and POP3 AUTH, curl, throwaway system
users and PAM service files, and /proc inspection of satcheld's process tree.

Everything that creates something outside an Instance's temporary directory (system users,
/etc/pam.d files) is a context manager that removes it again.
"""

import base64
import imaplib
import poplib
import os
import pwd
import re
import secrets
import select
import shutil
import socket
import subprocess
import tempfile
import time

import satchel_harness as h

SASL_REALM = "satchel.test"
SASL_HOST = "localhost"
# Every mechanism issue 6 names, except GSSAPI (needs a KDC).
SASL_MECHANISMS = ["PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"]
# Mechanisms curl 7.88 implements itself (SCRAM needs a curl built with libgsasl).
CURL_MECHANISMS = ["PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5"]

SASLPASSWD2 = shutil.which("saslpasswd2") or "/usr/sbin/saslpasswd2"
GSASL = shutil.which("gsasl")
CURL = shutil.which("curl")

MESSAGE = ("From: sender@example.org\r\nTo: someone@example.org\r\n"
           "Subject: {subject}\r\nMessage-ID: <{subject}@example.org>\r\n\r\n"
           "Body of {subject}.\r\n")


def message(subject):
    return MESSAGE.format(subject=subject)


LIB_DIRS = ["x86_64-linux-gnu", "aarch64-linux-gnu", ".", "../lib64"]


def find_first(paths):
    """The first existing path, or None."""
    for p in paths:
        if os.path.exists(p):
            return os.path.normpath(p)
    return None


def tool_missing(*tools):
    """The first of `tools` not installed (for skipTest), or None."""
    for t in tools:
        if not (shutil.which(t) or os.path.exists(t)):
            return t
    return None


# --- SASL set-up -----------------------------------------------------------------------------
def make_sasldb(path, users, realm=SASL_REALM):
    """Creates/extends the sasldb `path` with {user: password} through saslpasswd2."""
    for user, password in users.items():
        subprocess.run([SASLPASSWD2, "-f", path, "-u", realm, "-c", "-p", user],
                       input=password, text=True, check=True, capture_output=True)


def write_sasl_conf(directory, sasldb, mech_list=None):
    """SASL's own configuration for app name "satchel" (as etc/sasl2/satchel.conf)."""
    os.makedirs(directory, exist_ok=True)
    lines = ["pwcheck_method: auxprop", "auxprop_plugin: sasldb", f"sasldb_path: {sasldb}",
             "log_level: 2"]
    if mech_list:
        lines.append("mech_list: " + " ".join(mech_list))
    with open(os.path.join(directory, "satchel.conf"), "w") as f:
        f.write("\n".join(lines) + "\n")


def sasl_auth_config(inst_dir, sasldb, mechanisms=None, backends="sqlite sasl",
                     realm=SASL_REALM, extra=""):
    """An [auth] section (appended to the harness's [auth]) for the SASL backend."""
    conf_dir = os.path.join(inst_dir, "sasl2")
    write_sasl_conf(conf_dir, sasldb)
    text = f"""[server]
hostname = {SASL_HOST}

[auth]
backends = {backends}
sasl_config_dir = {conf_dir}
sasldb_path = {sasldb}
sasl_realm = {realm}
"""
    if mechanisms:
        text += "sasl_mechanisms = " + " ".join(mechanisms) + "\n"
    return text + extra


def add_mail_user(inst, user, subjects=()):
    """A Maildir under the instance's mail_root for a user no userdb knows (sasldb-only users
    get home = mail_root/NAME), with one message per subject."""
    for sub in ("cur", "new", "tmp"):
        os.makedirs(inst.maildir(user, sub), exist_ok=True)
    inst.fix_owner()
    for s in subjects:
        inst.deliver(user, message(s))


# --- A real SASL client ----------------------------------------------------------------------
class Gsasl:
    """gsasl as a SASL client in its stdin/stdout mode: the mechanism's messages, base64, one
    per line, while the caller carries them over IMAP or POP3 (so that it can use the session
    afterwards, with or without SASL-IR).

    gsasl prints the mechanism name, then the client's first message (an empty line for
    server-first mechanisms), then one line per server challenge written to its stdin; at the
    end it reads the server's outcome data (an empty line: none)."""

    def __init__(self, mech, user, password, service="imap", realm=None, authzid=None,
                 hostname=SASL_HOST):
        args = [GSASL, "--client", "--mechanism", mech, "--authentication-id", user,
                "--password", password, "--service", service, "--hostname", hostname,
                "--quality-of-protection=qop-auth"]
        if realm:
            args += ["--realm", realm]
        if authzid:
            args += ["--authorization-id", authzid]
        self.mech = mech
        # Stays open until the object goes (stderr() is read after the end).
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err)
        self.buf = b""

    def _line(self, timeout=10):
        fd = self.proc.stdout.fileno()
        deadline = time.time() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.time()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError(f"gsasl {self.mech}: no output; stderr: {self.stderr()}")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise EOFError(f"gsasl {self.mech} ended; stderr: {self.stderr()}")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode().strip()

    def start(self):
        """The client's first message, base64 ("" for server-first mechanisms)."""
        name = self._line()
        if name != self.mech:
            raise AssertionError(f"gsasl chose {name!r}, not {self.mech}")
        return self._line()

    def step(self, challenge_b64):
        """The answer (base64, maybe "") to a server challenge."""
        self.proc.stdin.write(challenge_b64.encode() + b"\n")
        self.proc.stdin.flush()
        return self._line()

    def finish(self, timeout=10):
        """After the server's success: gsasl reads the (empty) outcome data and ends. Returns
        its exit code (0: the client is satisfied, e.g. the SCRAM server signature verified)."""
        try:
            self.proc.stdin.write(b"\n")
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return -1
        finally:
            self._close_pipes()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close_pipes()

    def _close_pipes(self):
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass

    def stderr(self):
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def __del__(self):
        self.err.close()


class Conn(h.RawClient):
    """A line-oriented client on a TCP (or already wrapped TLS) socket: the harness's RawClient,
    sending whole lines."""

    def __init__(self, port=None, sock=None, timeout=20):
        if sock is None:
            super().__init__(port, timeout=timeout)
        else:
            self.sock = sock
            self.buf = b""

    def send(self, line):
        super().send(line.encode() + b"\r\n")

    def until_tagged(self, tag):
        return self.read_until_tagged(tag)

    def pop3_multiline(self):
        """The lines of a POP3 multi-line answer after its +OK line, unstuffed."""
        lines = []
        while True:
            line = self.readline()
            if line == ".":
                return lines
            if line == "" and not self.buf:
                raise EOFError("connection closed inside a multi-line answer")
            lines.append(line[1:] if line.startswith("..") else line)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def _b64(data):
    return base64.b64encode(data).decode()


def imap_authenticate(conn, client, sasl_ir, tag="A1"):
    """Runs AUTHENTICATE on an IMAP connection (greeting already read) with `client` (Gsasl,
    or any object with start/step/finish). Returns (tagged line, continuation count, untagged
    lines, client exit code or None)."""
    first = client.start()
    server_first = first == ""
    if sasl_ir and not server_first:
        conn.send(f"{tag} AUTHENTICATE {client.mech} {first}")
        pending = None
    else:
        conn.send(f"{tag} AUTHENTICATE {client.mech}")
        pending = None if server_first else first
    continuations = 0
    untagged = []
    while True:
        line = conn.readline()
        if line.startswith("+"):
            continuations += 1
            data = line[2:].strip() if len(line) > 1 else ""
            if pending is not None:
                # The client's first message answers the first challenge (empty, or LOGIN's
                # "Username:", which gsasl does not need to see).
                answer, pending = pending, None
            else:
                answer = client.step(data)
            conn.send(answer)
        elif line.startswith(tag + " ") or line == "":
            rc = client.finish() if line.startswith(tag + " OK") else None
            if rc is None:
                client.kill()
            return line, continuations, untagged, rc
        else:
            untagged.append(line)


def pop3_authenticate(conn, client, sasl_ir):
    """POP3 AUTH (RFC 5034) with `client` (greeting already read). Returns (final line,
    continuation count, client exit code or None)."""
    first = client.start()
    server_first = first == ""
    if sasl_ir and not server_first:
        conn.send(f"AUTH {client.mech} {first}")
        pending = None
    else:
        conn.send(f"AUTH {client.mech}")
        pending = None if server_first else first
    continuations = 0
    while True:
        line = conn.readline()
        if line.startswith("+ ") or line == "+":
            continuations += 1
            data = line[2:].strip()
            if pending is not None:
                # The client's first message answers the first challenge (empty, or LOGIN's
                # "Username:", which gsasl does not need to see).
                answer, pending = pending, None
            else:
                answer = client.step(data)
            conn.send(answer)
        else:
            rc = client.finish() if line.startswith("+OK") else None
            if rc is None:
                client.kill()
            return line, continuations, rc


def imap_capabilities(port):
    conn = Conn(port)
    try:
        conn.readline()
        conn.send("C1 CAPABILITY")
        lines = conn.until_tagged("C1")
    finally:
        conn.close()
    caps = set()
    for line in lines:
        if line.startswith("* CAPABILITY "):
            caps.update(line.split()[2:])
    return caps


def imap_mechanisms(port):
    return {c[5:].upper() for c in imap_capabilities(port) if c.upper().startswith("AUTH=")}


def pop3_mechanisms(port):
    conn = Conn(port)
    try:
        conn.readline()
        conn.send("CAPA")
        if not conn.readline().startswith("+OK"):
            return set()
        for line in conn.pop3_multiline():
            if line.upper().startswith("SASL"):
                return {m.upper() for m in line.split()[1:]}
        return set()
    finally:
        conn.close()


# --- curl ------------------------------------------------------------------------------------
def curl(url, user, password, mech=None, sasl_ir=False, timeout=30, extra=()):
    """curl -v with `mech` forced through --login-options AUTH=mech; localhost resolves to
    127.0.0.1 (the listeners are IPv4). Returns the CompletedProcess (text)."""
    m = re.match(r"(\w+)://localhost:(\d+)", url)
    args = [CURL, "-sS", "-v", "--max-time", str(timeout), "-u", f"{user}:{password}"]
    if m:
        args += ["--resolve", f"localhost:{m.group(2)}:127.0.0.1"]
    if mech:
        args += ["--login-options", f"AUTH={mech}"]
    if sasl_ir:
        args.append("--sasl-ir")
    args += list(extra) + [url]
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout + 10)


# --- system users and PAM (root only) --------------------------------------------------------
def random_password():
    return "Pw-" + secrets.token_urlsafe(12)


class SystemUser:
    """A throwaway real account: useradd -m (uid >= 1000), a random password, a ~/Maildir owned
    by the user. Removed (userdel -r, and the group) on exit."""

    def __init__(self, prefix="satche2e"):
        self.name = prefix + secrets.token_hex(3)
        self.password = random_password()
        self.created = False

    def __enter__(self):
        subprocess.run(["useradd", "-m", "-K", "UID_MIN=20000", "-K", "UID_MAX=29999",
                        "-s", "/usr/sbin/nologin", self.name], check=True, capture_output=True)
        self.created = True
        try:
            subprocess.run(["chpasswd"], input=f"{self.name}:{self.password}\n", text=True,
                           check=True, capture_output=True)
            pw = pwd.getpwnam(self.name)
            self.uid, self.gid, self.home = pw.pw_uid, pw.pw_gid, pw.pw_dir
            for sub in ("cur", "new", "tmp"):
                os.makedirs(self.maildir(sub), exist_ok=True)
            self.chown_all()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def maildir(self, *parts):
        return os.path.join(self.home, "Maildir", *parts)

    def chown_all(self):
        subprocess.run(["chown", "-R", f"{self.uid}:{self.gid}", self.home], check=True)
        os.chmod(self.home, 0o700)

    def deliver(self, text, name=None):
        name = name or f"{time.time():.6f}.P{os.getpid()}.e2e"
        tmp = self.maildir("tmp", name)
        with open(tmp, "w", newline="") as f:
            f.write(text)
        os.chown(tmp, self.uid, self.gid)
        os.rename(tmp, self.maildir("new", name))
        return name

    def __exit__(self, *exc):
        if not self.created:
            return
        # Processes of the user (its mail worker) must be gone before userdel.
        for pid in pids_of_uid(self.uid):
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        subprocess.run(["userdel", "-r", "-f", self.name], capture_output=True)
        subprocess.run(["groupdel", self.name], capture_output=True)
        self.created = False


class PamService:
    """/etc/pam.d/satchel-e2e-XXXX with `text` (default: as etc/pam.d/satchel), removed on
    exit."""

    def __init__(self, text=None):
        self.name = "satchel-e2e-" + secrets.token_hex(3)
        self.path = os.path.join("/etc/pam.d", self.name)
        self.text = text or "@include common-auth\n@include common-account\n"

    def __enter__(self):
        with open(self.path, "x") as f:
            f.write(self.text)
        return self

    def __exit__(self, *exc):
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def ensure_login_user(name="satchel"):
    """The split model's login user must exist; created (system account, no home) when missing
    and deliberately left in place (./dev creates it too). Not root: nothing to do (no split),
    returns None."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                        "/usr/sbin/nologin", name], check=True, capture_output=True)
    return pwd.getpwnam(name)


# --- /proc -----------------------------------------------------------------------------------
def _status(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                out[k] = v.strip()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return out


def proc_info(pid):
    """{pid, comm, ppid, uids (real, effective, saved, fs), gids, root} or None if gone."""
    st = _status(pid)
    if st is None:
        return None
    try:
        root = os.readlink(f"/proc/{pid}/root")
    except OSError:
        root = None
    return {"pid": pid, "comm": st.get("Name", ""), "ppid": int(st.get("PPid", "0")),
            "uids": [int(x) for x in st.get("Uid", "").split()],
            "gids": [int(x) for x in st.get("Gid", "").split()],
            "groups": [int(x) for x in st.get("Groups", "").split()],
            "root": root}


def all_pids():
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


def descendants(pid):
    """Infos of every process below `pid` (children, grandchildren...)."""
    infos = [i for i in (proc_info(p) for p in all_pids()) if i]
    children = {}
    for i in infos:
        children.setdefault(i["ppid"], []).append(i)
    out, pending = [], [pid]
    while pending:
        for c in children.get(pending.pop(), []):
            out.append(c)
            pending.append(c["pid"])
    return out


def processes_named(master_pid, comm):
    return [i for i in descendants(master_pid) if i["comm"] == comm]


def wait_processes(master_pid, comm, count=1, timeout=10, pred=None):
    """At least `count` descendants named `comm` (matching pred), waiting up to timeout."""
    deadline = time.time() + timeout
    while True:
        found = [i for i in processes_named(master_pid, comm) if pred is None or pred(i)]
        if len(found) >= count or time.time() > deadline:
            return found
        time.sleep(0.1)


def pids_of_uid(uid):
    out = []
    for p in all_pids():
        i = proc_info(p)
        if i and i["uids"] and i["uids"][0] == uid:
            out.append(p)
    return out


def socket_inodes(pid):
    """Inodes of the sockets among /proc/PID/fd."""
    out = set()
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]", target)
        if m:
            out.add(int(m.group(1)))
    return out


def tcp_inodes():
    """Inodes of every TCP socket of the machine (/proc/net/tcp and tcp6)."""
    out = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if len(fields) > 9:
                        out.add(int(fields[9]))
        except FileNotFoundError:
            pass
    return out


def can_read_as(uid, gid, path, groups=()):
    """Whether a process with uid/gid (and supplementary groups) may list `path`: a child that
    drops to them and tries (the kernel decides, not a re-implementation of the rules)."""
    def drop():
        os.setgroups(list(groups))
        os.setgid(gid)
        os.setuid(uid)
    r = subprocess.run(["ls", path], preexec_fn=drop, capture_output=True)
    return r.returncode == 0


def timed(fn, *args, **kw):
    """(seconds taken, result or the exception raised)."""
    t0 = time.monotonic()
    try:
        result = fn(*args, **kw)
    except Exception as e:  # noqa: BLE001 - the caller inspects it
        result = e
    return time.monotonic() - t0, result


def login_line(user, mech=None):
    m = re.escape(mech) if mech else r"\S+"
    return rf"login: user={re.escape(user)} rip=127\.0\.0\.1 mech={m}"


def failed_line(user, mech=None, reason=r".+"):
    m = re.escape(mech) if mech else r"\S+"
    return rf"auth failed: user={re.escape(user)} rip=127\.0\.0\.1 mech={m} reason={reason}"


# --- timed logins ----------------------------------------------------------------------------
def imap_login_timed(port, user, password, tag="T1"):
    """(seconds from sending LOGIN to its tagged answer, the tagged line)."""
    conn = Conn(port)
    try:
        conn.readline()
        t0 = time.monotonic()
        conn.send(f'{tag} LOGIN "{user}" "{password}"')
        line = conn.until_tagged(tag)[-1]
        return time.monotonic() - t0, line
    finally:
        conn.close()


def imap_plain_timed(port, user, password, tag="T1"):
    """AUTHENTICATE PLAIN with SASL-IR: (seconds to the tagged answer, the tagged line)."""
    conn = Conn(port)
    try:
        conn.readline()
        ir = _b64(f"\0{user}\0{password}".encode())
        t0 = time.monotonic()
        conn.send(f"{tag} AUTHENTICATE PLAIN {ir}")
        line = conn.until_tagged(tag)[-1]
        return time.monotonic() - t0, line
    finally:
        conn.close()


def pop3_pass_timed(port, user, password):
    """(seconds from sending PASS to its answer, the answer line)."""
    conn = Conn(port)
    try:
        conn.readline()
        conn.send(f"USER {user}")
        conn.readline()
        t0 = time.monotonic()
        conn.send(f"PASS {password}")
        line = conn.readline()
        return time.monotonic() - t0, line
    finally:
        conn.close()


def imap_login_refused(inst, user, password):
    """True when IMAP LOGIN (imaplib) is refused with NO; the connection is closed."""
    client = inst.imap()
    try:
        client.login(user, password)
    except imaplib.IMAP4.error:
        return True
    finally:
        client.shutdown()
    return False


def pop3_login_refused(inst, user, password):
    """True when POP3 USER/PASS (poplib) is refused with -ERR; the connection is closed."""
    client = inst.pop3()
    try:
        client.user(user)
        client.pass_(password)
    except poplib.error_proto:
        return True
    finally:
        client.close()
    return False
