"""Two app servers, one database (`make loadtest`): no double booking across processes.

Starts two gunicorn instances on two loopback ports against the same PostgreSQL database
(`clinic_loadtest` on the server `DATABASE_URL` points at, dropped and recreated) and the same Redis
(`REDIS_URL`), then sends concurrent booking attempts for a fixed set of free slots to both:
SLOTS slots x ATTEMPTS attempts each, alternating between the servers, from one thread per attempt,
all released at once. It asserts and prints: appointments created == distinct slots, every other
attempt answered 409, no 5xx. Bounded: every request has a timeout, the whole run a deadline.
"""

import argparse
import json
import os
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit, urlunsplit

from bench.run import (
    availability_path,
    bench_environment,
    free_port,
    http,
    manage,
    recreate_database,
    start_gunicorn,
    step,
    stop,
    wait_until_healthy,
)

DATABASE_NAME = "clinic_loadtest"
DEADLINE_S = 120

COUNT_CODE = """
import json
from appointments.models import Appointment
from django.utils.dateparse import parse_datetime
starts = [parse_datetime(s) for s in json.loads(STARTS)]
booked = Appointment.objects.active().filter(doctor__slug=SLUG, starts_at__in=starts)
print(json.dumps({"appointments": booked.count(), "distinct_starts": booked.values("starts_at").distinct().count()}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slots", type=int, default=10)
    parser.add_argument("--attempts", type=int, default=8, help="attempts per slot")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit(
            "make loadtest needs PostgreSQL, the database every app server shares: set DATABASE_URL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic REDIS_URL=redis://127.0.0.1:6379/0 "
            "make loadtest\n(it uses its own database clinic_loadtest on that server, dropped and recreated)"
        )
    if not os.environ.get("REDIS_URL"):
        sys.exit("make loadtest needs REDIS_URL: the app servers share the cache (rate limits) through it")
    started = time.monotonic()
    env, _ = bench_environment()
    env["DATABASE_URL"] = urlunsplit(urlsplit(env["DATABASE_URL"])._replace(path=f"/{DATABASE_NAME}"))
    env["CACHE_KEY_PREFIX"] = f"loadtest-{uuid.uuid4().hex[:8]}"  # a fresh key space in the shared Redis

    step(f"fresh PostgreSQL database {DATABASE_NAME}, migrate, seed_demo")
    recreate_database(env, DATABASE_NAME)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput", "-v0")

    servers, bases = [], []
    try:
        for _ in range(2):
            port = free_port()
            bases.append(f"http://127.0.0.1:{port}")
            servers.append(start_gunicorn(env, port, args.workers))
        step(f"two gunicorn servers ({args.workers} sync workers each): {', '.join(bases)}")
        for server, base in zip(servers, bases, strict=True):
            wait_until_healthy(server, base)
        outcome = race(env, bases, args.slots, args.attempts)
    finally:
        for server in servers:
            stop(server)

    counted = json.loads(
        manage(
            env,
            "shell",
            "-c",
            COUNT_CODE.replace("STARTS", repr(json.dumps(outcome["starts"]))).replace(
                "SLUG", repr(outcome["doctor"])
            ),
        )
        .strip()
        .splitlines()[-1]
    )
    statuses = outcome["statuses"]
    attempts = args.slots * args.attempts
    print(f"    {attempts} attempts at {args.slots} slots of {outcome['doctor']} in {outcome['seconds']} s")
    print(f"    by server: {dict(outcome['per_server'])}")
    print(f"    answers: {dict(sorted(statuses.items()))}")
    print(f"    appointments in the database at those times: {counted['appointments']}")
    checks = {
        "appointments created == distinct slots": counted["appointments"] == args.slots,
        "one appointment per slot": counted["distinct_starts"] == args.slots,
        "one 302 (booked) per slot": statuses.get(302, 0) == args.slots,
        "every other attempt 409": statuses.get(409, 0) == attempts - args.slots,
        "no 5xx": not any(status >= 500 for status in statuses),
        "no failed requests": statuses.get(0, 0) == 0,
    }
    for name, ok in checks.items():
        print(f"    {'ok  ' if ok else 'FAIL'} {name}")
    print(f"    {round(time.monotonic() - started, 1)} s in all")
    return 0 if all(checks.values()) else 1


DOCTOR_CODE = """
import json
from appointments.availability import free_slots, local_today
from doctors.models import Doctor
doctor = next(d for d in Doctor.objects.active().order_by("pk") if len(free_slots(d, local_today(d), 14)) >= 20)
print(json.dumps({"doctor": doctor.slug, "today": local_today(doctor).isoformat()}))
"""


def open_form(base: str, slug: str, start: str) -> str:
    """Open the details form as a visitor would: its CSRF cookie (the token is the cookie's value)."""
    status, headers, _ = http(base, f"/book/{slug}/details/?{urlencode({'start': start})}")
    token = SimpleCookie(headers.get("Set-Cookie", "")).get("csrftoken")
    if status != 200 or token is None:
        sys.exit(f"the details form on {base} answered {status} without a CSRF cookie")
    return token.value


def attempt(base: str, slug: str, start: str, number: int, token: str, barrier: threading.Barrier):
    """Wait until every attempt is ready, then submit the form: (server, status; 0 if no answer)."""
    form = {
        "csrfmiddlewaretoken": token,
        "start": start,
        "booking_token": str(uuid.uuid4()),
        "patient_name": f"Load Patient {number}",
        "patient_phone": f"+9196{number:08d}",
        "visit_type": "first",
        "consent": "on",
    }
    barrier.wait(timeout=DEADLINE_S)
    try:
        status, _, _ = http(
            base, f"/book/{slug}/details/", urlencode(form).encode(), cookie=f"csrftoken={token}", timeout=60
        )
    except OSError:
        status = 0
    return base, status


def race(env: dict, bases: list[str], slot_count: int, attempts: int) -> dict:
    """Pick `slot_count` free slots of one doctor; fire `attempts` bookings at each, all at once,
    alternating between the servers."""
    picked = json.loads(manage(env, "shell", "-c", DOCTOR_CODE).strip().splitlines()[-1])
    status, _, body = http(bases[0], availability_path(picked["doctor"], picked["today"]))
    if status != 200:
        sys.exit(f"availability answered {status}")
    starts = [slot["start"] for slot in json.loads(body)["slots"]][:slot_count]
    if len(starts) < slot_count:
        sys.exit(f"only {len(starts)} free slots found")
    jobs = [
        (bases[number % len(bases)], picked["doctor"], starts[number % slot_count], number)
        for number in range(slot_count * attempts)
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:  # every visitor opens the form first, unhurried
        tokens = list(pool.map(lambda job: open_form(*job[:3]), jobs))
    barrier = threading.Barrier(len(jobs))
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:  # then all submit at once
        futures = [
            pool.submit(attempt, *job, token, barrier) for job, token in zip(jobs, tokens, strict=True)
        ]
        results = [future.result(timeout=DEADLINE_S) for future in futures]
    return {
        "doctor": picked["doctor"],
        "starts": starts,
        "statuses": Counter(status for _, status in results),
        "per_server": Counter(base for base, _ in results),
        "seconds": round(time.monotonic() - began, 1),
    }


if __name__ == "__main__":
    sys.exit(main())
