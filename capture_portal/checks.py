"""Deployment checks of what several gunicorn workers or app hosts must share.

``manage.py check --deploy`` warns when the cache is each process's own memory: a
write's cache bump in one worker would not reach the others, which would serve a stale
schedule, payment or queue for up to the cache's timeout.
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
                "The cache is each process's own memory, so a change made through one "
                "gunicorn worker or app host leaves the others' cached pages stale.",
                hint="Set CACHE_URL to db://portal_cache (then run `manage.py "
                "createcachetable`) or to redis://host:6379/0.",
                id="capture_portal.W001",
            )
        ]
    return []
