"""Which campaign a page, an export or a command is about.

A page that shows one campaign takes it from ``?campaign=ID``; a signed-in user's
choice is remembered for the session, so the staff's and the crew's pages stay on the
campaign they picked. Without a choice, the page shows the campaign whose shoot day is
at hand (selectors.campaign_default). A command takes ``--campaign ID`` and, when
there is more than one campaign, refuses to guess.
"""

from django.core.management.base import CommandError
from django.http import Http404
from django.utils.translation import gettext as _

from capture_portal.http import int_param
from sessions_app.models import Campaign
from sessions_app.selectors import campaign_default

SESSION_KEY = "campaign"


def campaign_for_request(request, *, published_only: bool = False) -> Campaign | None:
    """Return the campaign the request asks for, remembers or means; None if there is
    none at all. An unknown or malformed ``?campaign=`` is a 404.

    ``published_only`` is for the public pages: an unpublished campaign stays hidden
    even when named.
    """
    remember = request.user.is_authenticated
    asked = request.GET.get("campaign")
    if not asked and not (remember and SESSION_KEY in request.session):
        return campaign_default(published_only=published_only)
    campaigns = Campaign.objects.filter(published=True) if published_only else Campaign.objects
    if asked:
        pk = int_param(asked)
        campaign = campaigns.filter(pk=pk).first() if pk is not None else None
        if campaign is None:
            raise Http404("没有这个采集活动。")
        if remember:
            request.session[SESSION_KEY] = campaign.pk
        return campaign
    if remember and SESSION_KEY in request.session:
        campaign = campaigns.filter(pk=request.session[SESSION_KEY]).first()
        if campaign is not None:
            return campaign
    return campaign_default(published_only=published_only)


def campaign_or_404(request) -> Campaign:
    """Return the campaign a staff or crew page is about (campaign_for_request); 404
    while there is no campaign at all."""
    campaign = campaign_for_request(request)
    if campaign is None:
        raise Http404(_("还没有采集活动。"))
    return campaign


def campaign_for_command(campaign_id: int | None) -> Campaign:
    """Return the campaign a command was given with ``--campaign``; without it, the only
    campaign there is. Raise CommandError (exit code 2) otherwise, listing the choices."""
    if campaign_id is not None:
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None:
            raise CommandError("没有编号为 %d 的采集活动。" % campaign_id, returncode=2)
        return campaign
    campaigns = list(Campaign.objects.order_by("-graduation_year", "-id")[:21])
    if not campaigns:
        raise CommandError("还没有采集活动：请先运行 load_notice。", returncode=2)
    if len(campaigns) > 1:
        choices = "；".join("%d：%s" % (c.pk, c.title) for c in campaigns[:20])
        raise CommandError(
            "有多个采集活动，请用 --campaign 指定编号（%s）。" % choices, returncode=2
        )
    return campaigns[0]
