from django import template

from xuefen.audit import words

register = template.Library()


@register.filter
def object_type_name(object_type: str) -> str:
    """orgs.person → 人员: the kind of thing an event is about, by its name."""
    return words.object_type_label(object_type)


@register.filter
def object_text(event: object) -> str:
    """What the event is about, in words (an export's code reads as its kind's name)."""
    return words.object_text(getattr(event, "object_type", ""), getattr(event, "object_repr", ""))
