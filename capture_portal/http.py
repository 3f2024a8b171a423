"""Reading request parameters: every value a client sends is hostile until parsed."""

from django.utils.http import url_has_allowed_host_and_scheme

_MAX_ID_DIGITS = 18


def int_param(value) -> int | None:
    """Return a primary key given as ASCII digits (``"42"``), or None for anything else.

    ``str.isdigit()`` accepts "²" and "٣", which ``int()`` then refuses or reads as
    another number: only 0–9 count here, and no more digits than a database id has.
    """
    value = (value or "").strip()
    if not value or len(value) > _MAX_ID_DIGITS or not value.isascii() or not value.isdigit():
        return None
    return int(value)


def local_url(request, value, default: str) -> str:
    """Return ``value`` if it is a path on this site (a "next" sent back by a form),
    else ``default``: a posted URL never sends staff to another site."""
    value = (value or "").strip()
    if value.startswith("/") and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default


def next_param(request) -> str | None:
    """Return the ``?next=`` address to go back to if it is a page of this site, else
    None: a link from elsewhere must not turn a form into a redirect to another site."""
    return local_url(request, request.GET.get("next"), None)
