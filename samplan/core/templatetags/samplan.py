import datetime

from django import template
from django.utils import timezone, translation

from samplan.core import dates, law

register = template.Library()

# Dates in words, one way everywhere (samplan.core.dates): {{ meeting.starts_at|day_time }}.
for _name in ("day", "short_day", "day_time", "short_day_time", "weekday_time", "clock"):
    register.filter(_name, getattr(dates, _name))


@register.filter
def get_item(mapping, key):
    """{{ dict|get_item:key }}: look up a key that is itself a variable."""
    return mapping.get(key) if mapping else None


@register.simple_tag
def sip_basis(day=None):
    """{% sip_basis day as basis %}: the SIP's legal basis on that day (today when empty),
    from the one table of legal references (samplan.core.law)."""
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date()
    return law.sip_basis(day)


@register.filter
def possessive(name: str) -> str:
    """{{ name|possessive }}: "Eriks" in Swedish (no s after s, x or z: "Lars"), "Erik's" in
    English, for "Eriks plan" to a guardian."""
    name = str(name)
    if translation.get_language() == "en":
        return f"{name}'" if name.endswith("s") else f"{name}'s"
    return name if name[-1:].lower() in {"s", "x", "z"} else f"{name}s"


@register.filter
def quoted(text) -> str:
    """{{ text|quoted }}: a quotation in the reader's language: ”Swedish” (the same mark on
    both sides), “English”."""
    if translation.get_language() == "en":
        return f"\u201c{text}\u201d"
    return f"\u201d{text}\u201d"
