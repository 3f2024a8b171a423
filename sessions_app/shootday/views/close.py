"""The class close, at the desk."""

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from capture_portal.services import run_service
from sessions_app.models import SchoolClass
from sessions_app.roles import crew_required
from sessions_app.shootday import services
from sessions_app.shootday.selectors import close as close_selectors


@crew_required
def class_close(request, pk):
    school_class = get_object_or_404(SchoolClass.objects.select_related("campaign"), pk=pk)
    if request.method == "POST":
        run_service(
            request,
            lambda: services.class_close(school_class=school_class, by=request.user),
            success=_("%(name)s 已结束拍摄，数据已记录。") % {"name": school_class.name},
        )
        return redirect("shootday:class_close", pk=school_class.pk)
    return render(
        request,
        "sessions_app/shootday/close.html",
        {"summary": close_selectors.class_close_summary(school_class=school_class)},
    )
