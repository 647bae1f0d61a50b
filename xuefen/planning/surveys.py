"""Needs-survey questions as data, written by the office one per line:

    score: 当前工作对培训的需要程度
    choice: 希望的培训方式 = 脱产集中; 网络学习; 专题讲座
    text: 其他意见和建议

(评分 / 单选 / 文字 are understood too). Scores are 1 to 5 as in the class questionnaires
(training.questionnaires); a choice takes one of its options; a text is free. Checked the same way
when the survey is saved and when it is answered."""

from typing import Any

from django.utils.translation import gettext as _

from xuefen.planning.errors import Code, PlanningError

TYPES = {
    "score": "score",
    "评分": "score",
    "choice": "choice",
    "单选": "choice",
    "text": "text",
    "文字": "text",
}
MAX_ITEMS = 30
SCORES = (1, 2, 3, 4, 5)


def parse_items(text: str) -> list[dict[str, Any]]:
    """The questions of the text, or PlanningError naming the first bad line."""
    items: list[dict[str, Any]] = []
    lines = [line.strip() for line in text.splitlines()]
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        kind_word, _sep, rest = line.replace("：", ":").partition(":")
        kind = TYPES.get(kind_word.strip().lower())
        question, _eq, options_text = rest.partition("=")
        options = [o.strip() for o in options_text.replace("；", ";").split(";") if o.strip()]
        if kind is None or not question.strip() or (kind == "choice") != bool(options):
            raise PlanningError(
                Code.ITEMS_INVALID,
                _(
                    "Line %(n)s: write the kind (score, choice or text), a colon and the question; "
                    "a choice lists its options after =, separated by ;."
                )
                % {"n": number},
                field="items",
            )
        item: dict[str, Any] = {
            "code": f"q{len(items) + 1}",
            "text": question.strip()[:200],
            "type": kind,
        }
        if options:
            item["options"] = [o[:60] for o in options[:12]]
        items.append(item)
    if not 0 < len(items) <= MAX_ITEMS:
        raise PlanningError(
            Code.ITEMS_INVALID,
            _("A survey has 1 to %(n)s questions.") % {"n": MAX_ITEMS},
            field="items",
        )
    return items


def items_text(items: list[dict[str, Any]]) -> str:
    """The questions as the office writes them (for changing a draft)."""
    lines = []
    for item in items:
        line = f"{item['type']}: {item['text']}"
        if item.get("options"):
            line += " = " + "; ".join(item["options"])
        lines.append(line)
    return "\n".join(lines)


def check_answers(items: list[dict[str, Any]], data: Any) -> dict[str, Any]:
    """The answers as stored ({code: value}), or PlanningError naming the first bad one. A score
    or a choice must be answered; a text may stay empty."""
    out: dict[str, Any] = {}
    for number, item in enumerate(items, start=1):
        raw = str(data.get(item["code"], "")).strip()
        if item["type"] == "score":
            value: Any = int(raw) if raw.isdigit() and int(raw) in SCORES else None
        elif item["type"] == "choice":
            value = raw if raw in item.get("options", []) else None
        else:
            value = raw[:1000]
        if value is None:
            raise PlanningError(
                Code.ANSWER_INVALID,
                _("Question %(n)s: choose one of the answers.") % {"n": number},
                field=item["code"],
            )
        out[item["code"]] = value
    return out
