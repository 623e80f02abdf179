from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ dict|get_item:key }}: look up a key that is itself a variable."""
    return mapping.get(key) if mapping else None
