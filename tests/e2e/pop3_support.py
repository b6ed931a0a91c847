"""Helpers shared by the POP3 end-to-end tests: a raw POP3 client that sees the exact wire
bytes, the CRLF form the store serves, and message generators."""

import base64
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile

import satchel_harness as h


def crlf_form(data):
    """The octets POP3 serves for a stored message: every CR, LF or CRLF becomes CRLF (what the
    Maildir store does for files an MTA wrote with bare line ends)."""
    return re.sub(rb"\r\n|\r|\n", b"\r\n", data)


def as_retrieved(data):
    """What a RETR multi-line body carries for a stored message: the CRLF form, plus the CRLF
    RFC 1939 §3 needs before the terminating "." when the message does not end in one."""
    data = crlf_form(data)
    if data and not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data


def unstuff(wire):
    """Undoes RFC 1939 §3 byte-stuffing of a multi-line body (terminator already removed)."""
    lines = wire.split(b"\r\n")
    return b"\r\n".join(l[1:] if l.startswith(b".") else l for l in lines)


def poplib_body(lines):
    """Rebuilds the message from poplib's retr()/top() lines (CRLF removed, un-stuffed)."""
    return b"".join(l + b"\r\n" for l in lines)


def plain_ir(user, password=h.PASSWORD, authzid=""):
    return base64.b64encode(f"{authzid}\0{user}\0{password}".encode()).decode()


class RawPop:
    """A POP3 client on a raw socket: one command at a time or several in one write, and the
    exact bytes of each response."""

    def __init__(self, port, host="127.0.0.1", timeout=15, tls_context=None,
                 server_hostname="localhost"):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        if tls_context is not None:
            self.sock = tls_context.wrap_socket(self.sock, server_hostname=server_hostname)
        self.buf = b""
        self.greeting = self.line()

    def send(self, data):
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed; buffered: %r" % self.buf[:200])
        self.buf += chunk

    def line(self):
        """One response line without its CRLF, as str."""
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("latin-1")

    def multiline_raw(self):
        """The stuffed body of a multi-line response, up to (excluding) the CRLF.CRLF."""
        while True:
            if self.buf.startswith(b".\r\n"):
                self.buf = self.buf[3:]
                return b""
            end = self.buf.find(b"\r\n.\r\n")
            if end >= 0:
                body, self.buf = self.buf[:end + 2], self.buf[end + 5:]
                return body
            self._fill()

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.line()

    def multi(self, line):
        """(status line, un-stuffed body) of a command answered with a multi-line response;
        body is None when the status is -ERR."""
        status = self.cmd(line)
        if not status.startswith("+OK"):
            return status, None
        return status, unstuff(self.multiline_raw())

    def login(self, user, password=h.PASSWORD):
        r = self.cmd("USER " + user)
        assert r.startswith("+OK"), r
        r = self.cmd("PASS " + password)
        assert r.startswith("+OK"), r
        return r

    def quit(self):
        """QUIT, then wait for the server to close: the maildrop lock is free after that."""
        reply = self.cmd("QUIT")
        assert reply.startswith("+OK"), reply
        assert self.closed(), "still open after QUIT"
        self.close()

    def closed(self, timeout=5):
        """True when the server closes the connection (EOF) within `timeout` seconds."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except (socket.timeout, ssl.SSLError, ConnectionResetError):
            return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def corpus_messages():
    """{name: bytes} from tests/corpus/make_corpus.py (the message helper's generator)."""
    out_dir = tempfile.mkdtemp(prefix="pop3-corpus-")
    subprocess.run([sys.executable, os.path.join(h.SOURCE, "tests", "corpus", "make_corpus.py"),
                    out_dir], check=True, capture_output=True)
    out = {}
    for name in sorted(os.listdir(out_dir)):
        with open(os.path.join(out_dir, name), "rb") as f:
            out[name] = f.read()
    return out


def generated_message(i, size, bare_lf=False, dot_lines=False):
    """A message of about `size` octets whose body lines vary with i; with dot_lines some
    lines start with "." (and one is a lone "."), with bare_lf the line ends are LF only."""
    head = (f"From: Sender {i} <s{i}@example.com>\nTo: alice@example.com\n"
            f"Subject: generated {i} size {size}\nMessage-ID: <gen-{i}@example.com>\n"
            f"Date: Mon, 7 Feb 1994 21:52:25 -0800\n\n")
    lines = [head]
    total = len(head)
    n = 0
    while total < size:
        if dot_lines and n % 7 == 0:
            line = "." * (1 + n % 3) + f" dotted line {n}\n" if n % 14 else ".\n"
        else:
            line = f"line {n:06d} of message {i}: " + "abcdefghij" * (1 + (n * 7 + i) % 6) + "\n"
        lines.append(line)
        total += len(line)
        n += 1
    text = "".join(lines).encode()
    return text if bare_lf else text.replace(b"\n", b"\r\n")
