"""Keeps the translation catalogues complete: every app has zh_Hans and en catalogues in its own
locale/ folder (the project folder has its own for the shared templates), regenerated from the
source and compiled. --check fails on an untranslated or fuzzy entry, or a compiled .mo that does
not say what its .po says (missing, or not recompiled after an edit).

Django's own Chinese messages (password rules, form errors) address the reader as 你 where the
site says 您: `voice_entries` rewrites each of them, and the catalogue it writes (locale_django/,
first in LOCALE_PATHS) wins over Django's. Regenerated with the others; --check fails when it is
behind the installed Django."""

import gettext
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

LOCALES = ["zh_Hans", "en"]


@dataclass
class PoEntry:
    msgctxt: str | None
    msgid: str
    msgid_plural: str | None
    msgstrs: list[str]
    fuzzy: bool


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    if not (text.startswith('"') and text.endswith('"')):
        return text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text[1:-1])


def parse_po(path: Path) -> list[PoEntry]:
    entries: list[PoEntry] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        fuzzy = False
        key: str | None = None
        for line in block.strip().splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            if line.startswith("#") or not line.strip():
                continue
            if line.startswith('"') and key is not None:
                fields[key] += _unquote(line)
                continue
            key, _, rest = line.partition(" ")
            fields[key] = _unquote(rest.strip())
        if "msgid" not in fields:
            continue
        strs = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
        entries.append(
            PoEntry(fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural"), strs, fuzzy)
        )
    return entries


def problems(po_path: Path) -> list[str]:
    found: list[str] = []
    entries = [e for e in parse_po(po_path) if e.msgid != ""]
    for e in entries:
        if e.fuzzy:
            found.append(f"fuzzy: {e.msgid!r}")
        if not e.msgstrs or any(s == "" for s in e.msgstrs):
            found.append(f"untranslated: {e.msgid!r}")
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return [*found, "not compiled (.mo missing)"]
    with mo_path.open("rb") as fh:
        catalog: dict[Any, str] = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    for e in entries:
        if e.fuzzy or not e.msgstrs:
            continue
        key = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt is not None else e.msgid
        compiled = catalog.get((key, 0)) if e.msgid_plural else catalog.get(key)
        if compiled != e.msgstrs[0]:
            found.append(f".mo out of date for {e.msgid!r} (run `xuefen messages`)")
            break
    return found


def fill_english(po_path: Path) -> None:
    """The source strings are English: every English entry says its msgid (its msgid_plural for the
    plural form), whatever makemessages guessed (a fuzzy match of a similar string)."""
    if not po_path.exists():
        return
    out: list[str] = []
    for block in po_path.read_text(encoding="utf-8").split("\n\n"):
        lines = block.split("\n")
        at = lines.index('msgid ""') if 'msgid ""' in lines[:-1] else -1
        header = at >= 0 and lines[at + 1].startswith("msgstr")
        if header or not any(line.startswith("msgid ") for line in lines):
            out.append(block)  # the header (msgid ""), or not an entry
            continue
        head = [
            line
            for line in lines
            if line.startswith("#") and line != "#, fuzzy" and not line.startswith("#|")
        ]
        head = [line.replace(", fuzzy", "") if line.startswith("#,") else line for line in head]
        head = [line for line in head if line != "#,"]
        body = [line for line in lines if not line.startswith("#") and line != ""]
        keys = _keyed(body)
        text = [*head]
        if "msgctxt" in keys:
            text += ["msgctxt " + keys["msgctxt"][0], *keys["msgctxt"][1:]]
        text += ["msgid " + keys["msgid"][0], *keys["msgid"][1:]]
        if "msgid_plural" in keys:
            text += ["msgid_plural " + keys["msgid_plural"][0], *keys["msgid_plural"][1:]]
            text += ["msgstr[0] " + keys["msgid"][0], *keys["msgid"][1:]]
            text += ["msgstr[1] " + keys["msgid_plural"][0], *keys["msgid_plural"][1:]]
        else:
            text += ["msgstr " + keys["msgid"][0], *keys["msgid"][1:]]
        if lines[-1] == "":
            text.append("")
        out.append("\n".join(text))
    po_path.write_text("\n\n".join(out), encoding="utf-8")


def _keyed(body: list[str]) -> dict[str, list[str]]:
    """{keyword: [first quoted line, continuation lines…]} of a catalogue entry's lines."""
    keys: dict[str, list[str]] = {}
    current = ""
    for line in body:
        if line.startswith('"'):
            keys[current].append(line)
            continue
        current, _, rest = line.partition(" ")
        keys[current] = [rest]
    return keys


# The site's form of address, and the familiar one Django's catalogue uses in places.
FAMILIAR, POLITE = "你", "您"


def django_catalogues() -> list[Path]:
    """The zh_Hans catalogues of Django and of the contrib apps the site runs."""
    import django
    from django.apps import apps

    root = Path(django.__file__).parent
    found = [root / "conf" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"]
    for config in apps.get_app_configs():
        if config.name.startswith("django.contrib."):
            found.append(Path(config.path) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    return [p for p in found if p.exists()]


def voice_entries() -> list[PoEntry]:
    """Every entry of Django's catalogues that says 你, saying 您 instead (first catalogue wins)."""
    seen: set[tuple[str | None, str]] = set()
    out: list[PoEntry] = []
    for path in django_catalogues():
        for e in parse_po(path):
            key = (e.msgctxt, e.msgid)
            if (
                e.msgid
                and not e.fuzzy
                and key not in seen
                and any(FAMILIAR in s for s in e.msgstrs)
            ):
                seen.add(key)
                strs = [s.replace(FAMILIAR, POLITE) for s in e.msgstrs]
                out.append(PoEntry(e.msgctxt, e.msgid, e.msgid_plural, strs, False))
    return out


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def voice_catalogue(entries: list[PoEntry]) -> str:
    head = [
        "# Django's own messages in the site's voice: 您 where Django's catalogue says 你.",
        "# Written by `xuefen messages` from the installed Django; do not edit by hand.",
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Language: zh_Hans\\n"',
        '"Plural-Forms: nplurals=1; plural=0;\\n"',
    ]
    blocks = ["\n".join(head)]
    for e in entries:
        lines = [] if e.msgctxt is None else [f"msgctxt {_quoted(e.msgctxt)}"]
        lines.append(f"msgid {_quoted(e.msgid)}")
        if e.msgid_plural is not None:
            lines.append(f"msgid_plural {_quoted(e.msgid_plural)}")
            lines += [f"msgstr[{i}] {_quoted(s)}" for i, s in enumerate(e.msgstrs)]
        else:
            lines.append(f"msgstr {_quoted(e.msgstrs[0])}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def voice_po() -> Path:
    return Path(settings.BASE_DIR) / "locale_django" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def write_voice() -> None:
    po = voice_po()
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_text(voice_catalogue(voice_entries()), encoding="utf-8")


def catalogue_dirs() -> list[Path]:
    base = Path(settings.BASE_DIR)
    return [base, *sorted(p.parent for p in base.glob("*/apps.py"))]


class Command(BaseCommand):
    help = "Regenerates and compiles every app's zh_Hans and en catalogues; --check only verifies."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true")
        parser.add_argument(
            "--app",
            action="append",
            default=[],
            help="Regenerate only this app's catalogue (repeatable); the default is every app.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            self.check_catalogues()
            return
        cwd = os.getcwd()
        base = Path(settings.BASE_DIR)
        apps_dirs = catalogue_dirs()[1:]
        folders = catalogue_dirs()
        if options["app"]:
            folders = [f for f in folders if f.name in options["app"] and f != base]
            if len(folders) != len(set(options["app"])):
                raise CommandError(f"Unknown app in {options['app']}")
        if not options["app"]:
            write_voice()
        try:
            for folder in folders:
                os.chdir(folder)
                (folder / "locale").mkdir(exist_ok=True)
                ignore = ["migrations/*", "static/*"]
                if folder == base:
                    # The project folder owns only its templates; each app owns its catalogue.
                    ignore += [f"{p.name}/*" for p in apps_dirs]
                call_command(
                    "makemessages",
                    locale=LOCALES,
                    ignore_patterns=ignore,
                    no_obsolete=True,
                    verbosity=0,
                )
                fill_english(folder / "locale" / "en" / "LC_MESSAGES" / "django.po")
                call_command("compilemessages", locale=LOCALES, verbosity=0)
        finally:
            os.chdir(cwd)
        self.stdout.write("Catalogues regenerated and compiled.")

    def check_catalogues(self) -> None:
        errors: list[str] = []
        for folder in catalogue_dirs():
            has_strings = any(
                "translate" in p.read_text(encoding="utf-8")
                or "gettext" in p.read_text(encoding="utf-8")
                for p in [*folder.glob("*.py"), *folder.glob("templates/**/*.html")]
            )
            for locale in LOCALES:
                po = folder / "locale" / locale / "LC_MESSAGES" / "django.po"
                rel = po.relative_to(settings.PROJECT_DIR)
                if not po.exists():
                    if has_strings:
                        errors.append(f"{rel}: missing")
                    continue
                errors += [f"{rel}: {p}" for p in problems(po)]
        voice = voice_po()
        rel = voice.relative_to(settings.PROJECT_DIR)
        if not voice.exists() or voice.read_text(encoding="utf-8") != voice_catalogue(
            voice_entries()
        ):
            errors.append(f"{rel}: behind the installed Django's catalogues")
        else:
            errors += [f"{rel}: {p}" for p in problems(voice)]
        if errors:
            raise CommandError("Translation catalogues are incomplete:\n" + "\n".join(errors))
        self.stdout.write("Translation catalogues are complete.")
