"""The make-up list, on the page and exported."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from capture_portal.exports import export_response
from capture_portal.http import int_param
from sessions_app.campaigns import campaign_or_404
from sessions_app.codemode import selectors as code_selectors
from sessions_app.exports import export_file
from sessions_app.models import MakeupRoute
from sessions_app.roles import crew_required
from sessions_app.shootday.selectors import makeup as makeup_selectors


@crew_required
def makeup(request):
    campaign = campaign_or_404(request)
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in ("xlsx", "pdf"):
            messages.error(request, _("补拍名单只能导出为 XLSX 或 PDF。"))
            return redirect("shootday:makeup")
        return export_response(*export_file(campaign=campaign, kind="makeup", fmt=fmt))

    makeup = makeup_selectors.makeup_students(campaign=campaign)
    page = makeup.page(int_param(request.GET.get("page")) or 1)
    routes = (
        code_selectors.makeup_routes(students=[row.student for row in page.object_list])
        if campaign.is_code_mode
        else {}
    )
    context = {
        "campaign": campaign,
        "makeup": makeup,
        "page": page,
        "rows": [(row, routes.get(row.student.pk)) for row in page.object_list],
        "route_choices": MakeupRoute.Route.choices,
        "query": "campaign=%d" % campaign.pk,
    }
    return render(request, "sessions_app/shootday/makeup.html", context)
