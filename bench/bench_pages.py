"""Benchmark every busy page at 20,000 students against a bare Django view, in one run.

    make bench                       # seeds 20,000 students once, runs every benchmark
    DATABASE_URL=sqlite:////tmp/b.sqlite3 DEBUG=1 .venv/bin/python bench/bench_pages.py

What it does:

1. Makes sure the roster has 20,000 students (``seed_demo --students 20000``) and the
   notice's shoot day as recorded (``seed_demo --shoot-day``), so the desk, the board,
   the make-up list and the 学信网 page hold a real day's data.
2. Starts a shared cache (a private redis-server when the machine has one, else the
   database cache), then the portal and a bare Django view (bench/bare_app.py) on
   gunicorn with the same number of sync workers, production settings (DEBUG off).
3. Measures each page's server time in this process: warm, one request at a time, the
   median of several, and the size of its HTML.
4. Loads each page as its role (a real session cookie) from ``--clients`` concurrent
   clients, in turns with the bare view (bare, page, bare, page), and prints the page's
   requests per second as a share of the bare view's, and its p50/p99 latency.

5. With ``--writes N`` the pages are loaded while N writes a second make their cached
   results stale, as on the evening before: ``--writes 10`` is 20,000 students' first
   logins, card checks and payments within three hours, at twice the average rate.

The goals (issue "Scale"): every page ≤ 100 ms server time and ≤ 300 KB of HTML;
anonymous pages ≥ 0.5× the bare view, a student's pages ≥ 0.25×, monitor, crew and
staff pages p99 < 200 ms at 8 concurrent clients. Nothing here asserts: the table says
which goal each page meets.
"""

import argparse
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = 20000
SECRET = "bench-pages-only-not-a-secret-" + "k" * 40
SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": SECRET,
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_COOKIES": "0",
    "LOG_LEVEL": "ERROR",
}
GOAL_MS = 100
GOAL_BYTES = 300_000
GOAL_RATIO = {"anonymous": 0.5, "student": 0.25}
GOAL_P99_MS = 200


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, path: str = "/", seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit("The server on port %d did not answer within %d s." % (port, seconds))


def start_cache(tmp: Path) -> tuple[str, subprocess.Popen | None]:
    """Return the CACHE_URL every process shares, and the cache server if one was started."""
    redis = shutil.which("redis-server")
    if redis:
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
    return "db://bench_cache", None


def django_setup(env: dict) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capture_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare_data() -> None:
    """Seed 20,000 students and the notice's shoot day, unless they are there already."""
    from django.core.management import call_command

    from sessions_app.models import Shot, Student

    if Student.objects.count() < STUDENTS:
        started = time.perf_counter()
        call_command("seed_demo", students=STUDENTS, stdout=open(os.devnull, "w"))
        print("seed_demo --students %d: %.0f s" % (STUDENTS, time.perf_counter() - started))
    if not Shot.objects.exists():
        started = time.perf_counter()
        call_command("seed_demo", shoot_day=True, stdout=open(os.devnull, "w"))
        print("seed_demo --shoot-day: %.0f s" % (time.perf_counter() - started))


def pages_and_sessions():
    """Return [(role, label, path)] and {role: django.test.Client logged in as it}."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from sessions_app.demo.seed import CREW_LOGIN, DEMO_CLASS, STAFF_LOGIN
    from sessions_app.models import Campaign, SchoolClass

    campaign = Campaign.objects.order_by("-graduation_year", "-id").first()
    school_class = SchoolClass.objects.get(campaign=campaign, name=DEMO_CLASS)
    users = get_user_model().objects
    monitor = school_class.monitor
    student = school_class.students.exclude(pk=monitor.pk).filter(user__isnull=False).first()
    clients = {"anonymous": Client()}
    for role, user in (
        ("student", student.user),
        ("monitor", monitor.user),
        ("crew", users.get(username=CREW_LOGIN[0])),
        ("staff", users.get(username=STAFF_LOGIN[0])),
    ):
        clients[role] = Client()
        clients[role].force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    size = school_class.students.count()
    pages = [
        ("anonymous", "首页", "/"),
        ("anonymous", "查询", "/lookup/"),
        ("anonymous", "采集卡核对", "/cards/"),
        ("anonymous", "候拍看板", "/shoot/board/"),
        ("anonymous", "看板刷新", "/shoot/board/?partial=1"),
        ("student", "我的拍摄", "/me/"),
        ("student", "我的缴费", "/payments/mine/"),
        ("monitor", "班长 (%d 人)" % size, "/monitor/"),
        ("monitor", "班级收款", "/payments/class/%d/" % school_class.pk),
        ("monitor", "本班采集卡", "/cards/class/"),
        ("crew", "拍摄台", "/shoot/desk/"),
        ("crew", "拍摄序号", "/shoot/numbers/"),
        ("crew", "补拍名单", "/shoot/makeup/"),
        ("staff", "教务处首页", "/staff/"),
        ("staff", "班级名册", "/staff/classes/%d/" % school_class.pk),
        ("staff", "缴费总览", "/payments/overview/"),
        ("staff", "采集卡批量核对", "/cards/staff/"),
        ("staff", "学信网核对", "/shoot/chsi/"),
    ]
    return pages, clients


def server_times(pages, clients, runs: int) -> dict:
    """Return {path: (warm ms, cold ms, bytes, status)} measured in this process: warm is
    the median of ``runs`` requests once the first has filled the cache; cold the median
    of requests each right after a write made every cached result of the campaign stale
    (as on the day, when the desks write every few seconds)."""
    from capture_portal import cache
    from sessions_app.selectors import campaign_default

    campaign_id = campaign_default().pk
    result = {}
    for role, _label, path in pages:
        client = clients[role]
        response = client.get(path)  # warm: fills the cache as the first visitor would
        warm, cold = [], []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(path)
            warm.append((time.perf_counter() - started) * 1000)
        for _ in range(max(3, runs // 2)):
            cache.bump(campaign_id, *cache.SCOPES)
            started = time.perf_counter()
            client.get(path)
            cold.append((time.perf_counter() - started) * 1000)
        result[path] = (
            statistics.median(warm),
            statistics.median(cold),
            len(response.content),
            response.status_code,
        )
    return result


def load(port: int, path: str, cookie: str, clients: int, seconds: float) -> tuple:
    """Run ``clients`` concurrent clients for ``seconds``; return (rps, latencies ms, errors)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    headers = {"Host": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = cookie

    def client():
        mine, bad = [], 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                conn.close()
                ok = response.status == 200
            except OSError:
                ok = False
            if ok:
                mine.append((time.perf_counter() - started) * 1000)
            else:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    began = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    return len(latencies) / elapsed, latencies, errors[0]


class Writer:
    """Bump the campaign's ``scopes`` in turn, ``rate`` times a second, while in use: what
    the writes of a busy evening (card checks saved, first logins, payments) do to the
    pages' caches. Only the bump is made, not the write: its own request is not the
    page's cost."""

    def __init__(self, campaign_id, scopes, rate: float):
        self.campaign_id, self.scopes, self.rate = campaign_id, scopes, rate
        self.stop = threading.Event()
        self.thread = None

    def __enter__(self):
        if self.rate > 0:
            self.thread = threading.Thread(target=self.run, daemon=True)
            self.thread.start()
        return self

    def run(self):
        from capture_portal import cache

        turn = 0
        while not self.stop.wait(1 / self.rate):
            cache.bump(self.campaign_id, self.scopes[turn % len(self.scopes)])
            turn += 1

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread is not None:
            self.thread.join()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def gunicorn(args: list[str], port: int, workers: int, env: dict, cwd: Path) -> subprocess.Popen:
    binary = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(
        [str(binary), *args, "--workers", str(workers), "--bind", "127.0.0.1:%d" % port]
        + ["--log-level", "warning", "--timeout", "60"],
        cwd=cwd,
        env=env,
        start_new_session=True,
    )


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--seconds", type=float, default=2.5, help="length of one turn (2.5)")
    parser.add_argument("--runs", type=int, default=7, help="requests per server time (7)")
    parser.add_argument(
        "--writes",
        type=float,
        default=0,
        help="scope bumps per second while a page is loaded (0: none, the pages stay warm)",
    )
    parser.add_argument(
        "--write-scopes",
        default="cards,accounts,money",
        help="the scopes the writes bump in turn (cards,accounts,money: the evening before)",
    )
    parser.add_argument("only", nargs="*", help="only the pages whose path contains one of these")
    options = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-pages-"))
    cache_url, cache_server = start_cache(tmp)
    env = dict(os.environ, **SERVER_ENV, CACHE_URL=cache_url, STATIC_ROOT=str(tmp / "static"))
    env.setdefault("DATABASE_URL", "sqlite:///%s" % (ROOT / "db.sqlite3"))
    servers = []
    try:
        django_setup(env)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if cache_url.startswith("db://"):
            call_command("createcachetable", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        prepare_data()
        pages, clients = pages_and_sessions()
        if options.only:
            pages = [
                p
                for p in pages
                if any(p[2] == o or (len(o) > 1 and o in p[2]) for o in options.only)
            ]
        from django.conf import settings

        cookies = {
            role: (
                "%s=%s"
                % (settings.SESSION_COOKIE_NAME, c.cookies[settings.SESSION_COOKIE_NAME].value)
                if settings.SESSION_COOKIE_NAME in c.cookies
                else ""
            )
            for role, c in clients.items()
        }
        print(
            "database: %s · cache: %s · gunicorn %d sync workers · %d clients · %.1f s turns"
            % (
                settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
                cache_url.split(":")[0],
                options.workers,
                options.clients,
                options.seconds,
            ),
            flush=True,
        )
        from sessions_app.selectors import campaign_default

        campaign_id = campaign_default().pk
        write_scopes = [scope.strip() for scope in options.write_scopes.split(",") if scope]
        if options.writes:
            print(
                "while each page is loaded: %.1f writes/s, bumping %s in turn"
                % (options.writes, ", ".join(write_scopes)),
                flush=True,
            )
        times = server_times(pages, clients, options.runs)

        portal_port, bare_port = free_port(), free_port()
        servers.append(
            gunicorn(["capture_portal.wsgi:application"], portal_port, options.workers, env, ROOT)
        )
        servers.append(
            gunicorn(["bare_app:application"], bare_port, options.workers, env, ROOT / "bench")
        )
        wait_for(portal_port)
        wait_for(bare_port)
        # One pass over every page so each worker process has its code and cache warm.
        for role, _label, path in pages:
            load(portal_port, path, cookies[role], options.workers, 0.3)

        header = "%-10s %-18s %-28s %8s %8s %8s %7s %7s %7s %8s %s" % (
            "role",
            "page",
            "path",
            "warm",
            "cold",
            "HTML KB",
            "ratio",
            "p50",
            "p99",
            "errors",
            "goals",
        )
        print(header)
        print("-" * len(header))
        missed = slow_cold = 0
        every_bare: list[float] = []
        for role, label, path in pages:
            bare_rps, page_rps, latencies, errors = [], [], [], 0
            for _ in range(2):  # A B A B
                rps, _lat, _err = load(bare_port, "/", "", options.clients, options.seconds)
                bare_rps.append(rps)
                with Writer(campaign_id, write_scopes, options.writes):
                    rps, lat, err = load(
                        portal_port, path, cookies[role], options.clients, options.seconds
                    )
                page_rps.append(rps)
                latencies += lat
                errors += err
            ms, cold, size, status = times[path]
            every_bare += bare_rps
            slow_cold += cold > GOAL_MS
            ratio = statistics.mean(page_rps) / statistics.mean(bare_rps)
            p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
            goals = []
            goals.append("server %s" % ("ok" if ms <= GOAL_MS and status == 200 else "MISSED"))
            goals.append("size %s" % ("ok" if size <= GOAL_BYTES else "MISSED"))
            if role in GOAL_RATIO:
                goals.append(
                    "ratio≥%.2g %s"
                    % (GOAL_RATIO[role], "ok" if ratio >= GOAL_RATIO[role] else "MISSED")
                )
            else:
                goals.append("p99<%d %s" % (GOAL_P99_MS, "ok" if p99 < GOAL_P99_MS else "MISSED"))
            missed += sum("MISSED" in g for g in goals) + (errors > 0)
            print(
                "%-10s %-18s %-28s %6.1fms %6.1fms %8.1f %6.3fx %5.0fms %5.0fms %8d %s"
                % (
                    role,
                    label,
                    path[:28],
                    ms,
                    cold,
                    size / 1024,
                    ratio,
                    p50,
                    p99,
                    errors,
                    " · ".join(goals),
                ),
                flush=True,
            )
        print("bare view: %.0f requests/s (mean of every turn)." % statistics.mean(every_bare))
        print(
            "goals missed: %d; pages over %d ms when cold (every scope just bumped, as after "
            "a roster import): %d" % (missed, GOAL_MS, slow_cold)
        )
        return 0
    finally:
        for server in servers:
            stop(server)
        if cache_server is not None:
            cache_server.terminate()
            cache_server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
