from django import template

from xuefen.audit import words

register = template.Library()


@register.filter
def object_type_name(object_type: str) -> str:
    """orgs.person → 人员: the kind of thing an event is about, by its name."""
    return words.object_type_label(object_type)
