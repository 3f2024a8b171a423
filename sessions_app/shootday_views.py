"""Pages of the shoot day: the crew's desk, the public queue board, class close,
make-up, and the 学信网 check. Views stay thin: authorise, bind a form, call a
selector or one service, render or redirect with a message."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from capture_portal.exports import export_response
from capture_portal.roles import crew_required, staff_required, student_of, student_required
from sessions_app import shootday
from sessions_app import shootday_selectors as selectors
from sessions_app.exports import export_file
from sessions_app.models import Campaign, SchoolClass, Shot, Student, TimeSlot, Venue
from sessions_app.selectors import campaign_current, campaign_latest
from sessions_app.shootday_forms import (
    ChsiForm,
    CorrectionForm,
    DeskNameForm,
    ReasonForm,
    SearchForm,
)

DESK_SESSION_KEY = "shoot_desk"
DEFAULT_DESK = "1号台"


def _int(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


def _crew_campaign() -> Campaign:
    campaign = campaign_latest()
    if campaign is None:
        raise Http404
    return campaign


def _desk_url(*, student=None, slot=None, q=None) -> str:
    params = {}
    if slot:
        params["slot"] = slot
    if student:
        params["student"] = student
    if q:
        params["q"] = q
    url = reverse("shoot:desk")
    return "%s?%s" % (url, urlencode(params)) if params else url


def _back(request, *, student=None) -> str:
    """Return the desk URL to go back to, keeping the slot the crew chose."""
    return _desk_url(student=student, slot=_int(request.POST.get("slot")))


def _posted_student(request, campaign) -> Student | None:
    pk = _int(request.POST.get("student"))
    if pk is None:
        return None
    return Student.objects.filter(campaign=campaign, pk=pk).first()


def _posted_shot(request, campaign) -> Shot | None:
    pk = _int(request.POST.get("shot"))
    if pk is None:
        return None
    return Shot.objects.filter(campaign=campaign, pk=pk).select_related("student").first()


# The desk ------------------------------------------------------------------------------


@crew_required
def desk(request):
    campaign = _crew_campaign()
    now = timezone.now()
    slot_id = _int(request.GET.get("slot"))
    slot = selectors.desk_slot(campaign=campaign, now=now, slot_id=slot_id)
    if slot_id is not None and slot is None:
        messages.error(request, _("没有这个拍摄时段，已显示当前时段。"))
        slot = selectors.desk_slot(campaign=campaign, now=now)
    search = SearchForm(request.GET or None)
    results, query = [], ""
    if search.is_valid():
        query = search.cleaned_data["q"]
        results = selectors.desk_search(campaign=campaign, query=query)
        if query and len(results) == 1 and "student" not in request.GET:
            return redirect(_desk_url(student=results[0][0].pk, slot=slot_id, q=query))
    elif request.GET.get("q"):
        messages.error(request, _("查询内容过长，请输入学号或姓名。"))
    selected = None
    student_pk = _int(request.GET.get("student"))
    if student_pk is not None:
        student = Student.objects.filter(campaign=campaign, pk=student_pk).first()
        if student is None:
            messages.error(request, _("没有找到这名学生。"))
        else:
            selected = selectors.desk_student(student=student)
    elif request.GET.get("student"):
        messages.error(request, _("没有找到这名学生。"))
    desk_name = request.session.get(DESK_SESSION_KEY, DEFAULT_DESK)
    entries = selectors.slot_queue(slot=slot) if slot else []
    current = selectors.desk_current_entry(entries)
    waiting = (
        selectors.waiting_students(entry=current)
        if current is not None and selected is None and not query
        else []
    )
    return render(
        request,
        "sessions_app/shoot/desk.html",
        {
            "campaign": campaign,
            "slot": slot,
            "slot_id": slot_id,
            "slots": TimeSlot.objects.filter(campaign=campaign)
            .select_related("venue")
            .order_by("date", "start", "venue_id"),
            "entries": entries,
            "current": current,
            "waiting": waiting,
            "search": search,
            "query": query,
            "results": results,
            "searched": bool(query),
            "selected": selected,
            "desk_name": desk_name,
            "desk_form": DeskNameForm(initial={"desk": desk_name}),
            "correction_form": CorrectionForm(),
            "recent": Shot.objects.filter(campaign=campaign, desk=desk_name)
            .select_related("student__school_class")
            .order_by("-number")[:8],
        },
    )


@require_POST
@crew_required
def desk_name(request):
    form = DeskNameForm(request.POST)
    if form.is_valid():
        request.session[DESK_SESSION_KEY] = " ".join(form.cleaned_data["desk"].split())
        messages.success(
            request, _("本工作台：%(desk)s") % {"desk": request.session[DESK_SESSION_KEY]}
        )
    else:
        messages.error(request, form.errors["desk"][0])
    return redirect(_back(request))


@require_POST
@crew_required
def assign(request):
    campaign = _crew_campaign()
    student = _posted_student(request, campaign)
    if student is None:
        messages.error(request, _("没有找到这名学生，未取号。"))
        return redirect(_back(request))
    try:
        shot = shootday.shot_number_assign(
            student=student,
            desk=request.session.get(DESK_SESSION_KEY, DEFAULT_DESK),
            by=request.user,
            retake_reason=request.POST.get("retake_reason", ""),
        )
    except shootday.ShootDayError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("拍摄序号 %(number)d：请 %(name)s 在采集卡上填涂 %(number)d。")
            % {"number": shot.number, "name": student.name},
        )
    return redirect(_back(request, student=student.pk))


@require_POST
@crew_required
def photographed(request):
    campaign = _crew_campaign()
    shot = _posted_shot(request, campaign)
    if shot is None:
        messages.error(request, _("没有这个拍摄序号。"))
        return redirect(_back(request))
    try:
        shootday.shot_mark_photographed(shot=shot, by=request.user)
    except shootday.ShootDayError as error:
        messages.error(request, str(error))
        return redirect(_back(request, student=shot.student_id))
    messages.success(
        request,
        _("序号 %(number)d %(name)s 已拍摄。请查找下一位。")
        % {"number": shot.number, "name": shot.student.name},
    )
    return redirect(_back(request))


@require_POST
@crew_required
def void(request):
    campaign = _crew_campaign()
    shot = _posted_shot(request, campaign)
    if shot is None:
        messages.error(request, _("没有这个拍摄序号。"))
        return redirect(_back(request))
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("作废序号须填写原因：%(e)s") % {"e": form.errors["reason"][0]})
        return redirect(_back(request, student=shot.student_id))
    try:
        shootday.shot_void(shot=shot, by=request.user, reason=form.cleaned_data["reason"])
    except shootday.ShootDayError as error:
        messages.error(request, str(error))
    else:
        messages.warning(
            request, _("序号 %(number)d 已作废（跳号），原因已记录。") % {"number": shot.number}
        )
    return redirect(_back(request, student=shot.student_id))


@require_POST
@crew_required
def absent(request):
    campaign = _crew_campaign()
    student = _posted_student(request, campaign)
    if student is None:
        messages.error(request, _("没有找到这名学生。"))
        return redirect(_back(request))
    try:
        shootday.shot_mark_absent(student=student, by=request.user)
    except shootday.ShootDayError as error:
        messages.error(request, str(error))
        return redirect(_back(request, student=student.pk))
    messages.warning(request, _("%(student)s 已登记缺席，将列入补拍名单。") % {"student": student})
    return redirect(_back(request))


@require_POST
@crew_required
def correction(request):
    campaign = _crew_campaign()
    student = _posted_student(request, campaign)
    if student is None:
        messages.error(request, _("没有找到这名学生。"))
        return redirect(_back(request))
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        messages.error(request, _("未登记更正：%(e)s") % {"e": first})
        return redirect(_back(request, student=student.pk))
    try:
        record = shootday.card_correction_record(
            student=student, by=request.user, **form.cleaned_data
        )
    except shootday.ShootDayError as error:
        messages.error(request, str(error))
    else:
        if record.matches_roster:
            done = _("已登记%(kind)s：%(field)s。") % {
                "kind": record.get_kind_display(),
                "field": record.get_field_display(),
            }
            if record.settled_check is not None:
                done += _("该生自查时与名册不一致的记录已一并关闭。")
            messages.success(request, done)
        else:
            messages.warning(
                request,
                _("已登记%(kind)s：%(field)s，但与名册不一致，已提示教务处核实。")
                % {"kind": record.get_kind_display(), "field": record.get_field_display()},
            )
    return redirect(_back(request, student=student.pk))


@crew_required
def numbers(request):
    campaign = _crew_campaign()
    return render(
        request,
        "sessions_app/shoot/numbers.html",
        {"campaign": campaign, "log": selectors.number_log(campaign=campaign)},
    )


# Class close ---------------------------------------------------------------------------


@crew_required
def class_close(request, pk):
    school_class = get_object_or_404(SchoolClass.objects.select_related("campaign"), pk=pk)
    if request.method == "POST":
        try:
            shootday.class_close(school_class=school_class, by=request.user)
        except shootday.ShootDayError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("%(name)s 已结束拍摄，数据已记录。") % {"name": school_class.name}
            )
        return redirect("shoot:class_close", pk=school_class.pk)
    return render(
        request,
        "sessions_app/shoot/close.html",
        {"summary": selectors.class_close_summary(school_class=school_class)},
    )


# Make-up -------------------------------------------------------------------------------


@crew_required
def makeup(request):
    campaign = _crew_campaign()
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in ("xlsx", "pdf"):
            messages.error(request, _("补拍名单只能导出为 XLSX 或 PDF。"))
            return redirect("shoot:makeup")
        return export_response(*export_file(campaign=campaign, kind="makeup", fmt=fmt))
    return render(
        request,
        "sessions_app/shoot/makeup.html",
        {"campaign": campaign, "makeup": selectors.makeup_students(campaign=campaign)},
    )


# The public queue board ----------------------------------------------------------------


def board(request):
    campaign = campaign_current()
    venue = None
    venue_id = request.GET.get("venue")
    if venue_id:
        venue = Venue.objects.filter(pk=_int(venue_id) or 0).first()
        if venue is None:
            raise Http404
    board = selectors.queue_board(campaign=campaign, venue=venue) if campaign else None
    venues = (
        Venue.objects.filter(slots__campaign=campaign, slots__date=board.day).distinct()
        if board and board.day
        else []
    )
    template = (
        "sessions_app/shoot/_board_body.html"
        if request.GET.get("partial") == "1"
        else "sessions_app/shoot/board.html"
    )
    return render(
        request,
        template,
        {"campaign": campaign, "board": board, "venues": venues, "refresh_seconds": 20},
    )


# After the shoot: 学信网 ------------------------------------------------------------------


@require_POST
@student_required
def chsi_confirm(request):
    student = student_of(request.user)
    form = ChsiForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect("schedule:student_home")
    ok = form.cleaned_data["result"] == ChsiForm.RESULT_OK
    try:
        shootday.chsi_check_confirm(
            student=student, ok=ok, problem=form.cleaned_data["problem"], by=request.user
        )
    except shootday.ShootDayError as error:
        messages.error(request, str(error))
    else:
        if ok:
            messages.success(request, _("已记录：学信网信息核对无误。"))
        else:
            messages.warning(request, _("已记录你反映的问题，教务处会联系你。"))
    return redirect("schedule:student_home")


@staff_required
def chsi_overview(request):
    campaign = campaign_latest()
    if campaign is None:
        raise Http404
    return render(
        request,
        "sessions_app/shoot/chsi.html",
        {"campaign": campaign, "overview": selectors.chsi_overview(campaign=campaign)},
    )
