"""Benchmark driver for `make bench` (SPEC 6).

Creates a fresh database (PostgreSQL `clinic_bench` on the server `DATABASE_URL` points at, else
the SQLite file `bench/bench.sqlite3`), migrates and seeds it, serves the app with gunicorn under
production settings plus a bare floor view (`bench.settings`), and loads each URL from a separate
process on loopback with wrk at fixed concurrency for a fixed time. Prints one line per URL and
writes the same to `bench/results/latest.json`.

Each page is reported as a ratio to the floor measured in the same run: absolute numbers drift
10-30 % between runs on a shared machine, ratios much less.
"""

import argparse
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results" / "latest.json"
GUNICORN_LOG = BENCH / "results" / "gunicorn.log"
SQLITE_FILE = BENCH / "bench.sqlite3"
POSTGRES_NAME = "clinic_bench"
# seed_demo flags and sizes; a flag is passed only when `seed_demo --help` lists it, so the bench
# works before the booking and articles apps add theirs and picks them up once they do.
SEED = {"--doctors": 1000, "--appointments": 200_000, "--articles": 200}
# `--appointments` picks the table size (SPEC 6: every figure at 1,000,000 within 0.9 x of 10,000).
SITE_FILE = BENCH / "results" / "site_paths.txt"
# Searches patients run on the list, added to the sitemap's URLs for the whole-site target.
LIST_SEARCHES = [
    "q=sciatica",
    "q=slipped+disc",
    "q=back+pain&sort=soonest",
    "q=neck&available=week",
    "available=today",
    "available=week&sort=soonest",
    "sort=soonest",
    "sort=fee",
    "sort=recommendation",
    "sort=experience",
    "q=dr+rao",
    "q=spine+surgeon+bangalore",
    "q=herniated+disc&sort=fee",
    "q=sciatca",
    "page=2",
    "page=5&sort=experience",
]
# Pages measured in-process as misses (no page cache): CPU time per render, median of MISS_ROUNDS.
MISS_ROUNDS = 7


# Doctors whose free slots the booking POST books (about 200 each over 14 days), in shuffled order: with
# only a few doctors their slots ran out within one run and the repeats measured the cheap
# double-submit answer (issue 14, item 5).
BOOKING_DOCTORS = 200
BOOKING_FILE = BENCH / "results" / "booking_requests.tsv"


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    lua: str = ""  # wrk script for this URL (e.g. POST bodies), placed above report.lua
    headers: tuple[tuple[str, str], ...] = ()  # request headers (e.g. HX-Request for an htmx fragment)

    def script(self) -> str:
        """The Lua placed above report.lua: header lines, then the target's own script."""
        lines = [f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}" for name, value in self.headers]
        return "\n".join([*lines, self.lua])


def targets(sample: dict, booking_lua: str, site_lua: str) -> list[Target]:
    """The URLs to load, floor first; the booking POST last, since it writes."""
    return [
        Target("floor", "/bench/floor"),
        Target("home", "/"),
        Target("doctor list (filters)", f"/doctors/?q=pain&city={sample['city']}&sort=experience"),
        # What patients type (issue 13): a misspelt condition and another name for a city, read against
        # the vocabulary (every active doctor's name included), then the suggestions as they type.
        Target("doctor search (typo + city alias)", "/doctors/?q=sciatca+bangalore"),
        Target(
            "search suggestions (htmx)", "/search/suggestions/?q=herni", headers=(("HX-Request", "true"),)
        ),
        Target("doctor profile", f"/doctors/{sample['doctor']}/"),
        Target("article", f"/articles/{sample['article']}/"),
        Target("availability JSON (14 days)", availability_path(sample["doctor"], sample["today"])),
        Target("whole site, random order", "/", lua=site_lua),
        Target("booking POST", "/book/", lua=booking_lua),
    ]


def availability_path(slug: str, today: str) -> str:
    return f"/api/v1/doctors/{slug}/availability/?from={today}&days=14"


# Run inside the seeded database: real slugs to request, and the size of what was seeded.
SAMPLE_CODE = """
import json
from django.apps import apps
from appointments.availability import local_today
from articles.models import Article
from doctors.models import Doctor
doctors = Doctor.objects.active().select_related("location").order_by("pk")
doctor = doctors[doctors.count() // 2]
articles = Article.objects.published().order_by("pk")
article = articles[articles.count() // 2]
step = max(1, doctors.count() // BOOKING_DOCTORS)
booking = [d.slug for d in doctors[::step][:BOOKING_DOCTORS] if d.pk != doctor.pk]
counts = {m._meta.label: m.objects.count() for a in ("doctors", "appointments", "articles")
          for m in apps.get_app_config(a).get_models()}
print(json.dumps({"doctor": doctor.slug, "city": doctor.location.city, "article": article.slug,
                  "today": local_today(doctor).isoformat(), "booking_doctors": booking, "counts": counts}))
""".replace("BOOKING_DOCTORS", str(BOOKING_DOCTORS))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 8)))
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 2)))
    parser.add_argument(
        "--appointments",
        type=int,
        default=int(os.environ.get("BENCH_APPOINTMENTS", SEED["--appointments"])),
        help="appointments to seed (10000, 200000, 1000000 ...)",
    )
    parser.add_argument("--no-miss", action="store_true", help="skip the in-process miss costs")
    args = parser.parse_args()
    SEED["--appointments"] = args.appointments
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk (make bench does this)")

    started = time.monotonic()
    env, database = bench_environment()
    step(f"fresh {database} database")
    recreate_database(env)
    step("migrate")
    manage(env, "migrate", "--noinput", "-v0")
    help_text = manage(env, "seed_demo", "--help")
    seed_flags = [f"{flag}={size}" for flag, size in SEED.items() if flag in help_text]
    step(f"seed_demo {' '.join(seed_flags)}")
    seeding = time.monotonic()
    # A million appointments take minutes to write on a busy machine: a second per thousand on top.
    manage(env, "seed_demo", *seed_flags, timeout=240 + args.appointments / 1000)
    seed_seconds = round(time.monotonic() - seeding, 1)
    print(f"    seeded in {seed_seconds} s")
    sample = json.loads(manage(env, "shell", "-c", SAMPLE_CODE).strip().splitlines()[-1])
    print(f"    seeded: {', '.join(f'{label} {n:,}' for label, n in sample['counts'].items())}")
    step("collectstatic")
    manage(env, "collectstatic", "--noinput", "-v0")
    misses = {}
    if not args.no_miss:
        step(f"miss cost in-process (no page cache, median of {MISS_ROUNDS})")
        misses = json.loads(manage(env, "shell", "-c", miss_code(sample)).strip().splitlines()[-1])
        for name, cost in misses.items():
            print(
                f"    {name:<28} {cost['cpu_ms']:>6.1f} ms CPU  {cost['wall_ms']:>6.1f} ms wall  {cost['queries']} queries"
            )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    step(f"gunicorn: {args.workers} sync workers on {base}")
    server = start_gunicorn(env, port, args.workers)
    try:
        wait_until_healthy(server, base)
        booking = prepare_bookings(base, sample, args.threads)
        print(
            f"    booking POST: {booking['slots']:,} distinct free slots of {len(sample['booking_doctors'])} doctors"
        )
        site = prepare_site(base, args.threads)
        print(
            f"    whole site: {site['paths']:,} paths (sitemap + {len(LIST_SEARCHES)} list searches), shuffled;"
            f" first pass (every page a miss, 4 at a time): {site['cold_per_s']} req/s"
        )
        plan = targets(sample, booking["lua"], site["lua"])
        preflight(base, plan)
        print(f"    wrk -t{args.threads} -c{args.connections} -d{args.duration}s per URL\n")
        results = []
        for target in plan:
            result = load(base, target, args)
            results.append(result)
            floor = results[0]["requests_per_s"]
            result["ratio_to_floor"] = round(result["requests_per_s"] / floor, 3) if floor else None
            print(format_line(result), flush=True)
    finally:
        stop(server)

    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database,
        "machine": machine(),
        "load": {
            "tool": "wrk",
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "gunicorn_workers": args.workers,
            "worker_class": "sync",
        },
        "seed": {"flags": seed_flags, "counts": sample["counts"], "seconds": seed_seconds},
        "page_cache": "redis" if env.get("REDIS_URL") else "off (no REDIS_URL)",
        "results": results,
        "miss_cost": misses,
        "whole_site_first_pass_per_s": site["cold_per_s"],
        "elapsed_s": round(time.monotonic() - started, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {RESULTS.relative_to(ROOT)} ({report['elapsed_s']} s in all)")
    return 0


def step(message: str) -> None:
    print(f"::: {message}", flush=True)


def bench_environment() -> tuple[dict, str]:
    """Production settings (debug off) with a throwaway key, plain HTTP on loopback, a bench database."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_DEBUG"}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    if env.get("REDIS_URL"):
        # The page cache and its version counters need the shared cache (every gunicorn worker sees
        # them); a fresh key prefix per run keeps old pages out.
        env["CACHE_KEY_PREFIX"] = f"bench-{secrets.token_hex(4)}"
        env["PAGE_CACHE_ENABLED"] = "1"
    if env.get("DATABASE_URL"):
        # Always a database of our own on that server, never the one in the URL: we drop it.
        env["DATABASE_URL"] = urlunsplit(urlsplit(env["DATABASE_URL"])._replace(path=f"/{POSTGRES_NAME}"))
        return env, "postgresql"
    env["SQLITE_PATH"] = str(SQLITE_FILE)
    return env, "sqlite"


def recreate_database(env: dict, name: str = POSTGRES_NAME) -> None:
    if "DATABASE_URL" in env:
        import psycopg

        admin_url = urlunsplit(urlsplit(env["DATABASE_URL"])._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {name}")
        return
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)


def manage(env: dict, *args: str, timeout: float = 240) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    GUNICORN_LOG.parent.mkdir(parents=True, exist_ok=True)
    GUNICORN_LOG.unlink(missing_ok=True)
    command = [
        sys.executable, "-m", "gunicorn", "clinic.wsgi:application",
        "--chdir", str(ROOT),
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--worker-class", "sync",
        "--log-level", "warning",
        "--error-logfile", str(GUNICORN_LOG),
        # gunicorn.conf.py's access log is formatted as in production but not kept: a line per request
        # at thousands of requests a second would flood the bench's own output.
        "--access-logfile", os.devnull,
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def wait_until_healthy(server: subprocess.Popen, base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}; see {GUNICORN_LOG}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:  # refused, reset, or a read that timed out on a busy machine: try again
            time.sleep(0.2)
    sys.exit(f"gunicorn did not answer /healthz within {timeout:.0f} s; see {GUNICORN_LOG}")


def preflight(base: str, plan: list[Target]) -> None:
    """A benchmark of an error page measures nothing: every plain GET must answer 200 first (the
    booking POST was tried once in `prepare_bookings`)."""
    for target in plan:
        if target.lua:
            continue
        try:
            request = urllib.request.Request(base + target.path, headers=dict(target.headers))
            with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200:
            sys.exit(f"{target.name} ({target.path}) answered {status}, not 200")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def http(
    base: str, path: str, data: bytes | None = None, cookie: str = "", timeout: float = 15
) -> tuple[int, dict, bytes]:
    """One request without following redirects: (status, headers, body)."""
    request = urllib.request.Request(base + path, data=data, headers={"Cookie": cookie} if cookie else {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def prepare_bookings(base: str, sample: dict, threads: int) -> dict:
    """Free slots of many doctors from the JSON endpoint, one booking form body per slot, and a wrk
    script that posts them in turn. One slot is booked here first to check the POST works (302 to
    the manage page); the rest go to wrk. Each body has its own mobile number and form token, so
    neither "one booking per mobile per doctor" nor the double-submit guard turns them away."""
    slots = []
    for slug in sample["booking_doctors"]:
        status, _, body = http(base, availability_path(slug, sample["today"]))
        if status != 200:
            sys.exit(f"availability of {slug} answered {status}")
        slots += [(slug, slot["start"]) for slot in json.loads(body)["slots"]]
    if len(slots) < 2:
        sys.exit("the seeded doctors have no free slots to book")
    random.Random(14).shuffle(slots)  # many doctors interleaved, as real patients would book
    slug, start = slots.pop()
    status, headers, _ = http(base, f"/book/{slug}/details/?{urlencode({'start': start})}")
    cookie = SimpleCookie(headers.get("Set-Cookie", ""))
    if status != 200 or "csrftoken" not in cookie:
        sys.exit(f"the booking form answered {status} without a CSRF cookie")
    token = cookie["csrftoken"].value

    def form(number: int, start: str) -> str:
        return urlencode(
            {
                "csrfmiddlewaretoken": token,
                "start": start,
                "booking_token": str(uuid.uuid4()),
                "patient_name": f"Bench Patient {number}",
                "patient_phone": f"+9197{number:08d}",
                "visit_type": "first",
                "consent": "on",
            }
        )

    status, headers, _ = http(
        base, f"/book/{slug}/details/", form(0, start).encode(), cookie=f"csrftoken={token}"
    )
    if status != 302 or "/a/" not in headers.get("Location", ""):
        sys.exit(f"a booking POST answered {status} {headers.get('Location', '')}, not a redirect to /a/")
    BOOKING_FILE.parent.mkdir(parents=True, exist_ok=True)
    BOOKING_FILE.write_text(
        "".join(f"/book/{slug}/details/\t{form(n, start)}\n" for n, (slug, start) in enumerate(slots, 1))
    )
    lua = (
        (BENCH / "booking.lua")
        .read_text()
        .replace("__STRIDE__", str(threads))
        .replace("__FILE__", str(BOOKING_FILE))
        .replace("__COOKIE__", f"csrftoken={token}")
    )
    return {"slots": len(slots), "lua": lua}


def prepare_site(base: str, threads: int) -> dict:
    """Every path of the sitemap plus the list searches, shuffled, in a file that bench/site.lua walks."""
    status, _, body = http(base, "/sitemap.xml")
    if status != 200:
        sys.exit(f"/sitemap.xml answered {status}")
    paths = [urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", body.decode())]
    paths += [f"/doctors/?{query}" for query in LIST_SEARCHES]
    random.Random(14).shuffle(paths)
    SITE_FILE.parent.mkdir(parents=True, exist_ok=True)
    SITE_FILE.write_text("".join(f"{path}\n" for path in paths))
    lua = (
        (BENCH / "site.lua")
        .read_text()
        .replace("__STRIDE__", str(threads))
        .replace("__FILE__", str(SITE_FILE))
    )
    # One pass over every path first, four at a time: wrk then measures the site in its steady state
    # (each page rendered once since the last change), and this pass's rate is the cold figure.
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda path: http(base, path, timeout=60)[0], paths))
    cold_seconds = time.monotonic() - started
    failed = [path for path, status in zip(paths, statuses, strict=True) if status != 200]
    if failed:
        sys.exit(f"whole site: {len(failed)} paths did not answer 200, e.g. {failed[:3]}")
    return {"paths": len(paths), "lua": lua, "cold_per_s": round(len(paths) / cold_seconds, 1)}


def miss_code(sample: dict) -> str:
    """Python for `manage.py shell`: each page rendered in-process with the page cache off; prints
    {name: {cpu_ms, wall_ms, queries}} (medians). CPU is this process's (Python), not the database's."""
    pages = {
        "home": "/",
        "doctor list (filters)": f"/doctors/?q=pain&city={sample['city']}&sort=experience",
        "doctor list (soonest)": "/doctors/?sort=soonest",
        "doctor profile": f"/doctors/{sample['doctor']}/",
        "article": f"/articles/{sample['article']}/",
        "availability JSON (14 days)": availability_path(sample["doctor"], sample["today"]),
    }
    return f"""
import json, statistics, time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
pages = {pages!r}
out = {{}}
with override_settings(PAGE_CACHE_ENABLED=False, ALLOWED_HOSTS=["*"]):
    client = Client()
    for name, path in pages.items():
        client.get(path)
        cpu, wall = [], []
        for _ in range({MISS_ROUNDS}):
            with CaptureQueriesContext(connection) as captured:
                c0, w0 = time.process_time(), time.perf_counter()
                response = client.get(path)
                cpu.append(time.process_time() - c0); wall.append(time.perf_counter() - w0)
            assert response.status_code == 200, (path, response.status_code)
        out[name] = {{"cpu_ms": round(statistics.median(cpu) * 1000, 2),
                     "wall_ms": round(statistics.median(wall) * 1000, 2), "queries": len(captured)}}
print(json.dumps(out))
"""


def load(base: str, target: Target, args) -> dict:
    report_lua = (BENCH / "report.lua").read_text()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", dir=BENCH / "results", delete=False) as script:
        script.write(f"{target.script()}\n{report_lua}")
    try:
        command = [
            "wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
            "--timeout", "5s", "--latency", "-s", script.name, base + target.path,
        ]  # fmt: skip
        output = subprocess.run(
            command, capture_output=True, text=True, timeout=args.duration + 60, check=True
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    values = dict(pair.split("=") for pair in line.split()[1:])
    seconds = int(values["duration_us"]) / 1e6
    return {
        "name": target.name,
        "path": target.path,
        "requests": int(values["requests"]),
        "requests_per_s": round(int(values["requests"]) / seconds, 1),
        "p50_ms": round(int(values["p50_us"]) / 1000, 2),
        "p99_ms": round(int(values["p99_us"]) / 1000, 2),
        "non_2xx_3xx": int(values["bad"]),
        "status_409": int(values["conflicts"]),
        "status_5xx": int(values["server_errors"]),
        "socket_errors": int(values["socket_errors"]),
    }


def format_line(result: dict) -> str:
    ratio = result["ratio_to_floor"]
    return (
        f"{result['name']:<28} {result['requests_per_s']:>8.1f} req/s"
        f"  p50 {result['p50_ms']:>7.2f} ms  p99 {result['p99_ms']:>7.2f} ms"
        f"  bad {result['non_2xx_3xx']:>5} (409 {result['status_409']}, 5xx {result['status_5xx']})"
        f"  {ratio:>5.3f} x floor"
    )


def stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def machine() -> dict:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


if __name__ == "__main__":
    sys.exit(main())
