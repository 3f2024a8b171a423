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
"""

import hashlib

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags

from capture_portal.cache import SCOPES, versions, watch_lag

# The longest a page may lag a change that no write announces (the clock).
PAGE_SECONDS = 15
# Query strings longer than this are rendered but not kept: a cache filled by
# made-up URLs would push out the pages people need.
MAX_PATH = 300
# Rendered in place of the CSRF token; replaced by each visitor's own token.
CSRF_PLACEHOLDER = "csrf-placeholder-7f3c9a1e5b"


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
        kept = (body, response["Content-Type"], etag)
        # A page built on a queue still behind the desks is not kept: the next request
        # builds it again, on the fresh queue once it is there.
        if not lag.behind:
            cache.set(key, kept, seconds)
    body, content_type, etag = kept
    placeholder = CSRF_PLACEHOLDER.encode()
    token = get_token(request) if placeholder in body else None
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
            body = body.replace(placeholder, token.encode())
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    # Browsers must ask again each time (the page may change at any write), but may
    # keep the copy to revalidate it.
    patch_cache_control(response, no_cache=True, private=request.user.is_authenticated)
    return response
