"""Whole pages kept in the cache until a write changes what they show.

The evening before the shoot a whole year opens the same few pages; on the day phones
poll the board. ``render_cached`` is ``django.shortcuts.render`` for such a page: the
HTML is kept under the versions of the campaign's scopes it reads (capture_portal/
cache.py), so a write that bumps one of them is seen on the next request, never later.
Time alone also changes a page (a slot starts, a countdown moves): no page is kept
longer than ``PAGE_SECONDS``.

What differs per visitor stays out of the cached copy or keeps it out of the cache:

- the key holds the user (anonymous visitors share one copy) and the whole path with
  its query string;
- the CSRF token is rendered as a placeholder and each response gets its own token;
- a page with a message to show (after a save) is rendered afresh and not kept;
- only GET and HEAD requests are served from the cache.

A copy carries an ETag, so a browser that asks again with ``If-None-Match`` gets a 304.

``FrontDoorMiddleware`` serves a kept copy before the rest of the middleware and the
view run, to the same visitor (the same session, or none) for the same URL, while
every scope version the view read to find it is unchanged and, for a signed-in
visitor, while who they are is unchanged (cache.bump_users).
"""

import hashlib
import json
import time
from importlib import import_module
from typing import NamedTuple

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags

from capture_portal.cache import (
    SCHEDULE,
    SCOPES,
    identity_versions,
    record_reads,
    unchanged,
    versions,
    watch_lag,
)
from capture_portal.roles import student_of

# The longest a page may lag a change that no write announces (the clock).
PAGE_SECONDS = 15
# Query strings longer than this are rendered but not kept: a cache filled by
# made-up URLs would push out the pages people need.
MAX_PATH = 300
# Rendered in place of the CSRF token; replaced by each visitor's own token.
CSRF_PLACEHOLDER = "csrf-placeholder-7f3c9a1e5b"
_PLACEHOLDER = CSRF_PLACEHOLDER.encode()


class PageCopy(NamedTuple):
    body: bytes
    content_type: str
    etag: str
    expires: float  # time.time() past which the copy is not served


def _cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if len(request.get_full_path()) > MAX_PATH:
        return False
    # len() looks at the waiting messages without marking them as shown.
    return len(get_messages(request)) == 0


def _key(request, campaign_id, scopes, vary) -> str:
    user = request.user.pk if request.user.is_authenticated else "-"
    raw = repr((request.get_full_path(), user, campaign_id, versions(campaign_id, scopes), vary))
    return "page:%s" % hashlib.sha1(raw.encode()).hexdigest()


def render_cached(
    request, template_name, context, *, campaign_id, scopes=SCOPES, vary="", seconds=PAGE_SECONDS
):
    """Return the page ``template_name`` renders with ``context()`` (a callable, so that a
    copy from the cache costs no queries), kept for the campaign's ``scopes``.

    ``vary`` is anything else the page depends on that the request and the scopes do not
    tell (a role, a student's class)."""
    if campaign_id is None or not _cacheable(request):
        return render(request, template_name, context())
    key = _key(request, campaign_id, scopes, vary)
    kept = cache.get(key)
    if kept is None:
        with watch_lag() as lag:
            values = dict(context())
            values["csrf_token"] = CSRF_PLACEHOLDER
            response = render(request, template_name, values)
        if response.status_code != 200:
            return response
        body = response.content
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:24]
        kept = PageCopy(body, response["Content-Type"], etag, time.time() + seconds)
        # A page built on a queue still behind the desks is not kept: the next request
        # builds it again, on the fresh queue once it is there.
        if lag.behind:
            return deliver(request, kept, private=request.user.is_authenticated)
        cache.set(key, kept, seconds)
    response = deliver(request, kept, private=request.user.is_authenticated)
    response.page_copy = kept  # for FrontDoorMiddleware
    return response


def deliver(request, copy: PageCopy, *, private: bool) -> HttpResponse:
    """Return the response for a kept copy: with the visitor's own CSRF token, or 304
    when the browser's copy is current."""
    body, etag = copy.body, copy.etag
    token = get_token(request) if _PLACEHOLDER in body else None
    if token is not None:
        # A copy the browser kept holds a token of the CSRF secret it was given with: after
        # a new login (a new secret) that copy must not be reused, so the tag names the
        # secret too.
        secret = request.META.get("CSRF_COOKIE", "")
        etag = '"%s"' % hashlib.sha1((etag + secret).encode()).hexdigest()[:24]
    if etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
        response = HttpResponseNotModified()
    else:
        if token is not None:
            body = body.replace(_PLACEHOLDER, token.encode())
        response = HttpResponse(body, content_type=copy.content_type)
    response["ETag"] = etag
    # Browsers must ask again each time (the page may change at any write), but may
    # keep the copy to revalidate it.
    if private:
        patch_cache_control(response, no_cache=True, private=True)
    else:
        patch_cache_control(response, no_cache=True)
    return response


class _Entry(NamedTuple):
    copy: PageCopy
    session: str  # a digest of the session's data; "" for a visitor without one
    read: dict  # {version key: version} the view read
    headers: tuple  # the rest of the middleware's headers (CSP, X-Frame-Options, Vary)
    private: bool


# Set by deliver() or by the middleware's own request; never copied from the kept page.
_OWN_HEADERS = {"content-type", "content-length", "etag", "cache-control"}


def _session_digest(data: dict) -> str:
    return hashlib.sha1(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


class FrontDoorMiddleware:
    """Serve a page ``render_cached`` kept straight from the cache, before the session,
    CSRF, authentication, messages and rate-limit middleware and the view run.

    The evening before the shoot most requests are a page somebody already saw a
    moment ago; for those, the middleware below costs several times the copy itself.
    An entry here is the copy of one URL for one visitor: the session (its key and its
    data: a signed-in user, a chosen campaign) or, with no session cookie, every
    anonymous visitor. It is served while

    - the session holds what it held when the copy was made,
    - every scope version the view read on the way to the copy is unchanged (the same
      test ``render_cached`` makes, recorded by cache.record_reads),
    - for a signed-in visitor, who they are is unchanged (their login, groups, roster
      entry: cache.bump_users; for a student also their campaign's schedule, which a
      monitor change or a roster import bumps), and
    - the copy itself is within its ``PAGE_SECONDS``.

    Everything else goes the whole way: other methods, a waiting message, a session
    cookie with no session behind it, a page that changes the session or sets a cookie
    of its own. The middleware sits below SecurityMiddleware and WhiteNoise, so HTTPS
    redirects and security headers still apply and static files never reach it; CSP,
    X-Frame-Options and Vary are kept with the entry as the rest of the stack set them.
    """

    # How many entries' version keys a process remembers (a few MB at most).
    KNOWN_KEYS = 20_000

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)
        self.sessions = import_module(settings.SESSION_ENGINE).SessionStore
        # {entry key: the version keys it was last found under}, so that the entry and
        # its versions come back in one round trip to the cache.
        self.known = {}

    def __call__(self, request):
        key = self._door_key(request)
        if key is None:
            return self.get_response(request)
        entry, found = self._lookup(key)
        if entry is not None and self._current(request, entry, found):
            return self._serve(request, entry)
        with record_reads() as read:
            response = self.get_response(request)
        self._keep(request, response, key, read)
        return response

    def _door_key(self, request) -> str | None:
        """Return the key of the request's entry, or None if it never has one."""
        if request.method != "GET" or CookieStorage.cookie_name in request.COOKIES:
            return None
        path = request.get_full_path()
        if len(path) > MAX_PATH:
            return None
        raw = repr(
            (
                request.get_host(),
                request.is_secure(),
                path,
                request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""),
            )
        )
        return "door:%s" % hashlib.sha1(raw.encode()).hexdigest()

    def _lookup(self, key) -> tuple:
        """Return the entry under ``key`` (or None) and, if they came with it, the
        current versions of the keys it read."""
        read_keys = self.known.get(key)
        if read_keys is None:
            entry = cache.get(key)
            found = None
        else:
            found = cache.get_many([key, *read_keys])
            entry = found.pop(key, None)
        if entry is not None:
            if len(self.known) >= self.KNOWN_KEYS:
                self.known.clear()
            self.known[key] = tuple(entry.read)
            if found is not None and tuple(entry.read) != read_keys:
                found = None  # kept since under other versions: ask for those
        return entry, found

    def _current(self, request, entry, found) -> bool:
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
        if session_key:
            data = dict(self.sessions(session_key).items())
            # Signed out or expired, or a message waits in the session: the whole way.
            if not data or "_messages" in data or _session_digest(data) != entry.session:
                return False
        elif entry.session:
            return False
        if found is None:
            return unchanged(entry.read)
        return found == entry.read

    def _keep(self, request, response, key, read) -> None:
        copy = getattr(response, "page_copy", None)
        if copy is None or response.status_code != 200:
            return
        if set(response.cookies) - {settings.CSRF_COOKIE_NAME}:
            return  # a cookie of the page's own (the CSRF one is set per visitor below)
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
        session = getattr(request, "session", None)
        if session is None or session.modified or (session.session_key or "") != session_key:
            return
        digest = ""
        if session_key:
            data = dict(session.items())
            if not data:
                return
            digest = _session_digest(data)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in:
            with record_reads() as identity:
                identity_versions(user.pk)
                student = student_of(user)
                if student is not None:
                    versions(student.campaign_id, (SCHEDULE,))
            read = {**read, **identity}
        seconds = copy.expires - time.time()
        if seconds < 1:
            return
        headers = tuple(
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in _OWN_HEADERS
        )
        cache.set(key, _Entry(copy, digest, read, headers, signed_in), seconds)

    def _serve(self, request, entry):
        if _PLACEHOLDER in entry.copy.body:
            self.csrf.process_request(request)  # the visitor's CSRF secret, from the cookie
        response = deliver(request, entry.copy, private=entry.private)
        for name, value in entry.headers:
            response[name] = value
        # A visitor without a CSRF cookie was given a new secret: set it.
        return self.csrf.process_response(request, response)
