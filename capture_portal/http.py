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


def next_param(request) -> str | None:
    """Return the ``?next=`` address to go back to if it is a page of this site, else
    None: a link from elsewhere must not turn a form into a redirect to another site."""
    url = request.GET.get("next", "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None
