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


def client_ip(request) -> str:
    """Return the address of the client a request comes from.

    Behind ``TRUSTED_PROXY_COUNT`` reverse proxies that each append the address they saw
    to X-Forwarded-For, the client is that many entries from the right: anything to the
    left of it was written by the client and may be forged. With no trusted proxy the
    header is ignored and the peer address is the client. django-ipware reads the header
    (its ``proxy_count`` counts the proxies listed in it, the nearest one excluded).
    """
    from django.conf import settings
    from ipware.ip import get_client_ip

    peer = request.META.get("REMOTE_ADDR") or "0.0.0.0"
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return peer
    address, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=proxies - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    # No header, or fewer entries than trusted proxies: the request did not come
    # through them all, so the peer is the only address known.
    return address or peer
