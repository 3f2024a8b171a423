"""Deployment checks of what several gunicorn workers or app hosts must share.

``manage.py check --deploy`` warns when the cache is each process's own memory: the
rate limits and the per-address login lockout count in the cache, so each worker would
count apart and a limit would let through its number times the workers.
"""

from django.conf import settings
from django.core import checks

LOCAL_CACHES = ("django.core.cache.backends.locmem.LocMemCache",)


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache_check(app_configs=None, **kwargs):
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in LOCAL_CACHES:
        return [
            checks.Warning(
                "The cache is each process's own memory, so each gunicorn worker or app "
                "host counts the rate limits and an address's failed logins apart (a "
                "limit lets through its number times the workers).",
                hint="Set CACHE_URL to redis://host:6379/0 or to db://portal_cache (then "
                "run `manage.py createcachetable`).",
                id="capture_portal.W001",
            )
        ]
    return []
