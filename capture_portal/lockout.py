"""Login lockout by address: failures from one address, whatever the usernames.

django-axes locks a username from one address (the owner on another address is never
locked out by someone else's guesses). An attacker sweeping the sequential 学号 with a
few guesses each stays under that; this counts every failure of an address in Django's
cache (django-ratelimit's counter) and refuses the address once it has too many.

Without a cache no failure is counted and no address is refused (django-ratelimit's
``RATELIMIT_FAIL_OPEN``, and a count read as 0): the portal stays open to the students
while axes, which counts in the database, still locks a username from one address.
"""

from django.conf import settings
from django_ratelimit.core import get_usage

GROUP = "login-address-failures"


def _usage(request, *, increment: bool) -> dict | None:
    seconds = max(1, round(settings.AXES_COOLOFF_TIME * 3600))
    rate = "%d/%ds" % (settings.LOGIN_ADDRESS_FAILURE_LIMIT, seconds)
    return get_usage(request, group=GROUP, key="ip", rate=rate, increment=increment)


def address_locked(request) -> bool:
    """Return whether the request's address has used up its failed logins."""
    usage = _usage(request, increment=False)
    return usage is not None and usage["count"] >= usage["limit"]


def login_failed(sender, credentials=None, request=None, **kwargs) -> None:
    """Count a failed login against its address (receiver of ``user_login_failed``)."""
    if request is not None:
        _usage(request, increment=True)
