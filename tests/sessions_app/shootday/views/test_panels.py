"""The panels of the day on the student's and the monitor's pages."""

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import strip_tags

from sessions_app.shootday import services as shootday
from sessions_app.shootday.selectors.queue import class_queue_status
from sessions_app.shootday.selectors.student import student_shoot_panel
from tests.sessions_app.shootday.factories import at, make_photographed
from tests.sessions_app.shootday.views.pages import ShootPageTestCase, T


class PanelTemplateTests(ShootPageTestCase):
    def render(self, template, **context):
        request = RequestFactory().get("/")
        request.user = self.student_user
        return render_to_string(template, context, request=request)

    def test_the_student_panel_shows_the_deadline_and_the_graduation_year(self):
        make_photographed(self.student, by=self.crew, when=T)
        html = self.render(
            "sessions_app/shootday/_student_panel.html",
            shoot_panel=student_shoot_panel(student=self.student, now=T),
        )
        self.assertIn("2018年11月15日", html)
        self.assertIn("“毕业年份”必须是 2020", html)
        self.assertIn(reverse("shootday:chsi_confirm"), html)

    def panel_text(self, now) -> str:
        html = self.render(
            "sessions_app/shootday/_student_panel.html",
            shoot_panel=student_shoot_panel(student=self.student, now=now),
        )
        return " ".join(strip_tags(html).split())

    def test_before_the_deadline_the_panel_asks_to_check_by_that_day(self):
        make_photographed(self.student, by=self.crew, when=T)
        text = self.panel_text(at("2018-11-15", "18:00"))
        self.assertIn(
            "请在 2018年11月15日（拍摄后第 4 个工作日）前登录 学信网 chsi.com.cn "
            "核对本人照片和全部信息。",
            text,
        )
        self.assertNotIn("已过", text)

    def test_after_the_deadline_the_panel_says_it_has_passed(self):
        make_photographed(self.student, by=self.crew, when=T)
        text = self.panel_text(at("2018-11-16", "08:00"))
        self.assertIn(
            "核对期限 2018年11月15日 已过，请尽快登录 学信网 chsi.com.cn 核对本人照片和全部信息",
            text,
        )
        self.assertNotIn("请在", text)

    def test_after_the_deadline_an_answered_student_is_not_hurried(self):
        make_photographed(self.student, by=self.crew, when=T)
        shootday.chsi_check_confirm(
            student=self.student, ok=True, by=self.student_user, now=at("2018-11-14", "20:00")
        )
        text = self.panel_text(at("2018-11-20", "08:00"))
        self.assertIn("核对期限 2018年11月15日 已过。", text)
        self.assertNotIn("请尽快", text)

    def test_the_student_sees_a_report_stay_open_after_saying_ok(self):
        make_photographed(self.student, by=self.crew, when=T)
        report = shootday.chsi_check_confirm(
            student=self.student,
            ok=False,
            problem="照片不是我",
            by=self.student_user,
            now=at("2018-11-13", "20:00"),
        )
        shootday.chsi_check_confirm(
            student=self.student, ok=True, by=self.student_user, now=at("2018-11-14", "20:00")
        )
        text = self.panel_text(at("2018-11-14", "21:00"))
        self.assertIn("你的答复：已核对无误 11月14日 20:00", text)
        self.assertIn("11月13日 20:00 反映：照片不是我 — 教务处处理中", text)
        shootday.chsi_report_handle(
            report=report, note="已提交勘误", by=self.staff, now=at("2018-11-15", "09:00")
        )
        text = self.panel_text(at("2018-11-15", "10:00"))
        self.assertIn("11月13日 20:00 反映：照片不是我 — 教务处已于 11月15日 处理", text)

    def test_the_student_panel_sends_an_absent_student_to_the_centre(self):
        shootday.shot_mark_absent(student=self.student, by=self.crew)
        html = self.render(
            "sessions_app/shootday/_student_panel.html",
            shoot_panel=student_shoot_panel(student=self.student, now=T),
        )
        self.assertIn("长沙市迎宾路175号", html)
        self.assertIn("0731-82250811", html)
        self.assertIn("自行缴纳", html)

    def test_the_monitor_panel_says_the_class_is_next(self):
        make_photographed(self.students[0], by=self.crew, when=T)
        status = class_queue_status(school_class=self.day.classes[1], now=T)
        html = self.render("sessions_app/shootday/_monitor_panel.html", class_queue=status)
        self.assertIn("下一个就是本班", html)
        self.assertIn('data-state="next"', html)
