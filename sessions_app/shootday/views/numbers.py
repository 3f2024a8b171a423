"""The number log, for the crew."""

from django.contrib import messages
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from capture_portal.http import int_param
from sessions_app.campaigns import campaign_or_404
from sessions_app.roles import crew_required
from sessions_app.shootday.forms import SearchForm
from sessions_app.shootday.selectors import numbers as number_selectors


@crew_required
def numbers(request):
    """The number log, a page at a time, searchable by 序号, 学号 or name."""
    campaign = campaign_or_404(request)
    search = SearchForm(request.GET)
    query = ""
    if search.is_valid():
        query = search.cleaned_data["q"]
    else:
        messages.error(request, _("查询内容过长，请输入拍摄序号、学号或姓名。"))
    context = {
        "campaign": campaign,
        "log": number_selectors.number_log(
            campaign=campaign, query=query, page=int_param(request.GET.get("page"))
        ),
        "query": query,
        "page_query": urlencode({"campaign": campaign.pk, **({"q": query} if query else {})}),
    }
    return render(request, "sessions_app/shootday/numbers.html", context)
