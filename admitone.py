#!/usr/bin/env python3
"""Set up and run AdmitOne on a fresh machine, with nothing but Python 3.11.

    python3 admitone.py demo     # install, migrate, load demo data, serve
    python3 admitone.py test     # install, run the whole test suite

Everything is installed into .venv beside this file; a stamp file skips
reinstalling when the requirements have not changed. Uses only the
standard library, since it runs before anything is installed.
"""
import hashlib
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
CHROMIUM = "/usr/bin/chromium"


def run(*command, **kwargs) -> None:
    print("+", " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], check=True, cwd=ROOT, **kwargs)


def requirements_digest(requirements: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("requirements*.txt")):
        digest.update(path.read_bytes())
    digest.update(requirements.name.encode())
    return digest.hexdigest()


def ensure_virtualenv(requirements: str) -> None:
    """Create .venv and install the requirements, unless already done."""
    if not PYTHON.exists():
        run(sys.executable, "-m", "venv", VENV)
    stamp = VENV / f".installed-{requirements}"
    wanted = requirements_digest(ROOT / requirements)
    if stamp.exists() and stamp.read_text() == wanted:
        return
    run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "-r", requirements)
    stamp.write_text(wanted)


def ensure_chromium() -> None:
    """Install Debian's Chromium for the browser tests where we are allowed to."""
    if Path(CHROMIUM).exists():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-q", env=env)
        run("apt-get", "install", "-y", "-q", "chromium", env=env)
    else:
        print(f"NOTICE: {CHROMIUM} is missing and cannot be installed without root; "
              "browser tests will be skipped (install the 'chromium' package).")


def flask(*arguments, env) -> None:
    run(PYTHON, "-m", "flask", "--app", "wsgi", *arguments, env=env)


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def demo(arguments: list[str]) -> int:
    env = {**os.environ}
    host = env.get("HOST", "127.0.0.1")
    port = env.get("PORT", "5000")
    if not port_is_free(host, int(port)):
        print(f"Port {port} on {host} is already in use. Stop what runs there, or "
              f"choose another port: PORT=5050 python3 admitone.py demo")
        return 1

    ensure_virtualenv("requirements.txt")
    flask("db", "upgrade", env=env)
    flask("demo", env=env)
    print(f"\nAdmitOne is running at http://{host}:{port}/\n"
          "Sign in as organizer@example.org with the password admitone-demo\n"
          "Press Ctrl+C to stop.\n", flush=True)
    command = [str(PYTHON), "-m", "gunicorn", "--workers", "2", "--bind",
               f"{host}:{port}", "--access-logfile", "-", "wsgi:app", *arguments]
    try:
        return subprocess.run(command, cwd=ROOT, env=env).returncode
    except KeyboardInterrupt:
        return 0


def test(arguments: list[str]) -> int:
    ensure_virtualenv("requirements-dev.txt")
    ensure_chromium()
    command = [str(PYTHON), "-m", "pytest", *arguments]
    return subprocess.run(command, cwd=ROOT).returncode


COMMANDS = {"demo": demo, "test": test}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
