"""After the shoot: a student's 学信网 answer, and 教务处's follow-up list with its
exports and the handling of each reported problem."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from capture_portal import ratelimits
from capture_portal.exports import export_response
from capture_portal.http import int_param
from capture_portal.services import run_service
from sessions_app.campaigns import campaign_or_404
from sessions_app.models import ChsiCheck
from sessions_app.roles import staff_required, student_of, student_required
from sessions_app.shootday import rules, services
from sessions_app.shootday.exports import chsi_export
from sessions_app.shootday.forms import ChsiFilterForm, ChsiForm, ChsiHandleForm
from sessions_app.shootday.selectors import chsi as chsi_selectors


@require_POST
@student_required
@ratelimits.limit("chsi-report", key="user")
def chsi_confirm(request):
    student = student_of(request.user)
    form = ChsiForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect("sessions:student_home")
    ok = form.cleaned_data["result"] == ChsiForm.RESULT_OK
    run_service(
        request,
        lambda: services.chsi_check_confirm(
            student=student,
            ok=ok,
            problem=form.cleaned_data["problem"],
            kind=form.cleaned_data["kind"],
            by=request.user,
        ),
        success=_("已记录：学信网信息核对无误。")
        if ok
        else (
            _("已记录你反映的问题。%s") % rules.chsi_fix(form.cleaned_data["kind"])
            if form.cleaned_data["kind"]
            else _("已记录你反映的问题，教务处会联系你。")
        ),
        level=messages.SUCCESS if ok else messages.WARNING,
    )
    return redirect("sessions:student_home")


CHSI_LIST_PARAMS = ("state", "college", "school_class", "q")


def _chsi_filter_form(request, campaign) -> ChsiFilterForm:
    colleges, classes = chsi_selectors.chsi_filter_choices(campaign=campaign)
    form = ChsiFilterForm(request.GET, colleges=colleges, classes=classes)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
    return form


def _chsi_list_query(campaign, form: ChsiFilterForm, *, with_state: bool = True) -> str:
    """Return the list's query string for its valid filters: page and export links."""
    filters = form.filters()
    params = {
        "campaign": campaign.pk,
        "state": filters["state"] if with_state else "",
        "college": filters["college"].pk if filters["college"] else "",
        "school_class": filters["school_class"].pk if filters["school_class"] else "",
        "q": filters["query"],
    }
    return urlencode({k: v for k, v in params.items() if v})


@staff_required
def chsi_overview(request):
    """The 学信网 follow-up: every photographed student's answers, filtered and paged;
    the same list as XLSX or PDF with ``?format=``."""
    campaign = campaign_or_404(request)
    form = _chsi_filter_form(request, campaign)
    filters = form.filters()
    list_query = _chsi_list_query(campaign, form)
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in ("xlsx", "pdf"):
            messages.error(request, _("学信网核对名单只能导出为 XLSX 或 PDF。"))
            return redirect("%s?%s" % (reverse("shootday:chsi"), list_query))
        return export_response(*chsi_export(campaign=campaign, fmt=fmt, **filters))
    return render(
        request,
        "sessions_app/shootday/chsi.html",
        _chsi_context(request, campaign, form, filters, list_query),
    )


def _chsi_context(request, campaign, form, filters, list_query) -> dict:
    overview = chsi_selectors.chsi_overview(
        campaign=campaign, page=int_param(request.GET.get("page")), **filters
    )
    return {
        "campaign": campaign,
        "overview": overview,
        "form": form,
        "filters": filters,
        "states": [
            (key, rules.CHSI_STATE_LABELS[key], overview.counts[key])
            for key in chsi_selectors.CHSI_STATES
        ],
        "today": timezone.localdate(),
        "list_query": list_query,
        "list_query_without_state": _chsi_list_query(campaign, form, with_state=False),
        "back": request.get_full_path(),
    }


def _chsi_back(request, report) -> str:
    """Return the list the staff member came from, rebuilt from its known parameters
    only, opened at the student."""
    back = QueryDict(urlsplit(request.POST.get("back", "")).query)
    params = {k: back.get(k, "") for k in (*CHSI_LIST_PARAMS, "page")}
    params["campaign"] = report.student.campaign_id
    query = urlencode({k: v for k, v in params.items() if v})
    return "%s?%s#student-%d" % (reverse("shootday:chsi"), query, report.student_id)


@require_POST
@staff_required
def chsi_handle(request, pk):
    report = get_object_or_404(ChsiCheck.objects.select_related("student"), pk=pk)
    form = ChsiHandleForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["note"][0])
        return redirect(_chsi_back(request, report))
    run_service(
        request,
        lambda: services.chsi_report_handle(
            report=report, note=form.cleaned_data["note"], by=request.user
        ),
        success=_("已标记为已处理：%(student)s 反映的“%(problem)s”。")
        % {"student": report.student, "problem": report.problem},
    )
    return redirect(_chsi_back(request, report))
