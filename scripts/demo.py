"""`make demo`: the example project with the simulator, set up once and kept.

Creates (once) two applications' key pairs and signature secrets in `.demo/` ("default" and
"north", configured side by side in `APPLICATIONS`), migrates, registers both in the simulator
with callbacks pointing at this server's webhook endpoint, creates an admin user, starts a
threaded server on HOST:PORT, syncs both applications' mirrors from the simulator on that server,
and prints what to open. Running it again keeps the database and the keys.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django_vonage_meetings.keys import generate_key_pair

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = Path(os.environ.get("DEMO_DIR", ROOT / ".demo"))
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = int(os.environ.get("PORT", "8000"))
MANAGE = [sys.executable, str(ROOT / "example_project" / "manage.py")]


# Create the admin user, or reset its password to the one printed (kept in .demo/admin-password).
ADMIN_UPSERT = """
import os
from django.contrib.auth import get_user_model
User = get_user_model()
user, _ = User.objects.get_or_create(username="admin", defaults={"email": "admin@example.com"})
user.is_staff = user.is_superuser = True
user.set_password(os.environ["DEMO_ADMIN_PASSWORD"])
user.save()
"""


def say(message: str) -> None:
    sys.stdout.write(f"[demo] {message}\n")
    sys.stdout.flush()


# The demo's applications: settings name -> the files in .demo/ holding its id and secret,
# private key and public key. "default" keeps the names of the single-application demo so an
# existing .demo/ keeps its data; "north" shows a second application side by side.
APPLICATIONS = {
    "default": ("application.json", "private.key", "public.pem"),
    "north": ("north.json", "north.key", "north.pem"),
}


def ensure_application(name: str) -> dict[str, str]:
    """Make an application's id, key pair and signature secret once."""
    app_name, private_name, public_name = APPLICATIONS[name]
    app_file, private_file, public_file = (
        DEMO_DIR / app_name,
        DEMO_DIR / private_name,
        DEMO_DIR / public_name,
    )
    if not (app_file.exists() and private_file.exists() and public_file.exists()):
        say(f"creating application {name!r}: a key pair and signature secret in .demo/")
        private_pem, public_pem = generate_key_pair()
        private_file.write_text(private_pem)
        os.chmod(private_file, 0o600)
        public_file.write_text(public_pem)
        app_file.write_text(
            json.dumps(
                {
                    "application_id": str(uuid.uuid4()),
                    "signature_secret": secrets.token_urlsafe(32),
                },
                indent=2,
            )
        )
        os.chmod(app_file, 0o600)
    loaded: dict[str, str] = json.loads(app_file.read_text())
    return loaded


def ensure_credentials() -> dict[str, dict[str, str]]:
    """Every demo application's credentials and the Django secret key, made once."""
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    os.chmod(DEMO_DIR, 0o700)
    apps = {name: ensure_application(name) for name in APPLICATIONS}
    secret_key = DEMO_DIR / "secret_key"
    if not secret_key.exists():
        secret_key.write_text(secrets.token_urlsafe(50))
        os.chmod(secret_key, 0o600)
    return apps


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([*MANAGE, *args], check=True, env=env, cwd=ROOT)


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def wait_until_serving(host: str, port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"[demo] the server exited with status {server.returncode}")
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"[demo] the server did not start on {host}:{port} within 60 s")


def main() -> None:
    apps = ensure_credentials()
    env = {**os.environ, "HOST": HOST, "PORT": str(PORT), "DEMO_DIR": str(DEMO_DIR)}
    base = f"http://{HOST}:{PORT}"

    say("migrating the database")
    manage("migrate", "--no-input", "-v", "0", env=env)

    for name, app in apps.items():
        say(f"registering application {name!r} in the simulator")
        manage(
            "simulator_add_application",
            "--application-id",
            app["application_id"],
            "--public-key",
            str(DEMO_DIR / APPLICATIONS[name][2]),
            "--signature-secret",
            app["signature_secret"],
            "--callback-url",
            f"{base}/vonage/meetings/webhooks/",
            env=env,
        )

    password_file = DEMO_DIR / "admin-password"
    password = os.environ.get("DEMO_ADMIN_PASSWORD") or (
        password_file.read_text().strip() if password_file.exists() else secrets.token_urlsafe(12)
    )
    if not os.environ.get("DEMO_ADMIN_PASSWORD"):
        password_file.write_text(password)
        os.chmod(password_file, 0o600)
    manage("shell", "-c", ADMIN_UPSERT, env={**env, "DEMO_ADMIN_PASSWORD": password})

    if not port_is_free(HOST, PORT):
        raise SystemExit(
            f"[demo] {HOST}:{PORT} is already in use; stop what runs there or choose another "
            f"port: make demo PORT=8001"
        )
    say(f"starting the server on {base}")
    server = subprocess.Popen(
        [*MANAGE, "runserver", "--noreload", f"{HOST}:{PORT}"], env=env, cwd=ROOT
    )
    try:
        wait_until_serving(HOST, PORT, server)
        say("syncing the mirror of both applications from the simulator")
        manage("meetings_sync", env=env)
        say("")
        say(f"Admin:      {base}/admin/   (user 'admin', password '{password}')")
        say(f"Simulator:  {base}/simulator/")
        say(f"Webhooks:   {base}/vonage/meetings/webhooks/")
        say(f"Applications: {', '.join(apps)} (the admin's application filter tells them apart)")
        say("Create a theme and a room in the admin, open the room's host or guest URL, join,")
        say(
            "record, leave, and watch sessions, recordings and webhook events arrive. Ctrl-C stops."
        )
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
