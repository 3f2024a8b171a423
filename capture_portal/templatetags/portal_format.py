"""Template filters for numbers people read: ``{{ amount|yuan }}`` (formats.yuan)."""

from django import template

from capture_portal import formats

register = template.Library()


@register.filter
def yuan(value) -> str:
    return formats.yuan(value)
