"""Rate limits on the anonymous and cheap-to-abuse requests, with django-ratelimit.

Each limit has a name in ``settings.RATE_LIMITS`` (read per request, so a deployment or
a test can change it), counted in Django's cache per client address
(``capture_portal.http.client_ip``, which knows the trusted proxies) or per account.
Past a limit the request raises ``Ratelimited``; ``RatelimitMiddleware`` answers it
with ``capture_portal.views.rate_limited``: HTTP 429 and a Chinese page or JSON.

Without a cache (Redis down or restarting) nothing can be counted, and every limit lets
its requests through (``RATELIMIT_FAIL_OPEN``) rather than answer 429 to every login and
check until the cache is back.
"""

from django.conf import settings
from django_ratelimit import ALL, UNSAFE
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

__all__ = ["ALL", "UNSAFE", "check", "limit"]


def _rate(name: str):
    def rate(group, request):
        # An empty setting turns the limit off.
        return settings.RATE_LIMITS.get(name) or None

    return rate


def limit(name: str, *, key: str = "ip", method=UNSAFE):
    """Decorate a view with the limit ``name`` (writes only, unless ``method``)."""
    return ratelimit(group=name, key=key, rate=_rate(name), method=method)


def check(request, name: str, *, key: str = "ip") -> None:
    """Count one request against the limit ``name``; raise Ratelimited past it."""
    if is_ratelimited(request, group=name, key=key, rate=_rate(name), increment=True):
        raise Ratelimited()
