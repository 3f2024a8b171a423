"""Staff pages that change the schedule. Every change is shown before it is saved:
a button on the board (↑, ↓, 移动, 互换, 推迟), the batch editor or an undo builds the
new plan, the confirmation page shows what it changes (classes and students per slot,
before → after, with warnings), and only the confirmation saves it, into the history."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from capture_portal.http import int_param, local_url
from sessions_app import selectors as schedule_selectors
from sessions_app.changes import rules, selectors, services
from sessions_app.changes.forms import ApplyForm, encode_payload
from sessions_app.forms import ClassMoveForm, ClassSwapForm, ScheduleForm
from sessions_app.models import Campaign, ScheduleChange, SchoolClass
from sessions_app.roles import staff_required
from sessions_app.services import ScheduleError


def board_url(campaign: Campaign) -> str:
    return "%s?campaign=%d" % (reverse("sessions:staff_board"), campaign.pk)


def _confirm(
    request,
    *,
    campaign: Campaign,
    kind: str,
    propose,
    back: str,
    undoes: ScheduleChange | None = None,
):
    """Show what the plan ``propose(state)`` returns would change, for confirmation.

    ``propose`` returns a plan, or (plan, statuses); a PlanError it raises becomes the
    message. Nothing to change says so and goes back.
    """
    state = selectors.schedule_state(campaign=campaign)
    try:
        proposed = propose(state)
    except rules.PlanError as error:
        messages.error(request, str(error))
        return redirect(back)
    plan, statuses = proposed if isinstance(proposed, tuple) else (proposed, {})
    changed_statuses = {pk: s for pk, s in statuses.items() if state.statuses.get(pk) != s}
    all_statuses = {**state.statuses, **changed_statuses}
    problems = rules.plan_problems_of(
        plan, all_statuses, {pk: c.name for pk, c in state.classes.items()}
    )
    if problems:
        messages.error(request, " ".join(problems))
        return redirect(back)
    preview = selectors.schedule_preview(state=state, plan=plan, statuses=all_statuses)
    if preview.empty:
        messages.info(request, _("排期没有变化。"))
        return redirect(back)
    form = ApplyForm(
        initial={
            "payload": encode_payload(plan, changed_statuses),
            "fingerprint": state.fingerprint,
            "kind": kind,
            "undoes": undoes.pk if undoes else None,
            "next": back,
        }
    )
    return render(
        request,
        "sessions_app/changes/confirm.html",
        {
            "campaign": campaign,
            "preview": preview,
            "kind_label": ScheduleChange.Kind(kind).label,
            "undoes": undoes,
            "form": form,
            "back": back,
        },
    )


@staff_required
@require_POST
def apply(request, campaign_pk):
    """Save a change staff confirmed, and say what changed."""
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    form = ApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for v in form.errors.values() for e in v))
        return redirect(board_url(campaign))
    data = form.cleaned_data
    back = local_url(request, data["next"], board_url(campaign))
    undoes = None
    if data["undoes"]:
        undoes = selectors.change_of_campaign(campaign=campaign, pk=data["undoes"])
        if undoes is None:
            messages.error(request, _("要撤销的调整不存在。"))
            return redirect(back)
    plan, statuses = data["payload"]
    try:
        change = services.schedule_apply(
            campaign=campaign,
            plan=plan,
            statuses=statuses,
            kind=data["kind"],
            fingerprint=data["fingerprint"],
            by=request.user,
            undoes=undoes,
        )
    except ScheduleError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, _saved_message(change))
    return redirect(back)


def _saved_message(change: ScheduleChange) -> str:
    rows = change.preview.rows
    moved = change.preview.moved
    if len(rows) == 1 or len(moved) == 1:
        row = moved[0] if moved else rows[0]
        text = _("已保存：%(name)s 从 %(before)s 调整为 %(after)s。") % {
            "name": row.school_class.name,
            "before": row.before,
            "after": row.after,
        }
    else:
        text = _("已保存：%(n)d 个班级调整，其中 %(m)d 个班级（%(s)d 名学生）换了时段。") % {
            "n": len(rows),
            "m": len(moved),
            "s": change.preview.students_moved,
        }
    return text + _(" 如有误，可在“调整记录”中撤销。")


# Building the new plan ------------------------------------------------------------------


@staff_required
def schedule_edit(request, campaign_pk):
    """The batch editor: every slot's classes as text, in order, as in the notice."""
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    schedule = schedule_selectors.schedule_for_campaign(campaign=campaign)
    form = ScheduleForm(request.POST or None, campaign=campaign, rows=schedule.rows)
    if request.method == "POST" and form.is_valid():
        plan = {
            slot.pk: [c.pk for c in classes] for slot, classes in form.cleaned_data["plan"].items()
        }
        return _confirm(
            request,
            campaign=campaign,
            kind=ScheduleChange.Kind.EDIT,
            propose=lambda state: plan,
            back=board_url(campaign),
        )
    return render(
        request,
        "sessions_app/schedule_edit.html",
        {"form": form, "campaign": campaign, "schedule": schedule},
    )


def _class(pk) -> SchoolClass:
    return get_object_or_404(SchoolClass.objects.select_related("campaign"), pk=pk)


def _shift(request, pk, offset):
    school_class = _class(pk)
    return _confirm(
        request,
        campaign=school_class.campaign,
        kind=ScheduleChange.Kind.SHIFT,
        propose=lambda state: rules.plan_shifted(
            state.plan, school_class.pk, offset, name=school_class.name
        ),
        back=board_url(school_class.campaign),
    )


@staff_required
@require_POST
def class_up(request, pk):
    return _shift(request, pk, -1)


@staff_required
@require_POST
def class_down(request, pk):
    return _shift(request, pk, 1)


@staff_required
@require_POST
def class_move(request, pk):
    """Move a class to a slot (at a position, else where it was when it last left that
    slot, else last), or off the schedule. From the board or the class's own page."""
    school_class = _class(pk)
    campaign = school_class.campaign
    back = local_url(request, request.POST.get("next"), board_url(campaign))
    form = ClassMoveForm(request.POST, campaign=campaign)
    if not form.is_valid():
        messages.error(request, _("移动失败：请选择本次采集的时段，位置为 1 到 200 的整数。"))
        return redirect(back)
    slot, position = form.cleaned_data["slot"], form.cleaned_data["position"]
    if slot is not None and position is None and slot.pk != school_class.slot_id:
        position = selectors.return_position(school_class=school_class, slot=slot)
    if slot is not None and school_class.status == SchoolClass.Status.DEFERRED:
        messages.error(
            request,
            _("班级 %(name)s 已推迟至下一年，请先恢复再安排时段。") % {"name": school_class.name},
        )
        return redirect(back)
    return _confirm(
        request,
        campaign=campaign,
        kind=ScheduleChange.Kind.MOVE,
        propose=lambda state: rules.plan_moved(
            state.plan, school_class.pk, slot.pk if slot else None, position
        ),
        back=back,
    )


@staff_required
@require_POST
def class_swap(request, campaign_pk):
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    form = ClassSwapForm(request.POST, campaign=campaign)
    if not form.is_valid():
        for error in form.non_field_errors() or [_("互换失败：请选择两个已安排时段的班级。")]:
            messages.error(request, error)
        return redirect(board_url(campaign))
    first, second = form.cleaned_data["first"], form.cleaned_data["second"]
    return _confirm(
        request,
        campaign=campaign,
        kind=ScheduleChange.Kind.SWAP,
        propose=lambda state: rules.plan_swapped(state.plan, first.pk, second.pk),
        back=board_url(campaign),
    )


@staff_required
@require_POST
def class_defer(request, pk):
    """Defer a class to next year (it leaves the schedule), or bring it back unplaced."""
    school_class = _class(pk)
    back = reverse("sessions:class_detail", args=[school_class.pk])
    deferred = request.POST.get("deferred") == "1"
    if deferred:
        status, kind = SchoolClass.Status.DEFERRED, ScheduleChange.Kind.DEFER

        def propose(state):
            return rules.plan_moved(state.plan, school_class.pk, None), {school_class.pk: status}
    else:
        status, kind = SchoolClass.Status.SCHEDULED, ScheduleChange.Kind.RESTORE

        def propose(state):
            return state.plan, {school_class.pk: status}

    return _confirm(request, campaign=school_class.campaign, kind=kind, propose=propose, back=back)


# History and undo ------------------------------------------------------------------------


@staff_required
@require_GET
def history(request, campaign_pk):
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    page = selectors.schedule_history(
        campaign=campaign, page=int_param(request.GET.get("page")) or 1
    )
    return render(
        request,
        "sessions_app/changes/history.html",
        {"campaign": campaign, "page": page, "changes": page.object_list},
    )


@staff_required
@require_POST
def undo(request, pk):
    change = get_object_or_404(ScheduleChange.objects.select_related("campaign"), pk=pk)
    campaign = change.campaign
    return _confirm(
        request,
        campaign=campaign,
        kind=ScheduleChange.Kind.UNDO,
        propose=lambda state: selectors.undo_proposal(state=state, change=change),
        back=reverse("sessions:schedule_history", args=[campaign.pk]),
        undoes=change,
    )
