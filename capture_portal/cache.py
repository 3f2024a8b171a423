"""Caching computed results until a write changes what they were computed from.

Each campaign's data falls into scopes: the schedule (campaign, slots, venues, classes,
groups, colleges), the roster (students), the day (numbers, absences, class closes,
desk corrections), money (payments and hand-overs), cards (card checks), the 学信网
follow-up and the accounts (who has logged in). Every scope has a version in the
cache; a result is cached under the versions of the scopes it reads, so a write that
bumps a scope makes every result built on it unreachable at once: nobody sees a stale
schedule, payment or queue.

Writes bump their scopes through model signals (capture_portal/invalidation.py) and,
for bulk writes that send no signal (``update()``, ``bulk_create()``), by calling
``bump`` themselves. The versions live in Django's default cache, so with a shared
cache (settings.CACHES) every app host sees a bump at once.
"""

import contextlib
import hashlib
import secrets
import threading
import time

from django.core.cache import cache
from django.db import transaction

SCHEDULE = "schedule"
ROSTER = "roster"
DAY = "day"
MONEY = "money"
CARDS = "cards"
CHSI = "chsi"
# Who has logged in and set their own password: every first login changes it, so it is
# apart from the roster, which a page that only lists the students reads.
ACCOUNTS = "accounts"
SCOPES = (SCHEDULE, ROSTER, DAY, MONEY, CARDS, CHSI, ACCOUNTS)
# Every scope but who has logged in: what a page about the roster but not its logins reads.
CONTENT = (SCHEDULE, ROSTER, DAY, MONEY, CARDS, CHSI)
# What the money pages read: who is in which class and slot, the day's photos, payments.
MONEY_PAGE = (SCHEDULE, ROSTER, DAY, MONEY)
# Who a user is (their login, groups, roster entry): a scope per user, not per campaign.
IDENTITY = "identity"
# The "campaign" of results about every campaign (which one a page shows by default).
EVERY_CAMPAIGN = "every"

# A result is kept at most this long even without a write: memory is bounded by use.
DEFAULT_TIMEOUT = 30 * 60
# The longest one request may hold the recomputation of a lagging result.
RECOMPUTE_SECONDS = 30
_MISSING = object()


def _version_key(scope: str, campaign_id) -> str:
    return "ver:%s:%s" % (scope, campaign_id)


def versions(campaign_id, scopes) -> tuple:
    """Return the current version of each scope of the campaign (starting them if the
    cache has none: a random start, so a cleared cache never revives an old result)."""
    keys = [_version_key(scope, campaign_id) for scope in scopes]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, secrets.randbelow(2**31), timeout=None)
            found[key] = cache.get(key)
    seen = getattr(_reads, "seen", None)
    if seen is not None:
        seen.update((key, found[key]) for key in keys)
    return tuple(found[key] for key in keys)


_reads = threading.local()


@contextlib.contextmanager
def record_reads():
    """Collect the version of every scope read inside the block, as {key: version}: a
    result built inside it is current exactly while ``unchanged`` says so."""
    previous = getattr(_reads, "seen", None)
    _reads.seen = {}
    try:
        yield _reads.seen
    finally:
        _reads.seen = previous


def unchanged(read: dict) -> bool:
    """Return whether every version in ``read`` (from ``record_reads``) is still current."""
    return cache.get_many(list(read)) == read


def _user_campaign(user_id) -> str:
    return "user-%s" % user_id


def identity_versions(user_id) -> tuple:
    """Return the version of who the user is (bumped by ``bump_users``)."""
    return versions(_user_campaign(user_id), (IDENTITY,))


def bump_users(*user_ids) -> None:
    """Make every result about who these users are stale: a login saved, a group
    granted or taken, a roster entry linked."""
    for user_id in set(user_ids):
        if user_id is not None:
            bump(_user_campaign(user_id), IDENTITY)


def _bump_now(campaign_id, scopes) -> None:
    for scope in scopes:
        key = _version_key(scope, campaign_id)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, secrets.randbelow(2**31), timeout=None)


_batch = threading.local()
_lag = threading.local()


@contextlib.contextmanager
def watch_lag():
    """Tell whether a result served inside the block was behind a write
    (``remember_lagging``): a page built on it must not be kept beyond it.

        with watch_lag() as lag:
            ...
        if lag.behind: ...
    """
    _lag.behind = False
    yield _lag


def bump(campaign_id, *scopes) -> None:
    """Make every cached result on these scopes of the campaign stale: now, for the
    rest of this transaction, and again once it commits, since another host may have
    cached a result of the data before the commit in between. Inside ``batch()`` the
    bump waits for the batch to end."""
    if campaign_id is None:
        return
    pending = getattr(_batch, "pending", None)
    if pending is not None:
        pending.update((campaign_id, scope) for scope in scopes)
        return
    _bump_now(campaign_id, scopes)
    transaction.on_commit(lambda: _bump_now(campaign_id, scopes))


@contextlib.contextmanager
def batch():
    """Bump each scope once for a loop of writes (issuing 20,000 accounts saves 20,000
    students: one bump, not 20,000, against a shared cache)."""
    if getattr(_batch, "pending", None) is not None:
        yield  # already batching
        return
    _batch.pending = set()
    try:
        yield
    finally:
        pending, _batch.pending = _batch.pending, None
        by_campaign: dict = {}
        for campaign_id, scope in pending:
            by_campaign.setdefault(campaign_id, set()).add(scope)
        for campaign_id, scopes in by_campaign.items():
            bump(campaign_id, *sorted(scopes))


def bump_all(*scopes) -> None:
    """Bump the scopes of every campaign (a venue or a college renamed)."""
    from sessions_app.models import Campaign

    for campaign_id in Campaign.objects.values_list("pk", flat=True):
        bump(campaign_id, *scopes)


def _result_key(kind: str, name: str, campaign_id, scopes, extra) -> str:
    """Return the key of a result: its name, the campaign, the versions of the scopes it
    reads and a digest of ``extra``."""
    tag = hashlib.sha1(repr(extra).encode()).hexdigest()[:16] if extra != "" else "-"
    stamp = ".".join(str(v) for v in versions(campaign_id, scopes))
    return "%s:%s:%s:%s:%s" % (kind, name, campaign_id, stamp, tag)


def remember(name: str, campaign_id, scopes, compute, *, extra="", timeout=DEFAULT_TIMEOUT):
    """Return ``compute()``, cached under ``name``, the campaign, the versions of its
    ``scopes`` and ``extra`` (anything else the result depends on: a slot, a page, the
    slots ended by now …)."""
    key = _result_key("res", name, campaign_id, scopes, extra)
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, timeout)
    return value


def remember_lagging(
    name: str,
    campaign_id,
    scopes,
    lagging,
    compute,
    *,
    seconds: float,
    extra="",
    timeout=DEFAULT_TIMEOUT,
):
    """Return ``compute()`` like ``remember``, except that a write to the ``lagging``
    scopes is seen within ``seconds`` rather than at once: a result computed for an
    earlier version of them is served until it is that old.

    For what many read while writes come faster than it can be recomputed: the day's
    queue, which four desks change every few seconds and hundreds of phones watch. While
    one request recomputes a due result, the others are served the kept one: a write is
    seen within ``seconds`` plus one computation (``RECOMPUTE_SECONDS`` at most, should
    the computing process die).
    With ``seconds`` 0 it is ``remember`` on every scope (the desk itself, which must
    see its own write)."""
    if seconds <= 0:
        return remember(name, campaign_id, tuple(scopes) + tuple(lagging), compute, extra=extra)
    key = _result_key("lag", name, campaign_id, scopes, extra)
    current = versions(campaign_id, lagging)
    kept = cache.get(key)
    busy = key + ":busy"
    if kept is not None:
        kept_versions, computed_at, value = kept
        if kept_versions == current:
            return value
        if time.time() - computed_at < seconds:
            _lag.behind = True
            return value
        # Due again: one request recomputes, the others serve the kept value meanwhile,
        # so that a crowd arriving together costs one computation, not one each.
        if not cache.add(busy, 1, timeout=RECOMPUTE_SECONDS):
            _lag.behind = True
            return value
    started = time.time()  # the data is as of the start of the computation
    try:
        value = compute()
        cache.set(key, (current, started, value), timeout)
    finally:
        if kept is not None:
            cache.delete(busy)
    return value
