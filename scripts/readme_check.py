#!/usr/bin/env python3
"""Follow the README's "Install in your project" section, verbatim, as a new user would.

Builds the wheel, installs it (not editable) with the extras the README's pip line names into a
fresh virtualenv, makes a fresh `django-admin startproject`, applies the section's code blocks
(`# settings.py` and `# urls.py` are appended to those files, `# python manage.py shell` is run in
the shell, `# tests/test_*.py` becomes a test module run with pytest-django, `$ python manage.py`
lines are run) and fails on any step. `--python` chooses the interpreter of the virtualenv.

    python scripts/readme_check.py [--python python3.13] [--django "django>=6.1,<6.2"] [--keep]
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Install in your project"


def blocks(readme: str) -> list[tuple[str, str]]:
    """(language, text) of each fenced block of the install section (subsections included)."""
    start = readme.index(SECTION)
    end = readme.find("\n## ", start + len(SECTION))
    section = readme[start : end if end != -1 else None]
    return [(m[1], m[2]) for m in re.finditer(r"```(\w+)\n(.*?)```", section, re.S)]


def run(cmd: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    print(f"[readme-check] $ {shlex.join(cmd)}", flush=True)
    result = subprocess.run(cmd, cwd=cwd, text=True, capture_output=True, check=False, input=stdin)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode != 0:
        raise SystemExit(f"[readme-check] failed ({result.returncode}): {shlex.join(cmd)}")
    return result


def install(work: Path, found: list[tuple[str, str]], python: str, django: str) -> Path:
    """A fresh virtualenv with the wheel, installed as the README's pip line says."""
    dist = work / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)], ROOT)
    (wheel,) = dist.glob("django_vonage_meetings-*.whl")
    venv = work / "venv"
    run([python, "-m", "venv", str(venv)], work)
    pip_lines = [
        line
        for lang, text in found
        if lang == "console"
        for line in text.splitlines()
        if line.startswith("$ pip install")
    ]
    if len(pip_lines) != 1:
        raise SystemExit(f"[readme-check] expected one pip line, found {pip_lines}")
    requirement = shlex.split(pip_lines[0][2:])[-1]
    extras = re.search(r"\[(.*)\]", requirement)
    target = f"{wheel}[{extras[1]}]" if extras else str(wheel)
    command = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", target, "pytest-django"]
    run([*command, django] if django else command, work)
    return venv


def apply(
    project: Path, found: list[tuple[str, str]], python: str
) -> tuple[list[str], list[list[str]]]:
    """Write the blocks into the project; return the shell snippets and the commands to run."""
    settings_file = project / "mysite" / "settings.py"
    urls_file = project / "mysite" / "urls.py"
    shell_snippets: list[str] = []
    commands: list[list[str]] = []
    for lang, text in found:
        first, _, rest = text.partition("\n")
        if lang == "python" and first == "# settings.py":
            settings_file.write_text(settings_file.read_text() + "\n" + rest)
        elif lang == "python" and first == "# urls.py":
            urls_file.write_text(urls_file.read_text() + "\n" + rest)
        elif lang == "python" and first == "# python manage.py shell":
            shell_snippets.append(rest)
        elif lang == "python" and first.startswith("# tests/"):
            module = project / first[2:]
            module.parent.mkdir(parents=True, exist_ok=True)
            (module.parent / "__init__.py").touch()
            module.write_text(rest)
        elif lang == "console":
            commands += [
                [python, *shlex.split(line[2:])[1:]]
                for line in text.splitlines()
                if line.startswith("$ python manage.py")
            ]
    (project / "pytest.ini").write_text(
        "[pytest]\nDJANGO_SETTINGS_MODULE = mysite.settings\npythonpath = .\n"
    )
    return shell_snippets, commands


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--django", default="", help="a Django requirement to pin the pairing")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="dvm-readme-"))
    try:
        found = blocks((ROOT / "README.md").read_text())
        venv = install(work, found, args.python, args.django)
        python = str(venv / "bin" / "python")
        run([str(venv / "bin" / "django-admin"), "startproject", "mysite"], work)
        project = work / "mysite"
        shell_snippets, commands = apply(project, found, python)
        for command in commands:
            run(command, project)
        for snippet in shell_snippets:
            out = run([python, "manage.py", "shell"], project, stdin=snippet).stdout
            if "/meet/" not in out:
                raise SystemExit("[readme-check] the shell snippet printed no meeting link")
        run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], project)
        print("[readme-check] the README's install section works")
    finally:
        if args.keep:
            print(f"[readme-check] kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
