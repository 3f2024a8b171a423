"""The shoot day's records: 拍摄序号, absences, card corrections at the desk, class
close-outs and each student's answer after checking 学信网."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sessions_app.models.schedule import Campaign, SchoolClass, Student, TimeSlot


class ShotCounter(models.Model):
    """The last 拍摄序号 given in a campaign.

    Desks lock this row (select_for_update) to take the next number, so two desks never
    read the same value; the unique (campaign, number) of Shot is the backstop.
    """

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="shot_counter", verbose_name=_("采集活动")
    )
    last_number = models.PositiveIntegerField(_("最后发出的序号"), default=0)

    class Meta:
        verbose_name = _("拍摄序号计数")
        verbose_name_plural = _("拍摄序号计数")

    def __str__(self):
        return "%s: %d" % (self.campaign, self.last_number)


class Shot(models.Model):
    """One 拍摄序号 given to one student at a desk, and what became of it.

    A number is never deleted or given again: a number that was not used is voided with
    a reason, and a second photo of a student (a retake) carries its reason too.
    """

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("已取号待拍")
        PHOTOGRAPHED = "photographed", _("已拍摄")
        VOID = "void", _("作废")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="shots", verbose_name=_("采集活动")
    )
    number = models.PositiveIntegerField(_("拍摄序号"))
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="shots", verbose_name=_("学生")
    )
    # The slot the student was scheduled in when the number was given: the pace is
    # measured per venue and day from it.
    slot = models.ForeignKey(
        TimeSlot,
        on_delete=models.SET_NULL,
        related_name="shots",
        null=True,
        blank=True,
        verbose_name=_("拍摄时段"),
    )
    desk = models.CharField(_("工作台"), max_length=20)
    # In code mode the studio's reader gives the student a 拍摄号; the crew types it here.
    # ``number`` stays the portal's own running count, so the day's rules hold as in
    # card mode.
    studio_number = models.CharField(_("拍摄号（拍摄方）"), max_length=30, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status, default=Status.ASSIGNED)
    retake_reason = models.CharField(_("重拍原因"), max_length=200, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("取号人"),
    )
    assigned_at = models.DateTimeField(_("取号时间"))
    photographed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("拍摄登记人"),
    )
    photographed_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("作废人"),
    )
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("拍摄序号")
        verbose_name_plural = _("拍摄序号")
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="shot_number_unique"),
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(status="assigned"),
                name="shot_one_open_number_per_student",
            ),
            models.CheckConstraint(condition=Q(number__gt=0), name="shot_number_positive"),
            models.CheckConstraint(
                condition=~Q(status="void") | ~Q(void_reason=""), name="shot_void_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="photographed") | Q(photographed_at__isnull=False),
                name="shot_photographed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["slot", "status"], name="shot_slot_status"),
            # The neighbours in time of a photo a desk commits late (the day's pace).
            models.Index(fields=["campaign", "photographed_at"], name="shot_campaign_photo_time"),
        ]

    def __str__(self):
        return "%d %s" % (self.number, self.student)


class ShotAbsence(models.Model):
    """A student marked absent at the desk; withdrawn if the student turns up after all."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="absences", verbose_name=_("采集活动")
    )
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="absences", verbose_name=_("学生")
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    marked_at = models.DateTimeField(_("登记时间"))
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    withdrawn_note = models.CharField(_("撤销说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("缺席记录")
        verbose_name_plural = _("缺席记录")
        ordering = ["-marked_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(withdrawn_at__isnull=True),
                name="absence_one_open_per_student",
            ),
        ]

    def __str__(self):
        return "%s %s" % (self.student, self.marked_at.isoformat(timespec="minutes"))


class CardCorrection(models.Model):
    """A correction the student made on the paper card at the desk (改填 or 补填)."""

    class Kind(models.TextChoices):
        AMEND = "amend", _("改填")
        FILL = "fill", _("补填")

    class Field(models.TextChoices):
        STUDENT_ID = "student_id", _("学号")
        NAME = "name", _("姓名区位码")
        NAME_PINYIN = "name_pinyin", _("0000 旁的拼音")
        ID_NUMBER = "id_number", _("身份证号")
        EDUCATION_TYPE = "education_type", _("学历类别")
        SCHOOL_TYPE = "school_type", _("所在校别")
        SHOT_NUMBER = "shot_number", _("拍摄序号")

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="card_corrections",
        verbose_name=_("采集活动"),
    )
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="card_corrections", verbose_name=_("学生")
    )
    field = models.CharField(_("项目"), max_length=20, choices=Field)
    kind = models.CharField(_("改填/补填"), max_length=10, choices=Kind)
    # What the card now says, normalised by the card rules. Text: the X and leading zeros.
    value = models.CharField(_("更正后的内容"), max_length=100)
    matches_roster = models.BooleanField(_("与名册一致"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("采集卡现场更正")
        verbose_name_plural = _("采集卡现场更正")
        ordering = ["-recorded_at", "-id"]

    def __str__(self):
        return "%s %s %s" % (self.student, self.get_kind_display(), self.get_field_display())


class ClassClose(models.Model):
    """A class closed at the desk after its last student, with the counts at that moment."""

    school_class = models.OneToOneField(
        SchoolClass, on_delete=models.PROTECT, related_name="shoot_close", verbose_name=_("班级")
    )
    photographed_count = models.PositiveIntegerField(_("已拍摄人数"))
    absent_count = models.PositiveIntegerField(_("缺席人数"))
    not_shot_count = models.PositiveIntegerField(_("未拍摄人数"))
    paid_photographed_count = models.PositiveIntegerField(_("已缴费且已拍摄人数"))
    expected_amount = models.DecimalField(_("应交金额（元）"), max_digits=10, decimal_places=2)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("结束人"),
    )
    closed_at = models.DateTimeField(_("结束时间"))

    class Meta:
        verbose_name = _("班级拍摄结束")
        verbose_name_plural = _("班级拍摄结束")
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_amount__gte=0), name="class_close_amount_not_negative"
            ),
        ]

    def __str__(self):
        return str(self.school_class)


class ChsiCheck(models.Model):
    """A student's answer after checking the photo and data on chsi.com.cn.

    The student only adds rows: the newest is the student's answer, earlier ones the
    history, so a problem reported and later followed by "无误" is still on record. A
    problem stays open for 教务处 until staff mark it handled with a note; that is the
    only change a row ever takes.
    """

    class Result(models.TextChoices):
        OK = "ok", _("已核对无误")
        PROBLEM = "problem", _("有问题")

    class Kind(models.TextChoices):
        """What kind of problem, so the student is told the usual fix."""

        IDENTITY = "identity", _("找不到学籍或姓名、身份证号不对")
        PHOTO = "photo", _("照片没有显示或不是本人")
        YEAR = "year", _("毕业年份不对")
        OTHER = "other", _("其他")

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="chsi_checks", verbose_name=_("学生")
    )
    result = models.CharField(_("结果"), max_length=10, choices=Result)
    problem = models.CharField(_("问题说明"), max_length=300, blank=True)
    kind = models.CharField(_("问题类别"), max_length=10, choices=Kind, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提交人"),
    )
    created_at = models.DateTimeField(_("提交时间"))
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("处理人"),
    )
    handled_note = models.CharField(_("处理说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("学信网核对")
        verbose_name_plural = _("学信网核对")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(result="problem") | ~Q(problem=""), name="chsi_problem_has_text"
            ),
            models.CheckConstraint(
                condition=Q(handled_at__isnull=True) | Q(result="problem"),
                name="chsi_only_problems_are_handled",
            ),
            models.CheckConstraint(
                condition=Q(handled_at__isnull=True, handled_by__isnull=True, handled_note="")
                | (Q(handled_at__isnull=False, handled_by__isnull=False) & ~Q(handled_note="")),
                name="chsi_handled_has_author_and_note",
            ),
        ]

    def __str__(self):
        return "%s %s" % (self.student, self.get_result_display())

    @property
    def is_problem(self) -> bool:
        return self.result == self.Result.PROBLEM

    @property
    def is_open(self) -> bool:
        """Return whether the row is a problem 教务处 has not handled yet."""
        return self.is_problem and self.handled_at is None
