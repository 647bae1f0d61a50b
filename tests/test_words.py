"""The words people read (issue 11): one English word has one Chinese translation everywhere — a
word that means two things carries a context (pgettext) — and no internal code reaches a page."""

from collections import defaultdict
from pathlib import Path

import xuefen
from xuefen.core.management.commands.messages import parse_po

ROOT = Path(xuefen.__file__).parent


def catalogues(locale: str) -> list[Path]:
    return sorted(ROOT.glob(f"**/locale/{locale}/LC_MESSAGES/django.po"))


def test_one_msgid_has_one_translation_across_the_apps():
    # Django merges the apps' catalogues and the first app's translation wins everywhere: two
    # translations of one msgid means some page shows the wrong one.
    seen: dict[tuple[str | None, str], dict[str, list[str]]] = defaultdict(dict)
    for po in catalogues("zh_Hans"):
        app = po.relative_to(ROOT).parts[0]
        for entry in parse_po(po):
            if entry.msgid and entry.msgstrs:
                seen[(entry.msgctxt, entry.msgid)].setdefault(entry.msgstrs[0], []).append(app)
    clashes = {key: found for key, found in seen.items() if len(found) > 1}
    assert clashes == {}


def test_every_model_has_a_chinese_name():
    """The audit trail, its filter and every error name a kind of record by its model's name:
    a model without one would show its class name in English."""
    import re

    from django.apps import apps
    from django.utils import translation

    with translation.override("zh-hans"):
        unnamed = [
            model._meta.label
            for model in apps.get_models()
            if model.__module__.startswith("xuefen.")
            and not re.search(r"[\u4e00-\u9fff]", str(model._meta.verbose_name))
        ]
    assert unnamed == []
