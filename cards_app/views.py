"""Pages of the card check: anyone checks, a student saves, the monitor sees the class,
教务处 runs the bulk check and handles discrepancies. Views stay thin: authorise, bind
a form, call a selector or one service, render."""

import base64

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from capture_portal import ratelimits
from capture_portal.exports import PDF_CONTENT_TYPE, export_response
from capture_portal.pagecache import render_public
from capture_portal.services import run_service
from cards_app import exports, fill_guide, rules, selectors, services
from cards_app.forms import RESOLUTION_MAX_LENGTH, CardCheckForm, ResolveForm
from cards_app.models import CardCheck
from sessions_app import listing
from sessions_app.campaigns import campaign_for_request
from sessions_app.listing import Counted
from sessions_app.models import Campaign, Student
from sessions_app.roles import (
    monitor_required,
    monitored_class_of,
    staff_required,
    student_of,
    student_required,
)

BULK_PAGE_SIZE = 100
# The names the centre must be told of, shown on the page; the download has them all.
NAME_ROWS_SHOWN = 200


def _guide(request, result: rules.CardResult) -> fill_guide.Guide:
    """Return the fill guide of a result, with the 院校代码 of the student's campaign
    (the published campaign for a visitor)."""
    student = student_of(request.user)
    campaign = student.campaign if student else campaign_for_request(request, published_only=True)
    code = campaign.college_code if campaign else ""
    return fill_guide.Guide.from_result(result, college_code=code)


def _initial_for(student) -> dict:
    """Prefill from the student's current check, else from the roster."""
    check = selectors.card_check_current(student=student)
    if check is not None:
        return {
            "student_id": check.card_student_id,
            "name": check.name,
            "name_pinyin": check.name_pinyin,
            "id_number": check.id_number,
            "education_type": check.education_type,
            "school_type": check.school_type,
        }
    return selectors.roster_card_data(student=student)


@ratelimits.limit("card-check")
def check(request):
    """Check card data: anyone may check; a student may also save the check."""
    student = student_of(request.user)
    if student is not None and student.campaign.is_code_mode:
        # A code campaign has no card: the student's own check is the code's.
        return redirect("codemode:my_code")
    result = None
    mismatches = []
    if request.method == "POST":
        form = CardCheckForm(request.POST)
        if form.is_valid():
            data = form.card_data()
            if request.POST.get("action") == "save":
                if student is None:
                    messages.error(request, _("只有登录的学生可以保存自己的核对结果。"))
                    return redirect("cards:check")
                ratelimits.check(request, "card-save", key="user")
                saved = run_service(
                    request,
                    lambda: services.card_check_save(student=student, data=data, by=request.user),
                    success=lambda saved: _("已保存核对结果（%s）。") % _when(saved),
                )
                if saved is not None:
                    return redirect("cards:check")
            result = services.card_check_run(student=student, data=data)
            if student is not None:
                mismatches = services.roster_mismatches(student=student, card=result.card)
        return render(
            request,
            "cards_app/check.html",
            _check_context(request, student, form, result, mismatches),
        )

    def context():
        form = CardCheckForm(initial=_initial_for(student) if student else None)
        result = services.card_check_run(student=student, data=form.initial) if student else None
        return _check_context(request, student, form, result, [])

    campaign = student.campaign if student else campaign_for_request(request, published_only=True)
    version = (campaign.pk, campaign.version) if campaign else None
    return render_public(request, "cards_app/check.html", context, version=version)


def _check_context(request, student, form, result, mismatches) -> dict:
    current = selectors.card_check_current(student=student) if student else None
    state = selectors.card_state_of(current) if student else None
    guide = _guide(request, result) if result is not None else None
    guide_png = None
    if guide is not None and request.method == "POST":
        # Inline, so the ID number never travels in a URL.
        guide_png = base64.b64encode(fill_guide.render_png_cached(guide)).decode("ascii")
    return {
        "form": form,
        "student": student,
        "result": result,
        "guide": guide,
        "guide_png": guide_png,
        "mismatch_labels": rules.field_labels(mismatches),
        "current": current,
        "state": state,
        "open_mismatch_labels": rules.field_labels(state.mismatch_fields) if state else "",
    }


def _when(check: CardCheck) -> str:
    return timezone.localtime(check.created_at).strftime("%Y-%m-%d %H:%M")


def _posted_guide(request) -> fill_guide.Guide | None:
    form = CardCheckForm(request.POST)
    if not form.is_valid():
        return None
    student = student_of(request.user)
    return _guide(request, services.card_check_run(student=student, data=form.card_data()))


def _too_long() -> HttpResponse:
    return HttpResponse(
        _("填写的内容过长，无法生成示意图。"), status=400, content_type="text/plain; charset=utf-8"
    )


@require_POST
@ratelimits.limit("card-check")
def guide_png(request):
    """Return the fill guide of the posted card data as a PNG (the live check's picture)."""
    guide = _posted_guide(request)
    if guide is None:
        return _too_long()
    response = HttpResponse(fill_guide.render_png_cached(guide), content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@ratelimits.limit("card-check")
def guide_pdf(request):
    guide = _posted_guide(request)
    if guide is None:
        return _too_long()
    return export_response("采集卡填涂示意.pdf", PDF_CONTENT_TYPE, fill_guide.render_pdf(guide))


def _my_guide(request) -> fill_guide.Guide:
    """Return the student's own fill guide: of their saved check, else of the roster."""
    student = student_of(request.user)
    return _guide(request, services.card_check_run(student=student, data=_initial_for(student)))


@require_GET
@student_required
def my_guide_png(request):
    response = HttpResponse(
        fill_guide.render_png_cached(_my_guide(request)), content_type="image/png"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@student_required
def my_guide_pdf(request):
    return export_response(
        "采集卡填涂示意.pdf", PDF_CONTENT_TYPE, fill_guide.render_pdf(_my_guide(request))
    )


@monitor_required
def class_cards(request):
    """The monitor's class: each classmate's card state, 身份证号 never shown."""
    school_class = monitored_class_of(request.user)
    # The monitor's own entry holds the campaign already (roles.student_of).
    if student_of(request.user).campaign.is_code_mode:
        return redirect("codemode:class_codes")

    rows = listing.listing_queryset(
        Student.objects.filter(school_class=school_class).order_by("student_id"),
        request.GET,
        shows={},
        rows=selectors.card_rows,
    )
    context = {
        "school_class": school_class,
        "listing": rows,
        "counts": selectors.class_card_counts(school_class=school_class),
    }
    return render(request, "cards_app/class_cards.html", context)


# 教务处 --------------------------------------------------------------------------------


def _staff_campaign(request) -> Campaign:
    campaign = campaign_for_request(request)
    if campaign is None:
        raise Http404(_("还没有采集活动。"))
    return campaign


@staff_required
def staff_bulk(request):
    """The bulk check of the whole roster: counts, a filterable list, the name list."""
    campaign = _staff_campaign(request)
    return render(request, "cards_app/staff_bulk.html", _bulk_context(request, campaign))


def _bulk_context(request, campaign) -> dict:
    bulk = selectors.roster_bulk_check(campaign=campaign)
    problem = request.GET.get("problem", "")
    class_name = request.GET.get("class", "")
    students = bulk.ordered(bulk.problem_students(problem=problem, class_name=class_name))
    if not problem and not class_name:  # every problem: its count is kept already
        students = Counted(students, bulk.with_problems)
    page = Paginator(students, BULK_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = bulk.rows(page.object_list)
    return {
        "campaign": campaign,
        "bulk": bulk,
        "type_counts": bulk.type_counts(),
        "class_counts": bulk.class_counts(),
        "problem": problem,
        "class_name": class_name,
        "problem_title": _problem_title(problem),
        "page": page,
        "filtered_count": page.paginator.count,
        "name_rows": bulk.name_rows_first(NAME_ROWS_SHOWN),
        "state_counts": selectors.card_state_counts(campaign=campaign),
        "open_discrepancies": selectors.card_discrepancies_open(campaign=campaign).count(),
    }


def _problem_title(problem: str) -> str:
    field_name, _, code = problem.partition(":")
    return rules.issue_title(field_name, code) if problem else ""


@staff_required
def staff_bulk_export(request, kind: str):
    """Download the problem report (Excel) or the name list (Excel or PDF)."""
    if kind not in exports.BULK_EXPORTS:
        raise Http404(_("没有这种导出。"))
    campaign = _staff_campaign(request)
    bulk = selectors.roster_bulk_check(campaign=campaign)
    return export_response(
        *exports.bulk_check_export(
            kind=kind,
            bulk=bulk,
            campaign=campaign,
            problem=request.GET.get("problem", ""),
            class_name=request.GET.get("class", ""),
        )
    )


@staff_required
def staff_discrepancies(request):
    campaign = _staff_campaign(request)
    page = Paginator(selectors.card_discrepancies_open(campaign=campaign), BULK_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cards_app/staff_discrepancies.html",
        {
            "campaign": campaign,
            "open": page,
            "resolved": selectors.card_discrepancies_resolved(campaign=campaign),
            "form": ResolveForm(),
            # Where the roster correction page comes back to: this campaign, this page.
            "here": "%s?campaign=%d&page=%d"
            % (reverse("cards:staff_discrepancies"), campaign.pk, page.number),
        },
    )


@require_POST
@staff_required
def staff_discrepancy_resolve(request, pk: int):
    check = get_object_or_404(CardCheck, pk=pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明处理结果（%d 字以内）。") % RESOLUTION_MAX_LENGTH)
    else:
        run_service(
            request,
            lambda: services.card_discrepancy_resolve(
                check=check, by=request.user, note=form.cleaned_data["note"]
            ),
            success=_("已处理 %s %s 的不一致。") % (check.student.student_id, check.student.name),
        )
    return redirect(
        "%s?campaign=%d" % (reverse("cards:staff_discrepancies"), check.student.campaign_id)
    )
