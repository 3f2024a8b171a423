"""The 缴费名单 (and the unpaid list) as a Report for the shared renderer.

One query streams every student of the chosen classes with their active payment, in
class then 学号 order; each class becomes a section whose rows are read straight from
that stream, so a 20,000-student export never holds the roster in memory.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from capture_portal.exports import CONTENT_TYPES, Column, Report, Section, render
from cards_app.rules import mask_id_number
from payments_app.models import Handover, PaymentStatus
from payments_app.rules import expected_amount, pays_at_makeup_centre
from payments_app.selectors import LABEL_MAKEUP, LABEL_PAID, LABEL_UNPAID
from sessions_app.models import Campaign, SchoolClass, Student

PAID_MARK = "✓ %s" % LABEL_PAID

COLUMNS = [
    Column("序号", 6, align="center"),
    Column("学号", 14, text=True, keep=True),
    Column("姓名", 12, keep=True),
    Column("身份证号", 22, text=True, keep=True),
    Column("缴费", 10, align="center"),
    Column("金额（元）", 10, align="right"),
    Column("登记时间", 14, align="center"),
]
SIGNATURES = ("班长（签名）", "收款人（签名）")


@dataclass
class _Counts:
    expected: int = 0
    paid: int = 0
    collected: Decimal = Decimal("0.00")


class _Peekable:
    def __init__(self, iterator):
        self._iterator = iterator
        self._head = None
        self._has_head = False

    def peek(self):
        if not self._has_head:
            self._head = next(self._iterator, None)
            self._has_head = True
        return self._head

    def take(self):
        head = self.peek()
        self._has_head = False
        return head


def _student_stream(classes: list[SchoolClass]) -> Iterator[tuple]:
    # Ordered as the sections are: by class name (unique in a campaign), then 学号.
    return (
        Student.objects.filter(school_class__in=[c.pk for c in classes])
        .annotate(
            active_payment=FilteredRelation(
                "payments",
                condition=Q(payments__status=PaymentStatus.ACTIVE)
                & Q(payments__campaign=F("campaign")),
            )
        )
        .order_by("school_class__name", "student_id")
        .values_list(
            "school_class_id",
            "student_id",
            "name",
            "id_number",
            "category",
            "active_payment__amount",
            "active_payment__recorded_at",
        )
        .iterator(chunk_size=2000)
    )


def _class_rows(stream, school_class, counts: _Counts, *, unpaid_only, mask_id_numbers):
    number = 0
    zone = timezone.get_current_timezone()
    while (head := stream.peek()) is not None and head[0] == school_class.pk:
        _, student_id, name, id_number, category, amount, recorded_at = stream.take()
        makeup = pays_at_makeup_centre(category=category, class_status=school_class.status)
        paid = amount is not None
        if not makeup:
            counts.expected += 1
            if paid:
                counts.paid += 1
                counts.collected += amount
        if unpaid_only and (paid or makeup):
            continue
        number += 1
        if paid:
            mark = PAID_MARK
            when = timezone.localtime(recorded_at, zone).strftime("%m-%d %H:%M")
        else:
            mark, when = (LABEL_MAKEUP if makeup else LABEL_UNPAID), ""
        yield (
            number,
            student_id,
            name,
            mask_id_number(id_number) if mask_id_numbers else id_number,
            mark,
            amount,
            when,
        )


def _class_notes(school_class: SchoolClass, fee: Decimal, handover: Handover | None) -> list[str]:
    parts = [_("学院：%s") % (school_class.college or "—")]
    if school_class.slot is not None:
        parts.append(_("拍摄：%s %s") % (school_class.slot, school_class.slot.venue))
    parts.append(_("班长：%s") % (school_class.monitor.name if school_class.monitor else "—"))
    parts.append(_("每人 %s 元") % fee)
    notes = ["　".join(parts)]
    if handover is not None:
        notes.append(
            _("已交接：%d 人，%s 元，收款人 %s，%s")
            % (
                handover.student_count,
                handover.amount,
                handover.receiver_name,
                timezone.localtime(handover.handed_over_at).strftime("%Y-%m-%d %H:%M"),
            )
        )
    return notes


def _totals(counts: _Counts, fee: Decimal, *, unpaid_only: bool):
    def row():
        unpaid = counts.expected - counts.paid
        if unpaid_only:
            return (
                _("合计"),
                _("未缴 %d 人") % unpaid,
                "",
                _("应补缴 %s 元") % expected_amount(fee=fee, count=unpaid),
                "",
                "",
                "",
            )
        return (
            _("合计"),
            _("应缴 %d 人") % counts.expected,
            _("已缴 %d 人") % counts.paid,
            _("未缴 %d 人") % unpaid,
            "",
            counts.collected,
            "",
        )

    return row


def payment_list_report(
    *,
    campaign: Campaign,
    classes=None,
    unpaid_only: bool = False,
    mask_id_numbers: bool = False,
    scope_label: str = "",
) -> Report:
    """Return the 缴费名单 (or the unpaid list) of the given classes, one section each.

    ``classes`` defaults to every scheduled class of the campaign; classes deferred to
    next year pay nothing this time and are left out.
    """
    if classes is None:
        classes = SchoolClass.objects.filter(campaign=campaign)
    classes = list(
        classes.filter(status=SchoolClass.Status.SCHEDULED)
        .select_related("college", "slot__venue", "monitor")
        .order_by("name")
    )
    fee = campaign.fee
    handovers = {h.school_class_id: h for h in Handover.objects.filter(school_class__in=classes)}
    title = "%s %s" % (campaign.title, _("未缴费名单") if unpaid_only else _("缴费名单"))
    # A single class names itself in every heading already.
    subtitle = _("范围：%s") % (scope_label or _("全部班级")) if len(classes) != 1 else ""

    def sections():
        stream = _Peekable(_student_stream(classes)) if classes else None
        for school_class in classes:
            counts = _Counts()
            yield Section(
                title=school_class.name,
                rows=_class_rows(
                    stream,
                    school_class,
                    counts,
                    unpaid_only=unpaid_only,
                    mask_id_numbers=mask_id_numbers,
                ),
                totals=_totals(counts, fee, unpaid_only=unpaid_only),
                notes=_class_notes(school_class, fee, handovers.get(school_class.pk)),
                signatures=() if unpaid_only else SIGNATURES,
                page_header=school_class.name,
            )

    return Report(title=title, columns=COLUMNS, sections=sections(), subtitle=subtitle)


def payment_list_export(
    *,
    campaign: Campaign,
    fmt: str,
    classes=None,
    unpaid_only: bool = False,
    mask_id_numbers: bool = False,
    one_sheet: bool = False,
    scope_label: str = "",
) -> tuple[str, str, bytes]:
    """Return ``(filename, content_type, content)`` of the list in ``fmt`` (xlsx or pdf)."""
    report = payment_list_report(
        campaign=campaign,
        classes=classes,
        unpaid_only=unpaid_only,
        mask_id_numbers=mask_id_numbers,
        scope_label=scope_label,
    )
    content = render(report, fmt, one_sheet=one_sheet, section_column="班级")
    filename = "%s-%s-%s.%s" % (
        _("未缴费名单") if unpaid_only else _("缴费名单"),
        scope_label or _("全部"),
        timezone.localdate().strftime("%Y%m%d"),
        fmt,
    )
    return filename, CONTENT_TYPES[fmt], content
