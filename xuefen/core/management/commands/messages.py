"""Keeps the translation catalogues complete: every app has zh_Hans and en catalogues in its own
locale/ folder, regenerated from the source and compiled. --check fails on any untranslated or fuzzy
entry, or on a catalogue whose compiled .mo is missing or older than its .po."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

LOCALES = ["zh_Hans", "en"]


def catalogue_dirs() -> list[Path]:
    base = Path(settings.BASE_DIR)
    return [base] + sorted(p.parent for p in base.glob("*/apps.py"))


def problems(po_path: Path) -> list[str]:
    """Entries of a .po file that are untranslated or fuzzy (the header entry excepted)."""
    found: list[str] = []
    entry: list[str] = []
    for block in po_path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line]
        if not lines:
            continue
        entry = lines
        msgid = _field(entry, "msgid")
        if msgid == "":
            continue
        if any(line.startswith("#,") and "fuzzy" in line for line in entry):
            found.append(f"fuzzy: {msgid!r}")
        strs = [_field(entry, key) for key in ("msgstr", "msgstr[0]", "msgstr[1]")]
        if all(value in (None, "") for value in strs):
            found.append(f"untranslated: {msgid!r}")
    return found


def _field(lines: list[str], key: str) -> str | None:
    out: list[str] | None = None
    for line in lines:
        if line.startswith("#"):
            continue
        if line.startswith(key + " "):
            out = [line[len(key) + 1 :].strip()[1:-1]]
        elif out is not None and line.startswith('"'):
            out.append(line[1:-1])
        elif out is not None:
            break
    return None if out is None else "".join(out)


class Command(BaseCommand):
    help = "Regenerates and compiles every app's zh_Hans and en catalogues; --check only verifies."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        import os

        if options["check"]:
            errors: list[str] = []
            for folder in catalogue_dirs():
                for po in sorted(folder.glob("locale/*/LC_MESSAGES/django.po")):
                    errors += [f"{po.relative_to(settings.PROJECT_DIR)}: {p}" for p in problems(po)]
                    mo = po.with_suffix(".mo")
                    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime - 1:
                        errors.append(f"{mo.relative_to(settings.PROJECT_DIR)}: not compiled")
            if errors:
                raise CommandError("Translation catalogues are incomplete:\n" + "\n".join(errors))
            self.stdout.write("Translation catalogues are complete.")
            return
        cwd = os.getcwd()
        try:
            for folder in catalogue_dirs():
                if not any(folder.rglob("*.py")) and not any(folder.rglob("*.html")):
                    continue
                os.chdir(folder)
                (folder / "locale").mkdir(exist_ok=True)
                ignore = ["migrations/*", "static/*"]
                if folder == Path(settings.BASE_DIR):
                    # The project folder owns only its own files; each app owns its own catalogue.
                    ignore += [f"{p.name}/*" for p in catalogue_dirs()[1:]]
                call_command("makemessages", locale=LOCALES, ignore_patterns=ignore,
                             no_obsolete=True, verbosity=0)
                call_command("compilemessages", locale=LOCALES, verbosity=0)
        finally:
            os.chdir(cwd)
        self.stdout.write("Catalogues regenerated and compiled.")
