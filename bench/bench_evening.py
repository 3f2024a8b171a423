"""The evening before the shoot at 20,000 students: first logins beside monitors paying.

    make bench                       # seeds 20,000 students once, runs every benchmark
    DATABASE_URL=sqlite:////tmp/b.sqlite3 DEBUG=1 .venv/bin/python bench/bench_evening.py

What it does:

1. Makes sure the roster has 20,000 students (``seed_demo --students 20000``), issues
   printed passwords to students who have never logged in (``student_accounts_issue``,
   as the class page does) and gives a few classes a monitor with a session.
2. Starts a shared cache (a private redis-server when the machine has one, else the
   database cache) and the portal on gunicorn with production settings (DEBUG off):
   sync workers and gthread workers (``--threads`` each), the same number of both, in
   turns (sync, gthread, sync, gthread), each started afresh and warmed up first.
3. Measures, for each: a cheap page (``--cheap``, the public home) requested every
   0.1 s at rest; then the same page while ``--logins`` students do their first login
   one after the other (the login page, sign-in with the printed password, the forced
   change, ``/me/``, the card check or the code check) and ``--monitors`` monitors record
   a payment each ``--pay-every`` seconds.
4. Counts every PBKDF2 run inside the workers (a gunicorn hook wraps Django's pbkdf2)
   and prints the hashes per first login by kind, the first logins per hour of this
   2-core host (from the wall time, and from the workers' CPU), the workers' CPU and the
   wall time, and the cheap page's p50/p99 at rest and meanwhile.

Every client has its own address in X-Forwarded-For (TRUSTED_PROXY_COUNT=1), as a class
of phones behind nginx would: the rate limits and lockouts stay on as in production.
Nothing here asserts: the goal (one slow hash per password event; cheap pages let
through while a login hashes) is read off the table.
"""

import argparse
import os
import queue
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import (
    Browser,
    clean_up,
    free_port,
    percentile,
    production_env,
    start_cache,
    stop,
    wait_for,
    worker_cpu,
)

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = 20000
SECRET = "bench-evening-only-not-a-secret-" + "k" * 40
# The bench's clients stand behind one proxy, each with its own address.
SERVER_ENV = production_env(SECRET, TRUSTED_PROXY_COUNT="1")
# Loaded by gunicorn (-c): every PBKDF2 run of a worker is written to BENCH_HASH_LOG.
HASH_HOOK = """
import os


def post_worker_init(worker):
    from django.contrib.auth import hashers as django_hashers

    from capture_portal import hashers

    real, log = django_hashers.pbkdf2, os.environ["BENCH_HASH_LOG"]

    def counted(password, salt, iterations, dklen=0, digest=None):
        with open(log, "a") as out:
            out.write("%d\\n" % iterations)
        return real(password, salt, iterations, dklen, digest)

    django_hashers.pbkdf2 = hashers.pbkdf2 = counted
"""


def first_login(port: int, address: str, username: str, printed: str) -> None:
    """Do one student's first evening: sign in, the forced change, their page, the check."""
    phone = Browser(port, address)
    _path, page = phone.visit("/accounts/login/")
    where, page = phone.form_post(
        "/accounts/login/", page, {"username": username, "password": printed}
    )
    if where != "/accounts/password/":
        raise RuntimeError("%s landed on %s, not the forced change" % (username, where))
    new = "Evening-%s" % secrets.token_urlsafe(8)
    where, _page = phone.form_post(
        "/accounts/password/", page, {"new_password1": new, "new_password2": new}
    )
    if where == "/accounts/password/":
        raise RuntimeError("%s: the new password was refused" % username)
    phone.visit("/me/")
    phone.visit("/cards/")  # the card check (a code campaign sends the student to its own)


def setup(options):
    """Return the printed passwords to use, the monitors' session cookies and the
    students each may record a payment for."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from payments_app.models import Payment
    from sessions_app import services
    from sessions_app.models import SchoolClass, Student
    from sessions_app.selectors import campaign_default

    if Student.objects.count() < STUDENTS:
        started = time.perf_counter()
        call_command("seed_demo", students=STUDENTS, stdout=open(os.devnull, "w"))
        print("seed_demo --students %d: %.0f s" % (STUDENTS, time.perf_counter() - started))
    campaign = campaign_default()
    classes = list(
        SchoolClass.objects.filter(campaign=campaign).order_by("name")[: options.monitors]
    )
    monitors = []
    for school_class in classes:
        monitor = school_class.monitor
        if monitor is None or monitor.user_id is None:
            monitor = school_class.students.order_by("student_id").first()
            services.student_accounts_issue(students=[monitor])
            Student.objects.filter(pk=monitor.pk).update(must_change_password=False)
            services.class_monitor_set(school_class=school_class, student=monitor)
            monitor.refresh_from_db()
        client = Client()
        client.force_login(
            get_user_model().objects.get(pk=monitor.user_id),
            backend="django.contrib.auth.backends.ModelBackend",
        )
        unpaid = list(
            school_class.students.exclude(
                pk__in=Payment.objects.filter(student__school_class=school_class).values(
                    "student_id"
                )
            ).values_list("pk", flat=True)
        )
        monitors.append(
            (
                school_class.pk,
                {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value},
                unpaid,
            )
        )
    fresh = list(
        Student.objects.filter(campaign=campaign, user__isnull=True)
        .exclude(school_class__in=classes)
        .order_by("student_id")[: options.issue]
    )
    started = time.perf_counter()
    issued = [(s.student_id, p) for s, p in services.student_accounts_issue(students=fresh)]
    print(
        "printed passwords issued: %d in %.1f s · monitors: %d"
        % (len(issued), time.perf_counter() - started, len(monitors)),
        flush=True,
    )
    return issued, monitors


def gunicorn(port: int, options, worker_class: str, env: dict, hook: Path) -> subprocess.Popen:
    binary = Path(sys.executable).with_name("gunicorn")
    args = [str(binary), "capture_portal.wsgi:application", "-c", str(hook)]
    args += ["--workers", str(options.workers), "--bind", "127.0.0.1:%d" % port]
    args += ["--worker-class", worker_class, "--log-level", "warning", "--timeout", "120"]
    if worker_class == "gthread":
        args += ["--threads", str(options.threads)]
    return subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)


def warm_up(port: int, options, issued: queue.Queue) -> None:
    """Send each worker (and thread) its first requests, which load the code, before
    anything is measured: a first login per worker, and the cheap page."""
    logins = [
        threading.Thread(target=first_login, args=(port, "10.4.0.%d" % n, *issued.get()))
        for n in range(options.workers)
    ]
    for thread in logins:
        thread.start()
    for thread in logins:
        thread.join()
    phone = Browser(port, "10.4.1.1")
    for _ in range(options.workers * options.threads * 2):
        phone.request("GET", options.cheap)


def probe(port: int, path: str, until: threading.Event, address: str) -> list[float]:
    """Request ``path`` every 0.1 s until ``until`` is set; return the latencies in ms."""
    phone, latencies = Browser(port, address), []
    while not until.is_set():
        started = time.perf_counter()
        status, _location, _content = phone.request("GET", path)
        if status == 200:
            latencies.append((time.perf_counter() - started) * 1000)
        until.wait(max(0.0, 0.1 - (time.perf_counter() - started)))
    return latencies


@dataclass
class Figures:
    """What the turns of one worker class measured, added up."""

    logins: int = 0
    errors: list = field(default_factory=list)
    runs: list = field(default_factory=list)  # the iterations of every PBKDF2 run
    cpu: float = 0.0
    wall: float = 0.0
    at_rest: list = field(default_factory=list)  # the cheap page's latencies, ms
    cheap: list = field(default_factory=list)  # the same, during the first logins


def evening(port, options, master, issued: queue.Queue, monitors, hash_log: Path, figures):
    """Run the first logins, the payments and the cheap page together, into ``figures``."""
    stop_new, done = threading.Event(), threading.Event()
    lock = threading.Lock()
    logins = [0]

    def student():
        while not stop_new.is_set():
            try:
                username, printed = issued.get_nowait()
            except queue.Empty:
                return
            address = "10.1.%d.%d" % divmod(int(username) % 62500, 250)
            try:
                first_login(port, address, username, printed)
                with lock:
                    logins[0] += 1
            except (OSError, RuntimeError) as error:
                with lock:
                    figures.errors.append(str(error))

    def monitor(number: int, class_pk: int, cookies: dict, unpaid: list[int]):
        phone = Browser(port, "10.2.0.%d" % (number + 1), cookies)
        path = "/payments/class/%d/" % class_pk
        _where, page = phone.visit(path)
        while not stop_new.is_set() and unpaid:
            started = time.monotonic()
            try:
                _where, page = phone.form_post(
                    path + "record/", page, {"one": unpaid.pop(), "method": "cash"}
                )
            except (OSError, RuntimeError) as error:
                with lock:
                    figures.errors.append(str(error))
            stop_new.wait(max(0.0, options.pay_every - (time.monotonic() - started)))

    hash_log.write_text("")
    cpu_before, began = worker_cpu(master), time.perf_counter()
    threads = [threading.Thread(target=student) for _ in range(options.logins)]
    threads += [threading.Thread(target=monitor, args=(n, *m)) for n, m in enumerate(monitors)]
    cheap: list[float] = []
    prober = threading.Thread(
        target=lambda: cheap.extend(probe(port, options.cheap, done, "10.3.0.1"))
    )
    for thread in threads + [prober]:
        thread.start()
    time.sleep(options.seconds)
    stop_new.set()  # the logins under way finish, so that every hash is one of a login
    for thread in threads:
        thread.join()
    done.set()
    prober.join()
    figures.wall += time.perf_counter() - began
    figures.cpu += worker_cpu(master) - cpu_before
    figures.logins += logins[0]
    figures.runs += [int(line) for line in hash_log.read_text().split()]
    figures.cheap += cheap


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=8, help="threads of a gthread worker (8)")
    parser.add_argument("--logins", type=int, default=6, help="students logging in at once (6)")
    parser.add_argument("--monitors", type=int, default=4, help="monitors recording payments (4)")
    parser.add_argument(
        "--pay-every", type=float, default=1.0, help="seconds between a monitor's payments (1)"
    )
    parser.add_argument("--seconds", type=float, default=20, help="length of a turn (20)")
    parser.add_argument("--turns", type=int, default=2, help="turns of each worker class (2)")
    parser.add_argument("--rest", type=float, default=5, help="the cheap page alone first (5)")
    parser.add_argument("--cheap", default="/", help="the cheap page requested meanwhile (/)")
    parser.add_argument(
        "--issue", type=int, default=1000, help="printed passwords issued for the turns (1000)"
    )
    options = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-evening-"))
    cache_url, cache_server = start_cache(tmp)
    hash_log = tmp / "hashes.log"
    hook = tmp / "count_hashes.py"
    hook.write_text(HASH_HOOK)
    env = dict(os.environ, **SERVER_ENV, CACHE_URL=cache_url, STATIC_ROOT=str(tmp / "static"))
    env["BENCH_HASH_LOG"] = str(hash_log)
    env.setdefault("DATABASE_URL", "sqlite:///%s" % (ROOT / "db.sqlite3"))
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capture_portal.settings")
    sys.path.insert(0, str(ROOT))
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher
        from django.core.management import call_command

        from capture_portal.hashers import InitialPasswordHasher

        call_command("migrate", verbosity=0)
        if cache_url.startswith("db://"):
            call_command("createcachetable", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        issued, monitors = setup(options)
        default = get_hasher("default")
        slow_iterations = default.iterations if isinstance(default, PBKDF2PasswordHasher) else 0
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in range(3):
            default.encode("Evening-baseline-1", default.salt())
        hash_cpu = (time.process_time() - cpu_started) / 3
        hash_wall = (time.perf_counter() - started) / 3
        print(
            "database: %s · cache: %s · %d workers · %d students logging in at once · "
            "%d monitors paying every %.1f s · %d turns of %.0f s each"
            % (
                settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
                cache_url.split(":")[0],
                options.workers,
                options.logins,
                len(monitors),
                options.pay_every,
                options.turns,
                options.seconds,
            )
        )
        print(
            "one default-hasher hash (%s, %d iterations) in this process: %.0f ms CPU, "
            "%.0f ms wall"
            % (default.algorithm, slow_iterations, hash_cpu * 1000, hash_wall * 1000),
            flush=True,
        )
        passwords: queue.Queue = queue.Queue()
        for pair in issued:
            passwords.put(pair)
        # A B A B: each worker class in turn, so that the machine's other load falls on both.
        figures = {"sync": Figures(), "gthread": Figures()}
        for _turn in range(options.turns):
            for worker_class, figure in figures.items():
                port = free_port()
                server = gunicorn(port, options, worker_class, env, hook)
                try:
                    wait_for(port)
                    warm_up(port, options, passwords)
                    resting = threading.Event()
                    threading.Timer(options.rest, resting.set).start()
                    figure.at_rest += probe(port, options.cheap, resting, "10.3.0.2")
                    evening(port, options, server.pid, passwords, monitors, hash_log, figure)
                finally:
                    stop(server)

        kind = {slow_iterations: "slow", InitialPasswordHasher.iterations: "light"}
        header = "%-9s %6s %10s %11s %5s %9s %8s %6s %6s %15s %15s %6s" % (
            "workers",
            "logins",
            "slow/login",
            "light/login",
            "other",
            "/h (wall)",
            "/h (CPU)",
            "CPU s",
            "wall s",
            "cheap at rest",
            "cheap meanwhile",
            "errors",
        )
        print(header)
        print("-" * len(header))
        for worker_class, f in figures.items():
            kinds = {"slow": 0, "light": 0, "other": 0}
            for iterations in f.runs:
                kinds[kind.get(iterations, "other")] += 1
            per = max(f.logins, 1)
            print(
                "%-9s %6d %10.2f %11.2f %5d %9.0f %8.0f %6.1f %6.1f %6.0f/%-5.0fms %6.0f/%-5.0fms %6d"
                % (
                    worker_class + ("×%d" % options.threads if worker_class == "gthread" else ""),
                    f.logins,
                    kinds["slow"] / per,
                    kinds["light"] / per,
                    kinds["other"],
                    f.logins / f.wall * 3600,
                    # The host's 2 cores wholly the workers', at this run's CPU per login.
                    2 * 3600 / (f.cpu / per) if f.cpu else float("nan"),
                    f.cpu,
                    f.wall,
                    percentile(f.at_rest, 0.5),
                    percentile(f.at_rest, 0.99),
                    percentile(f.cheap, 0.5),
                    percentile(f.cheap, 0.99),
                    len(f.errors),
                ),
                flush=True,
            )
            for error in f.errors[:3]:
                print("    error: %s" % error)
        print(
            "a first login's worker CPU (with its share of the payments), in default hashes: "
            + " · ".join(
                "%s %.2f" % (name, f.cpu / max(f.logins, 1) / hash_cpu)
                for name, f in figures.items()
            )
        )
        print(
            "goal: one slow hash per password event (a first login has two: the printed "
            "password, checked with the light hash, and the new one) · the cheap page's p99 "
            "meanwhile near its p99 at rest with gthread"
        )
        return 0
    finally:
        clean_up(cache_server, tmp)


if __name__ == "__main__":
    sys.exit(main())
