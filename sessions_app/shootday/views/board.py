"""The public queue board at the door."""

from django.http import Http404
from django.utils.translation import gettext as _

from capture_portal.http import int_param
from capture_portal.pagecache import render_public
from sessions_app.campaigns import campaign_for_request
from sessions_app.models import Venue
from sessions_app.shootday.selectors import queue as queue_selectors

BOARD_REFRESH_SECONDS = 20
# How long the phones at the door share one rendering of the board.
BOARD_SHARED_SECONDS = 3


def board(request):
    campaign = campaign_for_request(request, published_only=True)
    venue = None
    if request.GET.get("venue"):
        venue = Venue.objects.filter(pk=int_param(request.GET["venue"]) or 0).first()
        if venue is None:
            raise Http404(_("没有这个拍摄地点。"))
    template = (
        "sessions_app/shootday/_board_body.html"
        if request.GET.get("partial") == "1"
        else "sessions_app/shootday/board.html"
    )

    def context():
        board = queue_selectors.queue_board(campaign=campaign, venue=venue) if campaign else None
        return {
            "campaign": campaign,
            "board": board,
            "venues": queue_selectors.board_venues(campaign=campaign, day=board.day)
            if board
            else [],
            "refresh_seconds": BOARD_REFRESH_SECONDS,
        }

    # Every phone at the door polls this: one rendering serves them all for a few
    # seconds (a board may lag the desks that long; the desk itself never does).
    return render_public(request, template, context, seconds=BOARD_SHARED_SECONDS)
