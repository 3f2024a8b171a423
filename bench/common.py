"""What the HTTP benchmarks share: ports, a private cache server, gunicorn, a client.

Imported by bench_pages.py and bench_evening.py (run from the repository root, with
bench/ on the path as a script's own folder always is).
"""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def production_env(secret: str, **more: str) -> dict:
    """Return the settings the benchmarks' servers run with: production's (DEBUG off,
    database connections kept as docs/operations.md sets them), on plain HTTP."""
    return {
        "DEBUG": "0",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "ERROR",
        "DB_CONN_MAX_AGE": "60",
        **more,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def start_cache(tmp: Path) -> tuple[str, subprocess.Popen | None]:
    """Return the CACHE_URL every process shares, and the cache server if one was started:
    a private redis-server when the machine has one, else the database cache."""
    redis = shutil.which("redis-server")
    if not redis:
        return "db://bench_cache", None
    port = free_port()
    server = subprocess.Popen(
        [redis, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return "redis://127.0.0.1:%d/0" % port, server


def clean_up(cache_server: subprocess.Popen | None, tmp: Path) -> None:
    """Stop the private cache server, if one was started, and remove the scratch folder."""
    if cache_server is not None:
        cache_server.terminate()
        cache_server.wait(timeout=10)
    shutil.rmtree(tmp, ignore_errors=True)


def stop(process: subprocess.Popen | None) -> None:
    """Stop a server started with start_new_session=True, and its workers."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            Browser(port).request("GET", "/")
            return
        except OSError:
            time.sleep(0.2)
    sys.exit("The server on port %d did not answer within %d s." % (port, seconds))


def worker_cpu(master: int) -> float:
    """Return the CPU seconds (user + system) of the gunicorn master's workers so far."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # ppid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


class Browser:
    """One phone or desk: its cookies, its address (X-Forwarded-For, for a server that
    trusts one proxy), a request at a time on a new connection."""

    def __init__(self, port: int, address: str = "127.0.0.1", cookies: dict | None = None):
        self.port, self.address = port, address
        self.cookies = dict(cookies or {})
        self.took = 0.0  # ms of the last request

    def request(self, method: str, path: str, fields: dict | None = None):
        """Send one request; return (status, Location, page)."""
        headers = {"Host": "127.0.0.1", "X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join("%s=%s" % item for item in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        self.took = (time.perf_counter() - started) * 1000
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", content

    def visit(self, path: str, fields: dict | None = None, took: list | None = None):
        """Send one request and follow its redirects as a browser does; return the final
        path (without its query) and page. Anything but 200 in the end is an error. Each
        request's time is appended to ``took`` when given."""
        method = "POST" if fields is not None else "GET"
        for _ in range(5):
            status, location, content = self.request(method, path, fields)
            if took is not None:
                took.append(self.took)
            if status in (301, 302, 303):
                parts = urlsplit(location)
                path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
                method, fields = "GET", None
                continue
            if status != 200:
                raise RuntimeError("%s %s answered %d" % (method, path, status))
            return urlsplit(path).path, content
        raise RuntimeError("%s redirects too often" % path)

    def form_post(self, path: str, page: str, fields: dict, took: list | None = None):
        """Post ``fields`` with the CSRF token of ``page``, following the redirect."""
        token = TOKEN.search(page)
        if token is None:
            raise RuntimeError("no form on %s" % path)
        return self.visit(path, dict(fields, csrfmiddlewaretoken=token.group(1)), took)
