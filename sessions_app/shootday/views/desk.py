"""The crew's desk: find a student (by 学号, name or 图像采集码), give a number, mark
the photo, a void number, an absence or a correction of the card."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from capture_portal.http import int_param
from sessions_app.campaigns import campaign_or_404
from sessions_app.codemode import rules as code_rules
from sessions_app.codemode import selectors as code_selectors
from sessions_app.codemode import services as code_services
from sessions_app.codemode.views import upload_limited
from sessions_app.models import Shot, Student
from sessions_app.roles import crew_required
from sessions_app.selectors import slots_of_campaign
from sessions_app.shootday import rules, services
from sessions_app.shootday.forms import (
    CorrectionForm,
    DeskNameForm,
    DeskScanForm,
    ReasonForm,
    SearchForm,
)
from sessions_app.shootday.selectors import desk as desk_selectors
from sessions_app.shootday.selectors import queue as queue_selectors

DESK_SESSION_KEY = "shoot_desk"
DEFAULT_DESK = "1号台"


def _desk_url(*, student=None, slot=None, q=None) -> str:
    params = {
        key: value for key, value in (("slot", slot), ("student", student), ("q", q)) if value
    }
    url = reverse("shootday:desk")
    return "%s?%s" % (url, urlencode(params)) if params else url


def _back(request, *, student=None) -> str:
    """Return the desk URL to go back to, keeping the slot the crew chose."""
    return _desk_url(student=student, slot=int_param(request.POST.get("slot")))


def _posted_student(request, campaign) -> Student | None:
    pk = int_param(request.POST.get("student"))
    if pk is None:
        return None
    return Student.objects.filter(campaign=campaign, pk=pk).first()


def _posted_shot(request, campaign) -> Shot | None:
    pk = int_param(request.POST.get("shot"))
    if pk is None:
        return None
    return Shot.objects.filter(campaign=campaign, pk=pk).select_related("student").first()


def _desk_name(request) -> str:
    return request.session.get(DESK_SESSION_KEY, DEFAULT_DESK)


def _desk_selected(request, campaign):
    """Return the student the desk has open (?student=), with a message if unknown."""
    pk = int_param(request.GET.get("student"))
    student = Student.objects.filter(campaign=campaign, pk=pk).first() if pk else None
    if student is None:
        if request.GET.get("student"):
            messages.error(request, _("没有找到这名学生。"))
        return None
    return desk_selectors.desk_student(student=student)


@crew_required
def desk(request):
    campaign = campaign_or_404(request)
    now = timezone.now()
    slot_id = int_param(request.GET.get("slot"))
    slot = queue_selectors.desk_slot(campaign=campaign, now=now, slot_id=slot_id)
    if slot_id is not None and slot is None:
        messages.error(request, _("没有这个拍摄时段，已显示当前时段。"))
        slot = queue_selectors.desk_slot(campaign=campaign, now=now)
    search = SearchForm(request.GET or None)
    results, query = [], ""
    if search.is_valid():
        query = search.cleaned_data["q"]
        results = desk_selectors.desk_search(campaign=campaign, query=query)
        if query and len(results) == 1 and "student" not in request.GET:
            return redirect(_desk_url(student=results[0][0].pk, slot=slot_id, q=query))
    elif request.GET.get("q"):
        messages.error(request, _("查询内容过长，请输入学号或姓名。"))
    name = _desk_name(request)

    selected = _desk_selected(request, campaign)
    entries = queue_selectors.slot_queue(slot=slot) if slot else []
    current = rules.desk_entry(entries, now=now)
    show_waiting = current is not None and selected is None and not query
    context = {
        "campaign": campaign,
        "code_mode": campaign.is_code_mode,
        "slot": slot,
        "slot_id": slot_id,
        "slots": slots_of_campaign(campaign=campaign),
        "entries": entries,
        "current": current,
        "waiting": desk_selectors.waiting_students(entry=current) if show_waiting else [],
        "search": search,
        "query": query,
        "results": results,
        "searched": bool(query),
        "selected": selected,
        "desk_name": name,
        "desk_form": DeskNameForm(initial={"desk": name}),
        "correction_form": CorrectionForm(),
        "recent": desk_selectors.desk_recent_shots(campaign=campaign, desk=name),
    }
    return render(request, "sessions_app/shootday/desk.html", context)


def _looks_like_search(text: str) -> bool:
    """Return whether scanned text is rather a 学号 or a name typed by hand: letters and
    digits only (name separators aside), and short. A code's text has punctuation or
    length, and must not end up in a URL."""
    bare = "".join(ch for ch in text.strip() if ch not in "·・•‧．- ")
    return 0 < len(bare) <= 20 and bare.isalnum()


@require_POST
@crew_required
@upload_limited(back="shootday:desk")
def desk_scan(request):
    """Find the student whose 图像采集码 the desk scanned: typed by a keyboard-wedge
    scanner into the field, or a photo from the desk phone's camera decoded here.

    A POST, so the code's content never lands in a URL or an access log; it is matched
    through the keyed hash only. Text short enough to be a 学号 or a name that matches
    no code is searched as before.
    """
    campaign = campaign_or_404(request)
    slot = int_param(request.POST.get("slot"))
    form = DeskScanForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect(_desk_url(slot=slot))
    text, photo = form.cleaned_data["code"], form.cleaned_data["photo"]
    if photo is not None:
        reading = code_rules.read_code(photo.read(), limits=code_services.reading_limits())
        if not reading.readable:
            messages.error(request, _("照片中没有读到唯一的采集码：%s") % reading.message)
            return redirect(_desk_url(slot=slot))
        content = reading.content
    else:
        content = code_rules.code_text(text)
    found = code_selectors.students_by_code(campaign=campaign, content=content)
    if len(found) == 1:
        return redirect(_desk_url(student=found[0].pk, slot=slot))
    if len(found) > 1:
        messages.error(
            request,
            _(
                "这个采集码有 %(n)d 名学生上传过（%(names)s）：一个学籍只有一个采集码，请按学号核对身份。"
            )
            % {"n": len(found), "names": "、".join(str(s) for s in found)},
        )
        return redirect(_desk_url(slot=slot))
    if photo is None and _looks_like_search(text):
        return redirect(_desk_url(slot=slot, q=text))
    messages.error(
        request,
        _("没有学生在门户核验过这个采集码。请用学号或姓名查找，并在拍摄方扫码器上确认。"),
    )
    return redirect(_desk_url(slot=slot))


@require_POST
@crew_required
def desk_name(request):
    form = DeskNameForm(request.POST)
    if form.is_valid():
        request.session[DESK_SESSION_KEY] = " ".join(form.cleaned_data["desk"].split())
        messages.success(request, _("本工作台：%(desk)s") % {"desk": _desk_name(request)})
    else:
        messages.error(request, form.errors["desk"][0])
    return redirect(_back(request))


def _desk_action(request, *, find, missing, act, done, form=None, form_error=""):
    """Run one desk action on the posted student or number.

    ``find(request, campaign)`` returns it (None: ``missing`` is said); a ``form`` that
    does not validate is refused with ``form_error``; ``act(thing)`` calls the service
    and ``done(thing, result)`` returns (message level, text, back to the student?).
    A service's refusal becomes the message, and the desk opens the student again.
    """
    thing = find(request, campaign_or_404(request))
    if thing is None:
        messages.error(request, missing)
        return redirect(_back(request))
    student_pk = thing.student_id if isinstance(thing, Shot) else thing.pk
    if form is not None and not form.is_valid():
        messages.error(request, form_error % {"e": next(iter(form.errors.values()))[0]})
        return redirect(_back(request, student=student_pk))
    try:
        result = act(thing)
    except services.ShootDayError as error:
        messages.error(request, str(error))
        return redirect(_back(request, student=student_pk))
    level, text, back_to_student = done(thing, result)
    level(request, text)
    return redirect(_back(request, student=student_pk if back_to_student else None))


@require_POST
@crew_required
def assign(request):
    def act(student):
        return services.shot_number_assign(
            student=student,
            desk=_desk_name(request),
            by=request.user,
            retake_reason=request.POST.get("retake_reason", ""),
            studio_number=request.POST.get("studio_number", ""),
        )

    def done(student, shot):
        if shot.studio_number:
            text = _("已登记 %(name)s 的拍摄号 %(studio)s。拍完后点“已拍摄”。") % {
                "studio": shot.studio_number,
                "name": student.name,
            }
        else:
            text = _("拍摄序号 %(number)d：请 %(name)s 在采集卡上填涂 %(number)d。") % {
                "number": shot.number,
                "name": student.name,
            }
        return messages.success, text, True

    return _desk_action(
        request,
        find=_posted_student,
        missing=_("没有找到这名学生，未取号。"),
        act=act,
        done=done,
    )


@require_POST
@crew_required
def photographed(request):
    def done(shot, _result):
        text = _("序号 %(number)s %(name)s 已拍摄。请查找下一位。") % {
            "number": shot.studio_number or shot.number,
            "name": shot.student.name,
        }
        return messages.success, text, False

    return _desk_action(
        request,
        find=_posted_shot,
        missing=_("没有这个拍摄序号。"),
        act=lambda shot: services.shot_mark_photographed(shot=shot, by=request.user),
        done=done,
    )


@require_POST
@crew_required
def void(request):
    form = ReasonForm(request.POST)

    def done(shot, _result):
        text = _("序号 %(number)d 已作废（跳号），原因已记录。") % {"number": shot.number}
        return messages.warning, text, True

    return _desk_action(
        request,
        find=_posted_shot,
        missing=_("没有这个拍摄序号。"),
        form=form,
        form_error=_("作废序号须填写原因：%(e)s"),
        act=lambda shot: services.shot_void(
            shot=shot, by=request.user, reason=form.cleaned_data["reason"]
        ),
        done=done,
    )


@require_POST
@crew_required
def absent(request):
    def done(student, _result):
        text = _("%(student)s 已登记缺席，将列入补拍名单。") % {"student": student}
        return messages.warning, text, False

    return _desk_action(
        request,
        find=_posted_student,
        missing=_("没有找到这名学生。"),
        act=lambda student: services.shot_mark_absent(student=student, by=request.user),
        done=done,
    )


@require_POST
@crew_required
def correction(request):
    form = CorrectionForm(request.POST)

    def done(_student, record):
        what = {"kind": record.get_kind_display(), "field": record.get_field_display()}
        if not record.matches_roster:
            text = _("已登记%(kind)s：%(field)s，但与名册不一致，已提示教务处核实。") % what
            return messages.warning, text, True
        text = _("已登记%(kind)s：%(field)s。") % what
        if record.settled_check is not None:
            text += _("该生自查时与名册不一致的记录已一并关闭。")
        return messages.success, text, True

    return _desk_action(
        request,
        find=_posted_student,
        missing=_("没有找到这名学生。"),
        form=form,
        form_error=_("未登记更正：%(e)s"),
        act=lambda student: services.card_correction_record(
            student=student, by=request.user, **form.cleaned_data
        ),
        done=done,
    )
