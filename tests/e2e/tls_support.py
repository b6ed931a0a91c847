"""Helpers for the TLS end-to-end tests: extra certificates, openssl s_client, raw TLS clients.

The harness (satchel_harness.py) gives a server with one certificate for localhost signed by
Instance.ca; these helpers add what the TLS tests need on top of it without changing it.
"""

import os
import re
import socket
import ssl
import subprocess

import satchel_harness as h

GEN_TEST_CERT = os.path.join(h.SOURCE, "tools", "gen_test_cert.sh")


def gen_certs(directory, *names, days=None):
    """Certificates for `names` signed by a test CA in `directory` (see tools/gen_test_cert.sh).

    Returns {name: (cert_path, key_path)}; the CA is directory/ca.pem."""
    env = dict(os.environ)
    if days is not None:
        env["GEN_TEST_CERT_DAYS"] = str(days)
    subprocess.run([GEN_TEST_CERT, directory, *names], check=True, capture_output=True, env=env)
    out = {}
    for name in names:
        base = name[3:] if name.startswith("cn:") else name
        if base.startswith("*"):
            base = "_" + base[1:]
        out[name] = (os.path.join(directory, base + ".pem"), os.path.join(directory, base + ".key"))
    return out


def client_context(*cafiles, minimum=None, maximum=None, alpn=None, legacy=False):
    """A verifying client context trusting `cafiles`.

    legacy=True lowers OpenSSL's security level so that the client itself is willing to speak
    TLS 1.0/1.1 (Debian's default level 2 refuses them client-side): a refusal then comes from
    the server."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    for ca in cafiles:
        ctx.load_verify_locations(cafile=ca)
    if legacy:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    if minimum is not None:
        ctx.minimum_version = minimum
    if maximum is not None:
        ctx.maximum_version = maximum
    if alpn is not None:
        ctx.set_alpn_protocols(alpn)
    return ctx


def tls_connect(port, ctx, server_hostname="localhost", host="127.0.0.1", timeout=10):
    """A TLS socket to an implicit-TLS port, handshake done (raises ssl.SSLError on failure)."""
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        return ctx.wrap_socket(sock, server_hostname=server_hostname)
    except BaseException:
        sock.close()
        raise


def peer_names(tls_sock):
    """The DNS names of the certificate the server sent (verified), from its subjectAltName."""
    cert = tls_sock.getpeercert()
    return sorted(v for k, v in cert.get("subjectAltName", ()) if k == "DNS")


def peer_serial(tls_sock):
    return tls_sock.getpeercert()["serialNumber"]


class LineReader(h.RawClient):
    """RawClient over a socket (plain or TLS) that the test made, and may swap under it."""

    def __init__(self, sock):  # pylint: disable=super-init-not-called
        self.sock = sock
        self.buf = b""

    def until_tagged(self, tag):
        return self.read_until_tagged(tag)


def s_client(args, stdin="", timeout=30):
    """Runs `openssl s_client ARGS`; returns (exit code, stdout + stderr)."""
    proc = subprocess.run(["openssl", "s_client", *args], input=stdin, capture_output=True,
                          text=True, errors="replace", timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr


def verify_code(output):
    """The number of the last 'Verify return code: N (...)' line of s_client, or None."""
    codes = re.findall(r"Verify return code: (\d+)", output)
    return int(codes[-1]) if codes else None


def non_loopback_ipv4():
    """A local IPv4 address outside 127/8, or None: connections from it to itself are not
    'loopback' to the server, so the plaintext-password policy applies to them."""
    try:
        out = subprocess.run(["ip", "-o", "-4", "addr", "show"], capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    for m in re.finditer(r"inet (\d+\.\d+\.\d+\.\d+)/", out):
        addr = m.group(1)
        if addr.startswith("127."):
            continue
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.bind((addr, 0))
        except OSError:
            continue
        return addr
    return None


def sign_cert(ca_pem, ca_key, out_pem, out_key, cn, sans=("DNS:localhost", "IP:127.0.0.1")):
    """A new EC key and a certificate for `sans` with subject CN=`cn`, signed by the CA, written
    to temporary files first and renamed over out_pem/out_key (the key with mode 0600), the
    way a certificate renewal tool replaces them."""
    work = os.path.dirname(out_pem)
    ext = os.path.join(work, ".sign.ext")
    csr = os.path.join(work, ".sign.csr")
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectAltName=" + ",".join(sans) + "\n")
    old_umask = os.umask(0o077)
    try:
        subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", out_key + ".new",
                        "-out", csr, "-subj", "/CN=" + cn], check=True, capture_output=True)
        subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key,
                        "-set_serial", "0x" + os.urandom(15).hex(), "-days", "90", "-sha256",
                        "-extfile", ext, "-out", out_pem + ".new"], check=True,
                       capture_output=True)
    finally:
        os.umask(old_umask)
    os.chmod(out_pem + ".new", 0o644)
    os.rename(out_key + ".new", out_key)
    os.rename(out_pem + ".new", out_pem)
    os.remove(ext)
    os.remove(csr)


def make_chain(directory, name, combined=False):
    """A root CA, an intermediate CA signed by it, and a certificate for `name` signed by the
    intermediate. Writes directory/root.pem (what clients trust) and returns (cert, key):
    cert is the leaf followed by the intermediate (the chain the server must send); with
    combined=True the key is appended to that same file (mode 0600) and key is None."""
    os.makedirs(directory, exist_ok=True)

    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=directory)

    def ext(fname, text):
        with open(os.path.join(directory, fname), "w") as f:
            f.write(text)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ca_ext = ("basicConstraints=critical,CA:TRUE\n"
              "keyUsage=critical,keyCertSign,cRLSign\n")
    run("req", "-x509", "-new", *ec, "-keyout", "root.key", "-out", "root.pem", "-days", "30",
        "-subj", "/CN=Satchel chain test root", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    ext("inter.ext", ca_ext)
    run("req", "-new", *ec, "-keyout", "inter.key", "-out", "inter.csr", "-subj",
        "/CN=Satchel chain test intermediate")
    run("x509", "-req", "-in", "inter.csr", "-CA", "root.pem", "-CAkey", "root.key",
        "-set_serial", "0x" + os.urandom(15).hex(), "-days", "30", "-extfile", "inter.ext",
        "-out", "inter.pem")
    ext("leaf.ext", "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        f"subjectAltName=DNS:{name}\n")
    run("req", "-new", *ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", f"/CN={name}")
    run("x509", "-req", "-in", "leaf.csr", "-CA", "inter.pem", "-CAkey", "inter.key",
        "-set_serial", "0x" + os.urandom(15).hex(), "-days", "30", "-extfile", "leaf.ext",
        "-out", "leaf.pem")
    parts = ["leaf.pem", "inter.pem"] + (["leaf.key"] if combined else [])
    chain = os.path.join(directory, "chain.pem")
    with open(chain, "w") as out:
        for part in parts:
            with open(os.path.join(directory, part)) as f:
                out.write(f.read())
    os.chmod(chain, 0o600 if combined else 0o644)
    key = os.path.join(directory, "leaf.key")
    os.chmod(key, 0o600)
    return chain, (None if combined else key)
