"""The fee ledger: payments, their reversals, and the hand-over of a class's cash.

A payment is never edited or deleted. A mistake is undone by a PaymentReversal that
names its author and reason; the reversed payment keeps its amount, author and time
and only its status changes, so the database can keep at most one *active* payment
per student per campaign with a partial unique index.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions_app.models import Campaign, SchoolClass, Student


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("现金")
    TRANSFER = "transfer", _("转账")


class PaymentStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    REVERSED = "reversed", _("已撤销")


class Payment(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="payments", verbose_name=_("采集活动")
    )
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="payments", verbose_name=_("学生")
    )
    # The class the student belonged to when paying: the cash is in that monitor's hands.
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        related_name="payments",
        null=True,
        blank=True,
        verbose_name=_("班级"),
    )
    # The campaign's fee at the moment of payment; a later fee change does not touch it.
    amount = models.DecimalField(_("金额（元）"), max_digits=8, decimal_places=2)
    method = models.CharField(
        _("方式"), max_length=10, choices=PaymentMethod, default=PaymentMethod.CASH
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=PaymentStatus, default=PaymentStatus.ACTIVE
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    # Set when staff record a payment for a class that has already handed over.
    after_handover = models.BooleanField(_("交接后补录"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("缴费记录")
        verbose_name_plural = _("缴费记录")
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "student"],
                condition=Q(status="active"),
                name="payment_one_active_per_student",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(status__in=["active", "reversed"]), name="payment_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["school_class", "status"], name="payment_class_status")]

    def __str__(self):
        return "%s %s 元（%s）" % (self.student_id, self.amount, self.get_status_display())

    @property
    def is_active(self) -> bool:
        return self.status == PaymentStatus.ACTIVE


class PaymentReversal(models.Model):
    """The entry that undoes one payment; a payment is reversed at most once.

    A mistake (recorded for the wrong student, twice …) is a plain reversal; money given
    back to a student who paid and owes nothing (not photographed, deferred) is a refund.
    """

    class Kind(models.TextChoices):
        MISTAKE = "mistake", _("撤销")
        REFUND = "refund", _("退款")

    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="reversal", verbose_name=_("缴费记录")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind, default=Kind.MISTAKE)
    reason = models.CharField(_("撤销原因"), max_length=200)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("撤销人"),
    )
    reversed_at = models.DateTimeField(_("撤销时间"), default=timezone.now)
    after_handover = models.BooleanField(_("交接后撤销"), default=False)

    class Meta:
        verbose_name = _("撤销记录")
        verbose_name_plural = _("撤销记录")
        ordering = ["reversed_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="reversal_has_reason"),
        ]

    def __str__(self):
        return "撤销 %s" % self.payment


class PaymentCarry(models.Model):
    """Staff carried a payment of a student who was not photographed to the make-up
    round: the payment stays, the class no longer hands it to the crew."""

    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="carry", verbose_name=_("缴费记录")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    carried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    carried_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("转补拍记录")
        verbose_name_plural = _("转补拍记录")
        ordering = ["carried_at", "id"]

    def __str__(self):
        return "转补拍 %s" % self.payment


class Handover(models.Model):
    """The hand-over of the class's cash to the crew; one per class.

    The monitor (or staff) records what was handed over; a crew member confirms receipt,
    or records it directly, which confirms it at once.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="handovers", verbose_name=_("采集活动")
    )
    school_class = models.OneToOneField(
        SchoolClass, on_delete=models.PROTECT, related_name="handover", verbose_name=_("班级")
    )
    student_count = models.PositiveIntegerField(_("人数"))
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    receiver_name = models.CharField(_("收款人"), max_length=50)
    handed_over_at = models.DateTimeField(_("交接时间"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("确认收款人"),
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("交接记录")
        verbose_name_plural = _("交接记录")
        ordering = ["handed_over_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="handover_amount_not_negative"),
            models.CheckConstraint(condition=~Q(receiver_name=""), name="handover_has_receiver"),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True, confirmed_at__isnull=True)
                | Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
                name="handover_confirmation_complete",
            ),
        ]

    def __str__(self):
        return "%s 交接 %d 人 %s 元" % (self.school_class_id, self.student_count, self.amount)


class HandoverAdjustment(models.Model):
    """Staff's settlement of a discrepancy after the hand-over: cash passed on to the
    crew (positive) or given back (negative), with the reason."""

    handover = models.ForeignKey(
        Handover, on_delete=models.PROTECT, related_name="adjustments", verbose_name=_("交接记录")
    )
    student_count = models.IntegerField(_("人数变化"))
    amount = models.DecimalField(_("金额变化（元）"), max_digits=10, decimal_places=2)
    reason = models.CharField(_("原因"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("交接差额结清")
        verbose_name_plural = _("交接差额结清")
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="adjustment_has_reason"),
            models.CheckConstraint(
                condition=~Q(amount=Decimal("0")) | ~Q(student_count=0),
                name="adjustment_not_empty",
            ),
        ]

    def __str__(self):
        return "%s %+d 人 %s 元" % (self.handover_id, self.student_count, self.amount)
