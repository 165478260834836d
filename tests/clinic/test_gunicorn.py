"""gunicorn.conf.py at the project root: gunicorn picks it up, and its access log keeps query strings
and referrers (which can carry a patient's name or number) out."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from tests.clinic.test_settings import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_started_from_the_project_root_logs_paths_without_query_strings(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CLINIC_")) and k != "DATABASE_URL"
    }
    env |= {
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
    }
    log = tmp_path / "gunicorn.out"
    with log.open("w") as out:
        # No app argument and no log flags: both come from ./gunicorn.conf.py.
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/robots.txt?name=Zara+Quillfeather&mobile=%2B919812345678",
                headers={
                    "Referer": f"http://127.0.0.1:{port}/admin/appointments/appointment/?q=Zara+Quillfeather"
                },
            )
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(request, timeout=5) as response:
                        assert response.status == 200
                        break
                except OSError:
                    assert server.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                    time.sleep(0.2)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    output = log.read_text()
    assert '"GET /robots.txt HTTP/1.1" 200' in output
    assert "Zara" not in output
    assert "Quillfeather" not in output
    assert "9812345678" not in output
