"""Small display helpers for the results pages."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_label(labels: dict[str, str], code: str) -> str:
    """The label of a category code (the code itself when the rule set does not name it)."""
    return labels.get(code, code) if isinstance(labels, dict) else code


@register.filter
def percent(value: Any) -> str:
    return f"{value}%"
