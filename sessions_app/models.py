"""The capture day: campaign, venues, time slots, colleges, classes and students."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class StudentCategory(models.TextChoices):
    CURRENT = "current", _("应届在校生")
    EARLIER_UNSHOT = "earlier_unshot", _("2016级等未拍照在校生")
    ALUMNI = "alumni", _("往届生")
    ADULT = "adult", _("成教生")


class EducationType(models.TextChoices):
    """学历类别 bubbles on the card."""

    REGULAR_JUNIOR = "regular_junior", _("普通专科")
    REGULAR_BACHELOR = "regular_bachelor", _("普通本科")
    ADULT_JUNIOR = "adult_junior", _("成人专科")
    ADULT_BACHELOR = "adult_bachelor", _("成人本科")


class SchoolType(models.TextChoices):
    """所在校别 bubbles on the card."""

    REGULAR = "regular", _("普通高校")
    ADULT = "adult", _("成人高校")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Campaign(models.Model):
    """One capture day (or days) for one graduating year."""

    title = models.CharField(_("标题"), max_length=100)
    graduation_year = models.PositiveSmallIntegerField(_("毕业年份"))
    scope = models.TextField(_("参加范围"), blank=True)
    fee = models.DecimalField(
        _("每人费用（元）"), max_digits=8, decimal_places=2, default=Decimal("20.00")
    )
    fee_includes = models.CharField(_("费用包含"), max_length=100, blank=True)
    makeup_centre_name = models.CharField(_("补拍地点名称"), max_length=100)
    makeup_centre_address = models.CharField(_("补拍地址"), max_length=200)
    makeup_centre_phone = models.CharField(_("补拍电话"), max_length=50)
    chsi_check_working_days = models.PositiveSmallIntegerField(
        _("学信网核对（拍摄后工作日）"), default=4
    )
    dress_rules = models.TextField(_("着装要求"), blank=True)
    bring_items = models.TextField(_("需携带"), blank=True)
    issued_by = models.CharField(_("发布单位"), max_length=50, default="教务处")
    issued_on = models.DateField(_("发布日期"), null=True, blank=True)
    published = models.BooleanField(_("已发布"), default=False)

    class Meta:
        verbose_name = _("采集活动")
        verbose_name_plural = _("采集活动")
        ordering = ["-graduation_year", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(fee__gte=0), name="campaign_fee_not_negative"),
        ]

    def __str__(self):
        return self.title


class Venue(models.Model):
    name = models.CharField(_("地点"), max_length=100, unique=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    shots_per_hour = models.PositiveIntegerField(_("每小时拍摄人数"), default=300)

    class Meta:
        verbose_name = _("拍摄地点")
        verbose_name_plural = _("拍摄地点")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(shots_per_hour__gt=0), name="venue_shots_per_hour_positive"
            ),
        ]

    def __str__(self):
        return self.name


class TimeSlot(models.Model):
    """A period at one venue; no two slots of one venue overlap (see migration 0002)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="slots", verbose_name=_("采集活动")
    )
    date = models.DateField(_("日期"))
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, related_name="slots", verbose_name=_("地点")
    )

    class Meta:
        verbose_name = _("拍摄时段")
        verbose_name_plural = _("拍摄时段")
        ordering = ["date", "start", "venue_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="slot_end_after_start"
            ),
        ]

    def __str__(self):
        return "%s %s—%s" % (
            self.date.isoformat(),
            self.start.strftime("%H:%M"),
            self.end.strftime("%H:%M"),
        )

    @property
    def duration_minutes(self) -> int:
        start = datetime.datetime.combine(self.date, self.start)
        end = datetime.datetime.combine(self.date, self.end)
        return int((end - start).total_seconds() // 60)

    @property
    def capacity(self) -> int:
        """Students the venue can shoot in this slot, at its hourly rate."""
        return self.duration_minutes * self.venue.shots_per_hour // 60

    @property
    def period_label(self) -> str:
        return _("上午") if self.start.hour < 12 else _("下午")


class College(models.Model):
    name = models.CharField(_("学院"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("学院")
        verbose_name_plural = _("学院")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SchoolClass(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("已安排")
        DEFERRED = "deferred", _("推迟至下一年")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="classes", verbose_name=_("采集活动")
    )
    name = models.CharField(_("班级"), max_length=50)
    major = models.CharField(_("专业"), max_length=50, blank=True)
    entry_year = models.PositiveSmallIntegerField(_("入学年份"), null=True, blank=True)
    college = models.ForeignKey(
        College,
        on_delete=models.PROTECT,
        related_name="classes",
        null=True,
        blank=True,
        verbose_name=_("学院"),
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status, default=Status.SCHEDULED)
    slot = models.ForeignKey(
        TimeSlot,
        on_delete=models.SET_NULL,
        related_name="classes",
        null=True,
        blank=True,
        verbose_name=_("拍摄时段"),
    )
    position = models.PositiveSmallIntegerField(_("时段内顺序"), null=True, blank=True)
    monitor = models.OneToOneField(
        "Student",
        on_delete=models.SET_NULL,
        related_name="monitored_class",
        null=True,
        blank=True,
        verbose_name=_("班长"),
    )

    class Meta:
        verbose_name = _("班级")
        verbose_name_plural = _("班级")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="class_unique_per_campaign"),
            models.UniqueConstraint(
                fields=["slot", "position"], name="class_unique_position_in_slot"
            ),
            models.CheckConstraint(
                condition=Q(slot__isnull=True, position__isnull=True)
                | Q(slot__isnull=False, position__isnull=False),
                name="class_slot_has_position",
            ),
            models.CheckConstraint(
                condition=~Q(status="deferred") | Q(slot__isnull=True),
                name="class_deferred_has_no_slot",
            ),
        ]

    def __str__(self):
        return self.name


class CategoryRule(models.Model):
    """What a category of student puts on the card, and the slot of those without a class."""

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="category_rules",
        verbose_name=_("采集活动"),
    )
    category = models.CharField(_("类别"), max_length=20, choices=StudentCategory)
    label = models.CharField(_("通知中的称呼"), max_length=50)
    education_type = models.CharField(_("学历类别"), max_length=20, choices=EducationType)
    school_type = models.CharField(
        _("所在校别"), max_length=20, choices=SchoolType, default=SchoolType.REGULAR
    )
    slot = models.ForeignKey(
        TimeSlot,
        on_delete=models.SET_NULL,
        related_name="category_rules",
        null=True,
        blank=True,
        verbose_name=_("无班级者的拍摄时段"),
    )
    position = models.PositiveSmallIntegerField(_("时段内顺序"), default=0)

    class Meta:
        verbose_name = _("类别规则")
        verbose_name_plural = _("类别规则")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "category"], name="category_rule_unique"),
        ]

    def __str__(self):
        return self.label


class Student(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="students", verbose_name=_("采集活动")
    )
    # 学号 and 身份证号 are text: leading zeros and the X must survive everywhere.
    student_id = models.CharField(_("学号"), max_length=20, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender, blank=True)
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        related_name="students",
        null=True,
        blank=True,
        verbose_name=_("班级"),
    )
    category = models.CharField(
        _("类别"), max_length=20, choices=StudentCategory, default=StudentCategory.CURRENT
    )
    education_type = models.CharField(
        _("学历类别"), max_length=20, choices=EducationType, default=EducationType.REGULAR_JUNIOR
    )
    school_type = models.CharField(
        _("所在校别"), max_length=20, choices=SchoolType, default=SchoolType.REGULAR
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="student",
        null=True,
        blank=True,
        verbose_name=_("登录账号"),
    )
    must_change_password = models.BooleanField(_("首次登录须改密码"), default=True)

    class Meta:
        verbose_name = _("学生")
        verbose_name_plural = _("学生")
        ordering = ["student_id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(category="current") | Q(school_class__isnull=False),
                name="student_current_has_class",
            ),
        ]

    def __str__(self):
        return "%s %s" % (self.student_id, self.name)

    @property
    def id_number_masked(self) -> str:
        """Return the ID number with all but the first and last four characters hidden."""
        value = self.id_number
        if len(value) <= 8:
            return "*" * len(value)
        return value[:4] + "*" * (len(value) - 8) + value[-4:]


# The shoot day -----------------------------------------------------------------------


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
        indexes = [models.Index(fields=["slot", "status"], name="shot_slot_status")]

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

    @property
    def value_masked(self) -> str:
        """Return the value with an ID number masked, as non-staff see it."""
        if self.field != self.Field.ID_NUMBER or len(self.value) <= 8:
            return self.value
        return self.value[:4] + "*" * (len(self.value) - 8) + self.value[-4:]


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

    Rows are only added: the newest is the student's answer, earlier ones the history.
    """

    class Result(models.TextChoices):
        OK = "ok", _("已核对无误")
        PROBLEM = "problem", _("有问题")

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="chsi_checks", verbose_name=_("学生")
    )
    result = models.CharField(_("结果"), max_length=10, choices=Result)
    problem = models.CharField(_("问题说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提交人"),
    )
    created_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("学信网核对")
        verbose_name_plural = _("学信网核对")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(result="problem") | ~Q(problem=""), name="chsi_problem_has_text"
            ),
        ]

    def __str__(self):
        return "%s %s" % (self.student, self.get_result_display())
