"""Plan versus actual and survey results as XLSX, through the project's one writer
(`core.tabular`): the same figures the pages show, one row per line, class or group."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xuefen.core.tabular import Sheet
from xuefen.planning.queries import Figures, PlanReport


def _n(value: Decimal | None) -> float | None:
    """An amount as a number cell (the writer keeps a Decimal as text), so a sheet can sum it."""
    return None if value is None else float(value)


def _figures(f: Figures) -> list[Any]:
    return [
        f.planned_classes,
        f.classes_run,
        f.planned_people,
        f.people_trained,
        _n(f.planned_hours),
        _n(f.hours),
        _n(f.budget),
        _n(f.spent),
        _n(f.cost_per_hour),
        _("Over budget") if f.over_budget else None,
    ]


def plan_sheets(report: PlanReport) -> list[Sheet]:
    """Two sheets: plan versus actual (every line, its linked classes below it, the total) and the
    budget by source against what was spent."""
    headers = [
        _("Plan line"),
        _("Class"),
        _("Target group"),
        _("Classes planned"),
        _("Classes run"),
        _("Trainees planned"),
        _("Trainees trained"),
        _("Person-hours planned"),
        _("Person-hours credited"),
        _("Budget (yuan)"),
        _("Spent (yuan)"),
        _("Cost per person-hour"),
        pgettext("budget", "Flag"),
    ]
    rows: list[list[Any]] = []
    for line, figures, classes in report.lines:
        group = line.get_target_group_display() if line.target_group else _("Everyone")
        rows.append([line.title, None, group, *_figures(figures)])
        for klass, class_figures, _link in classes:
            rows.append(
                [
                    line.title,
                    f"{klass.code} {klass.name}",
                    None,
                    None,
                    class_figures.classes_run,
                    None,
                    class_figures.people_trained,
                    None,
                    _n(class_figures.hours),
                    None,
                    _n(class_figures.spent),
                    _n(class_figures.cost_per_hour),
                    None,
                ]
            )
    rows.append([_("Total"), None, None, *_figures(report.total)])
    budget_rows: list[list[Any]] = [
        [source, _n(budget), _n(spent), _("Over budget") if spent > budget else None]
        for source, budget, spent in report.budgets
    ]
    budget_rows.append([_("Total"), _n(report.budget_total), _n(report.total.spent), None])
    return [
        Sheet(_("Plan versus actual"), headers, rows),
        Sheet(
            _("Budget by source"),
            [
                pgettext("money", "Source"),
                _("Budget (yuan)"),
                _("Spent (yuan)"),
                pgettext("budget", "Flag"),
            ],
            budget_rows,
        ),
    ]


def survey_sheets(results: dict[str, Any]) -> list[Sheet]:
    """One sheet of every score and choice question by group (as the page groups them), one of
    the free-text answers the page lists."""
    headers = [_("Question"), _("Group"), _("Answers"), _("Mean score"), _("Option"), _("Count")]
    rows: list[list[Any]] = []
    texts: list[list[Any]] = []
    for question in results["questions"]:
        item = question["item"]
        if item["type"] == "score":
            for group, count, mean in question["rows"]:
                rows.append([item["text"], group, count, mean, None, None])
        elif item["type"] == "choice":
            for group, counts in question["rows"]:
                for option, count in zip(question["options"], counts, strict=True):
                    rows.append([item["text"], group, None, None, option, count])
        else:
            texts.extend([item["text"], text] for text in question["texts"])
    return [
        Sheet(_("Survey results"), headers, rows),
        Sheet(_("Written answers"), [_("Question"), pgettext("survey", "Answer")], texts),
    ]
