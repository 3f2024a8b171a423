"""The planner's staff pages: 自动排班 (the current plan's measures, pins, the proposal as
a diff with its measures beside the current ones, accepted through the schedule's own
confirmation), and the busy periods' import."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sessions_app.changes import selectors as change_selectors
from sessions_app.changes.forms import ApplyForm
from sessions_app.changes.views import board_url
from sessions_app.models import Campaign, ScheduleChange, SchoolClass
from sessions_app.planner import rules, selectors, services
from sessions_app.planner.busy import BUSY, busy_check, busy_rule
from sessions_app.planner.forms import BusyUploadForm, PinForm, PlanForm
from sessions_app.roles import staff_required
from sessions_app.roster.reader import table_read
from sessions_app.roster.table import RosterFileError
from sessions_app.services import ScheduleError

PROBLEM_ROWS = 500  # problems listed on the page


def _planner_url(campaign: Campaign) -> str:
    return reverse("sessions:planner", args=[campaign.pk])


def _overview(request, campaign: Campaign, *, plan_form=None, pin_form=None, status=200):
    state, problem = selectors.campaign_problem(campaign=campaign)
    current = {slot: list(classes) for slot, classes in state.plan.items()}
    return render(
        request,
        "sessions_app/planner/planner.html",
        {
            "campaign": campaign,
            "measures": rules.plan_measures(problem, current),
            "violations": rules.plan_violations(problem, current),
            "unplaceable": [
                (c, rules.unplaceable_reason(problem, c))
                for c in problem.classes
                if rules.unplaceable_reason(problem, c)
            ],
            "slots": selectors.plan_comparison(
                problem=problem, current=current, proposed=current
            ).slots,
            "plan_form": plan_form or PlanForm(),
            "pin_form": pin_form or PinForm(campaign=campaign),
            "pinned": selectors.pinned_classes(campaign=campaign),
            "busy_count": selectors.busy_periods(campaign=campaign).count(),
            "bound": SchoolClass.objects.filter(campaign=campaign, venue__isnull=False)
            .select_related("venue")
            .order_by("name"),
        },
        status=status,
    )


@staff_required
def planner(request, campaign_pk):
    """自动排班: GET shows the current plan and the planner's inputs; POST plans and shows
    the proposal beside the current plan, with the schedule's confirmation."""
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    if request.method != "POST":
        return _overview(request, campaign)
    form = PlanForm(request.POST)
    if not form.is_valid():
        return _overview(request, campaign, plan_form=form, status=400)
    proposal = selectors.plan_proposal(
        campaign=campaign, replan=not form.cleaned_data["from_scratch"]
    )
    preview = None
    apply_form = None
    if proposal.changes_anything:
        preview = change_selectors.schedule_preview(
            state=proposal.state, plan=proposal.result.plan, statuses=proposal.state.statuses
        )
        apply_form = ApplyForm(
            initial={
                "payload": services.plan_payload(proposal),
                "fingerprint": proposal.state.fingerprint,
                "kind": ScheduleChange.Kind.PLAN,
                "next": board_url(campaign),
            }
        )
    return render(
        request,
        "sessions_app/planner/result.html",
        {
            "campaign": campaign,
            "proposal": proposal,
            "result": proposal.result,
            "comparison": proposal.comparison,
            "preview": preview,
            "form": apply_form,
            "back": _planner_url(campaign),
            "from_scratch": form.cleaned_data["from_scratch"],
        },
    )


@staff_required
@require_POST
def pin(request, campaign_pk):
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    form = PinForm(request.POST, campaign=campaign)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_planner_url(campaign))
    school_class, slot = form.cleaned_data["school_class"], form.cleaned_data["slot"]
    try:
        services.class_pin(campaign=campaign, school_class=school_class, slot=slot)
    except ScheduleError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("已把 %(name)s 固定在 %(slot)s %(venue)s：自动排班只会把它排在这个时段。")
            % {"name": school_class.name, "slot": slot, "venue": slot.venue},
        )
    return redirect(_planner_url(campaign))


@staff_required
@require_POST
def unpin(request, campaign_pk, class_pk):
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    school_class = get_object_or_404(SchoolClass, pk=class_pk, campaign=campaign)
    services.class_pin(campaign=campaign, school_class=school_class, slot=None)
    messages.success(request, _("已取消固定 %(name)s。") % {"name": school_class.name})
    return redirect(_planner_url(campaign))


@staff_required
def busy(request, campaign_pk):
    """The campaign's busy periods and their import: every problem of the file at once,
    nothing saved unless there is none."""
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    form = BusyUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = table_read(upload.read(), upload.name, BUSY)
            report = busy_check(campaign=campaign, table=table)
        except RosterFileError as error:
            form.add_error("file", str(error))
        else:
            if report.ok:
                added, known = services.busy_periods_save(
                    campaign=campaign, periods=report.rows, replace=form.cleaned_data["replace"]
                )
                text = _("已导入 %(n)d 个忙碌时段。") % {"n": added}
                if known:
                    text += _("另有 %(n)d 个已经有了，未重复导入。") % {"n": known}
                messages.success(request, text)
                return redirect("sessions:planner_busy", campaign_pk=campaign.pk)
    return render(
        request,
        "sessions_app/planner/busy.html",
        {
            "campaign": campaign,
            "form": form,
            "rule": busy_rule(),
            "report": report,
            "problems": report.problems[:PROBLEM_ROWS] if report else [],
            "periods": selectors.busy_periods(campaign=campaign),
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_POST
def busy_delete(request, campaign_pk, pk):
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    if services.busy_period_delete(campaign=campaign, pk=pk):
        messages.success(request, _("已删除这个忙碌时段。"))
    else:
        messages.error(request, _("没有这个忙碌时段。"))
    return redirect("sessions:planner_busy", campaign_pk=campaign.pk)
