"""Reading request parameters: every value a client sends is hostile until parsed."""

from django import forms
from django.utils.http import url_has_allowed_host_and_scheme

_ID_FIELD = forms.IntegerField(min_value=1, max_value=2**63 - 1)


def int_param(value) -> int | None:
    """Return a primary key sent in a query string or a form, or None for anything else.

    Django's IntegerField reads it: "²", "𐩀", "1e3", a surrogate or twenty digits are
    not an id, and no id reaches the database bigger than its integer.
    """
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    try:
        return _ID_FIELD.clean(value)
    except forms.ValidationError:
        return None


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
