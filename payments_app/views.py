"""Pages of the fee ledger: the monitor's class, the student's own state, the staff
overview and the exports. Views authorise, bind a form, call one service or selector,
and render or redirect; PaymentError becomes a message."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from capture_portal.exports import export_response
from capture_portal.formats import yuan
from capture_portal.services import run_service
from payments_app import selectors, services
from payments_app.exports import payment_list_export
from payments_app.forms import ExportForm, HandoverForm, ReasonForm, RecordForm
from payments_app.models import PaymentMethod
from sessions_app import listing
from sessions_app.campaigns import campaign_for_request
from sessions_app.models import SchoolClass
from sessions_app.roles import (
    class_for_handover,
    class_for_user,
    is_crew,
    is_staff_member,
    may_act_for_class,
    monitored_class_of,
    staff_required,
    student_of,
)
from sessions_app.selectors import class_roster


def _class_url(school_class: SchoolClass, anchor: str = "", back: str = "") -> str:
    """Return the class page, at the filters and page a form came from (``back``)."""
    url = reverse("payments:class", args=[school_class.pk])
    params = urlencode(listing.back_params(back))
    if params:
        url = "%s?%s" % (url, params)
    return "%s#%s" % (url, anchor) if anchor else url


def _shows(ledger) -> dict:
    """Return the class page's filters: which of the ledger's students each shows."""
    lines = ledger.filters
    return {"unpaid": lines.unpaid, "paid": lines.here, "other": ~lines.unpaid & ~lines.here}


@login_required
def home(request):
    """Send each role to its page: staff to the overview, a monitor to the class."""
    if is_staff_member(request.user):
        return redirect("payments:overview")
    school_class = monitored_class_of(request.user)
    if school_class is not None:
        return redirect("payments:class", pk=school_class.pk)
    if student_of(request.user) is not None:
        return redirect("payments:mine")
    raise PermissionDenied


@login_required
def class_page(request, pk):
    school_class = class_for_user(request.user, pk)
    ledger = selectors.class_ledger(school_class=school_class)
    context = {
        "ledger": ledger,
        "listing": listing.listing_queryset(
            ledger.students(), request.GET, shows=_shows(ledger), rows=ledger.rows
        ),
        "school_class": ledger.school_class,
        "entries": selectors.ledger_entries_for_class(school_class=school_class, limit=50),
        "methods": PaymentMethod.choices,
        "is_staff": is_staff_member(request.user),
        "handover_form": HandoverForm(),
    }
    return render(request, "payments_app/class.html", context)


@login_required
@require_POST
def record(request, pk):
    school_class = class_for_user(request.user, pk)
    form = RecordForm(request.POST, students=list(class_roster(school_class=school_class)))
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect(_class_url(school_class, back=request.POST.get("back", "")))
    back = request.POST.get("back", "")
    chosen = form.cleaned_data["chosen"]
    try:
        result = services.payments_record(
            students=chosen,
            by=request.user,
            method=form.cleaned_data["method"],
            reason=form.cleaned_data["reason"],
        )
    except services.PaymentError as error:
        messages.error(request, str(error))
        return redirect(_class_url(school_class, back=back))
    if result.recorded:
        total = sum(p.amount for p in result.recorded)
        if len(result.recorded) == 1:
            messages.success(
                request,
                _("已登记 %(name)s 缴费 %(amount)s 元。")
                % {"name": result.recorded[0].student.name, "amount": yuan(total)},
            )
        else:
            messages.success(
                request,
                _("已登记 %(n)d 人缴费，共 %(amount)s 元。")
                % {"n": len(result.recorded), "amount": yuan(total)},
            )
    if result.already_paid:
        messages.warning(
            request,
            _("%(names)s 此前已缴费，未重复登记。")
            % {"names": "、".join(s.name for s in result.already_paid)},
        )
    anchor = "s%d" % chosen[0].pk if len(chosen) == 1 else ""
    return redirect(_class_url(school_class, anchor, back=back))


@login_required
def reverse_payment(request, pk, payment_pk):
    school_class = class_for_user(request.user, pk)
    payment = selectors.payment_of_class(school_class=school_class, pk=payment_pk)
    if payment is None:
        raise Http404
    if request.method == "POST":
        form = ReasonForm(request.POST)
        if form.is_valid():
            reversal = run_service(
                request,
                lambda: services.payment_reverse(
                    payment=payment, by=request.user, reason=form.cleaned_data["reason"]
                ),
                success=_("已撤销 %(name)s 的缴费 %(amount)s 元。")
                % {"name": payment.student.name, "amount": yuan(payment.amount)},
            )
            if reversal is not None:
                return redirect(_class_url(school_class, "s%d" % payment.student_id))
    else:
        form = ReasonForm()
    return render(
        request,
        "payments_app/reverse.html",
        {"school_class": school_class, "payment": payment, "form": form},
    )


@login_required
def handover(request, pk):
    school_class = class_for_handover(request.user, pk)
    receiving = is_crew(request.user) and not may_act_for_class(request.user, school_class)
    if request.method == "POST":
        form = HandoverForm(request.POST, receiving=receiving)
        if form.is_valid():
            try:
                services.handover_record(
                    school_class=school_class,
                    by=request.user,
                    student_count=form.cleaned_data["student_count"],
                    amount=form.cleaned_data["amount"],
                    receiver_name=form.cleaned_data["receiver_name"],
                    handed_over_at=form.cleaned_data["handed_over_at"],
                )
            except services.PaymentError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("交接已登记，本班缴费记录已锁定。"))
                return redirect(_after_handover_url(request, school_class))
    else:
        count, amount = selectors.money_of_class(school_class=school_class).to_hand_over
        form = HandoverForm(initial={"student_count": count, "amount": amount}, receiving=receiving)
    ledger = selectors.class_ledger(school_class=school_class)
    return render(
        request,
        "payments_app/handover.html",
        {
            "school_class": ledger.school_class,
            "ledger": ledger,
            "form": form,
            "receiving": receiving,
        },
    )


def _after_handover_url(request, school_class) -> str:
    """Return the page to go back to: the desk's class close for the crew, else the
    class's money page."""
    if may_act_for_class(request.user, school_class):
        return _class_url(school_class)
    return reverse("shootday:class_close", args=[school_class.pk])


@login_required
@require_POST
def handover_confirm(request, pk):
    school_class = class_for_handover(request.user, pk)
    run_service(
        request,
        lambda: services.handover_confirm(school_class=school_class, by=request.user),
        success=_("已确认收到 %(name)s 的交接。") % {"name": school_class.name},
    )
    return redirect(_after_handover_url(request, school_class))


def _settle_payment(request, pk, payment_pk, call, success):
    """Refund a payment, or carry it to the make-up round (staff only)."""
    school_class = get_object_or_404(SchoolClass, pk=pk)
    payment = selectors.payment_of_class(school_class=school_class, pk=payment_pk)
    if payment is None:
        raise Http404
    form = ReasonForm(request.POST)
    note = form.cleaned_data["reason"] if form.is_valid() else ""
    run_service(
        request, lambda: call(payment=payment, by=request.user, note=note), success=success(payment)
    )
    return redirect(_class_url(school_class, "s%d" % payment.student_id))


@staff_required
@require_POST
def refund(request, pk, payment_pk):
    return _settle_payment(
        request,
        pk,
        payment_pk,
        lambda payment, by, note: services.payment_refund(payment=payment, by=by, reason=note),
        lambda payment: (
            _("已登记退还 %(name)s %(amount)s 元。")
            % {"name": payment.student.name, "amount": yuan(payment.amount)}
        ),
    )


@staff_required
@require_POST
def carry(request, pk, payment_pk):
    return _settle_payment(
        request,
        pk,
        payment_pk,
        lambda payment, by, note: services.payment_carry(payment=payment, by=by, note=note),
        lambda payment: (
            _("已把 %(name)s 的 %(amount)s 元转入补拍。")
            % {"name": payment.student.name, "amount": yuan(payment.amount)}
        ),
    )


@staff_required
@require_POST
def settle(request, pk):
    school_class = get_object_or_404(SchoolClass, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("结清差额须填写原因。"))
        return redirect(_class_url(school_class))
    run_service(
        request,
        lambda: services.handover_settle(
            school_class=school_class, by=request.user, reason=form.cleaned_data["reason"]
        ),
        success=lambda adjustment: (
            _("已结清差额：%(n)+d 人，%(amount)s 元。")
            % {"n": adjustment.student_count, "amount": yuan(adjustment.amount)}
        ),
    )
    return redirect(_class_url(school_class))


@login_required
def mine(request):
    student = student_of(request.user)
    if student is None:
        raise PermissionDenied
    context = {
        "student": student,
        "state": selectors.payment_states([student])[student.pk],
        "campaign": student.campaign,
    }
    return render(request, "payments_app/mine.html", context)


@staff_required
def overview(request):
    campaign = campaign_for_request(request)
    if campaign is None:
        return render(request, "payments_app/overview.html", {"overview": None})
    context = {
        "overview": selectors.payments_overview(campaign=campaign),
        "campaign": campaign,
        "colleges": selectors.colleges_of_campaign(campaign=campaign),
    }
    return render(request, "payments_app/overview.html", context)


@login_required
@require_GET
def export(request):
    """Download the 缴费名单 or the unpaid list: staff any scope, a monitor their class."""
    form = ExportForm(request.GET)
    if not form.is_valid():
        messages.error(
            request, _("导出参数不对：%s") % " ".join(e for v in form.errors.values() for e in v)
        )
        return redirect("payments:home")
    data = form.cleaned_data
    staff = is_staff_member(request.user)
    if staff:
        campaign = campaign_for_request(request)
        if campaign is None:
            raise Http404
        scope = selectors.export_scope(
            campaign=campaign, school_class_pk=data["school_class"], college_pk=data["college"]
        )
    else:
        school_class = monitored_class_of(request.user)
        asked = data["school_class"]
        if school_class is None or data["college"] or (asked and asked != school_class.pk):
            raise PermissionDenied
        campaign = school_class.campaign
        scope = selectors.export_scope(campaign=campaign, school_class_pk=school_class.pk)
    if scope is None:
        raise Http404
    classes, scope_label = scope
    filename, content_type, content = payment_list_export(
        campaign=campaign,
        fmt=data["format"],
        classes=classes,
        unpaid_only=data["list"] == "unpaid",
        # 身份证号 in full only for staff; a monitor sees classmates' masked.
        mask_id_numbers=not staff,
        one_sheet=data["one_sheet"],
        scope_label=scope_label,
    )
    return export_response(filename, content_type, content)
