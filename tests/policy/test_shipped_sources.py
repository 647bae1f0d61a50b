"""Every number of a shipped rule set cites its document: each requirement, cap, conversion,
carry-over, grades and proration has a `source`, and the table "Sources of the shipped rule sets"
of FORMAT.md lists each of them, by file and element, with that source."""

from collections.abc import Iterator
from decimal import Decimal

import pytest

from xuefen.policy.engine import fmt
from xuefen.policy.schema import RuleSetData, Target, load_yaml
from xuefen.policy.shipped import RULESET_DIR, shipped_texts

HEADING = "## Sources of the shipped rule sets"


def _target(target: Target, unit: str) -> str:
    of = "+".join(target.categories) or "all"
    kinds = f" of {'/'.join(target.kinds)}" if target.kinds else ""
    ages = "".join(f", {b} {fmt(v)}" for b, v in target.by_age.items())
    return f"≥ {fmt(target.min)} {target.unit or unit} ({of}{kinds}{ages})"


def _ratio(value: Decimal) -> str:
    return fmt(value)


def elements(data: RuleSetData) -> Iterator[tuple[str, str, str]]:
    """(element, its numbers in short, its source) for everything of a rule set that has a
    number: requirements, caps, conversions, carry-over, grades, proration (when it says
    something)."""
    for r in data.requirements:
        numbers = " or ".join(_target(t, data.unit) for t in r.targets)
        if r.window.is_multi_year:
            first = f" from {r.window.first}" if r.window.first else ""
            numbers += f" over {r.window.years} years, {r.window.kind}{first}"
        if not r.binding:
            numbers += " (advisory)"
        yield f"requirements.{r.code}", numbers, r.source
    for c in data.caps:
        of = "+".join(c.categories) or "all"
        kinds = f" of {'/'.join(c.kinds)}" if c.kinds else ""
        yield f"caps.{c.code}", f"≤ {fmt(c.max)} {data.unit} per {c.per} ({of}{kinds})", c.source
    for kind, c in data.conversions.items():
        parts = [c.method]
        if c.rate:
            parts.append(f"{fmt(c.rate)}{f' per {fmt(c.minutes)} min' if c.minutes else ''}")
        bands = [
            f"{'>' if b.over else '≥'} {fmt(b.min_minutes)} min: {fmt(b.amount)}" for b in c.bands
        ]
        rows = [
            f"{t.level}{'' if t.author_rank == '*' else f' rank {t.author_rank}'}: {fmt(t.amount)}"
            for t in c.table
        ]
        parts += bands + rows
        if c.max_per_item is not None:
            parts.append(f"≤ {fmt(c.max_per_item)} per item")
        if c.max_per_day is not None:
            parts.append(f"≤ {fmt(c.max_per_day)} per day")
        if c.split_years > 1:
            parts.append(f"over {c.split_years} years")
        yield f"conversions.{kind}", ", ".join(parts), c.source
    for c in data.carry_over:
        limit = f", ≤ {fmt(c.max)}" if c.max is not None else ""
        yield f"carry_over.{c.requirement}", f"excess → {c.to}{limit}", c.source
    if data.grades is not None:
        tiers = ", ".join(
            f"{t.code} ≥ {_ratio(t.min_ratio)}"
            + "".join(f" ({b} {_ratio(v)})" for b, v in t.by_age.items())
            for t in data.grades.tiers
        )
        yield "grades", f"of {data.grades.of}: {tiers}", data.grades.source
    p = data.proration
    if p.new_hire or p.leave_exempt_months is not None:
        words = ["new hire: months served ÷ 12"] if p.new_hire else []
        if p.leave_exempt_months is not None:
            words.append(f"leave ≥ {p.leave_exempt_months} months exempts")
        yield "proration", "; ".join(words), p.source


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table_rows() -> list[tuple[str, str, str, str]]:
    """(file, element, numbers, source) of every shipped rule set, in file order."""
    out = []
    for stem, text in sorted(shipped_texts().items()):
        for element, numbers, source in elements(load_yaml(text)):
            out.append((f"{stem}.yaml", element, numbers, source))
    return out


def documented() -> dict[tuple[str, str], str]:
    """{(file, element): source} from the table under HEADING in FORMAT.md."""
    guide = (RULESET_DIR / "FORMAT.md").read_text(encoding="utf-8")
    assert HEADING in guide, f"FORMAT.md has no section {HEADING!r}"
    section = guide.split(HEADING, 1)[1].split("\n## ", 1)[0]
    out = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").replace("\\|", "\x00").split("|")]
        file, element, _numbers, source = (c.replace("\x00", "|") for c in cells)
        out[(file.strip("`"), element.strip("`"))] = source
    return out


@pytest.mark.parametrize(("file", "element", "numbers", "source"), table_rows())
def test_every_numbered_element_of_a_shipped_rule_set_cites_its_source(
    file, element, numbers, source
):
    assert source.strip(), f"{file}: {element} ({numbers}) has no source"


@pytest.mark.parametrize("name", sorted(shipped_texts()))
def test_every_shipped_rule_set_cites_the_document_it_implements(name):
    assert load_yaml(shipped_texts()[name]).source.strip()


def test_the_format_guide_lists_every_element_with_its_source():
    listed = documented()
    missing = [row for row in table_rows() if (row[0], row[1]) not in listed]
    stale = [row for row in table_rows() if listed.get((row[0], row[1]), row[3]) != row[3]]
    lines = "\n".join(
        f"| `{f}` | `{e}` | {_cell(n)} | {_cell(s)} |" for f, e, n, s in missing + stale
    )
    assert not missing and not stale, f"FORMAT.md {HEADING}: add or correct these rows\n{lines}"


def test_the_table_lists_nothing_that_is_not_shipped():
    shipped = {(row[0], row[1]) for row in table_rows()}
    assert set(documented()) <= shipped
