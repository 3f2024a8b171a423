"""A short shared copy of a public page, for anonymous visitors only.

The evening before the shoot a whole year opens the same few public pages (the
schedule, the lookup and card-check forms) and on the day phones poll the queue board.
A visitor who is not signed in sees exactly what every other one sees, so such a page
is rendered once and shared for a few seconds. Nothing is kept for a signed-in visitor:
their pages are rendered for them after the whole middleware stack and the view's
permission check, every time.

A page that shows a campaign's schedule is keyed by the campaign's version
(Campaign.version, raised in the transaction of every write to the schedule), so a
change is seen at once and a cache restored from an older state holds no copy under the
current version; the board, which every photo changes, may lag its few seconds.

A shared copy holds no visitor's CSRF token: it is rendered with a placeholder that
each response replaces with the visitor's own. It carries an ETag (naming the visitor's
CSRF secret, so that a new one never revalidates an old form), and a browser asking
again with ``If-None-Match`` gets a 304. The cache is an optimisation: with it down,
every page is rendered as if nothing were kept.
"""

import hashlib
from typing import NamedTuple

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags

# How long a public page may lag a write.
SHARED_SECONDS = 5
# Query strings longer than this are rendered but not kept: a cache filled by made-up
# URLs would push out the pages people need.
MAX_PATH = 300
# Rendered in place of the CSRF token; replaced by each visitor's own token.
CSRF_PLACEHOLDER = "csrf-placeholder-7f3c9a1e5b"
_PLACEHOLDER = CSRF_PLACEHOLDER.encode()


class PageCopy(NamedTuple):
    body: bytes
    content_type: str
    etag: str


def _shareable(request) -> bool:
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return False
    if len(request.get_full_path()) > MAX_PATH:
        return False
    # len() looks at the waiting messages without marking them as shown.
    return len(get_messages(request)) == 0


def render_public(request, template_name, context, *, version=None, seconds: int = SHARED_SECONDS):
    """Return ``render(request, template_name, context())``, from a copy shared by every
    anonymous visitor of the same URL for at most ``seconds`` (``context`` is a
    callable, so a shared copy costs no queries).

    ``version`` is what the page shows as of (the campaign's version, raised by every
    write to its schedule): a copy made under another is never served, so such a write
    is seen at once. Without one the page may lag ``seconds``."""
    if not _shareable(request):
        return render(request, template_name, context())
    raw = repr(
        (
            request.get_host(),
            request.is_secure(),
            request.get_full_path(),
            template_name,
            version,
        )
    )
    key = "public:%s" % hashlib.sha1(raw.encode()).hexdigest()
    copy = cache.get(key)
    if copy is None:
        values = dict(context())
        values["csrf_token"] = CSRF_PLACEHOLDER
        response = render(request, template_name, values)
        if response.status_code != 200:
            return response
        body = response.content
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:24]
        copy = PageCopy(body, response["Content-Type"], etag)
        cache.set(key, copy, seconds)
    return _deliver(request, copy)


def _deliver(request, copy: PageCopy) -> HttpResponse:
    """Return the response for a shared copy: with the visitor's own CSRF token, or 304
    when the browser's copy is current."""
    body, etag = copy.body, copy.etag
    token = get_token(request) if _PLACEHOLDER in body else None
    if token is not None:
        secret = request.META.get("CSRF_COOKIE", "")
        etag = '"%s"' % hashlib.sha1((etag + secret).encode()).hexdigest()[:24]
    if etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
        response = HttpResponseNotModified()
    else:
        if token is not None:
            body = body.replace(_PLACEHOLDER, token.encode())
        response = HttpResponse(body, content_type=copy.content_type)
    response["ETag"] = etag
    # Browsers must ask again each time, but may keep the copy to revalidate it.
    patch_cache_control(response, no_cache=True)
    return response
