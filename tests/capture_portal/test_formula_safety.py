"""No workbook the portal writes holds a live formula: text beginning with = + - @, a tab
or a carriage return (a title, a name, an uploaded cell written back) stays text that
Excel and WPS show and never evaluate."""

import io
import re
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase
from django.urls import reverse
from openpyxl import load_workbook

from capture_portal.exports import Column, Report, Section, render_xlsx
from cards_app import exports as card_exports
from cards_app import selectors as card_selectors
from payments_app.exports import payment_list_export
from payments_app.services import payment_record
from sessions_app.exports import export_file
from sessions_app.roster.template import roster_template
from sessions_app.shootday import services as shootday
from sessions_app.shootday.exports import chsi_export
from tests.cards_app.factories import make_card_check
from tests.factories import make_class, make_crew, make_monitor, make_slot, make_staff, make_student
from tests.sessions_app.roster.support import HEADER, RosterImportTestCase
from tests.sessions_app.shootday.factories import at, make_photographed

PAYLOAD = "=cmd|' /C calc'!A0"
FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")


def formula_cells(content: bytes) -> list[str]:
    """Return the sheets of an .xlsx that hold a formula element, whatever the reader."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and FORMULA_TAG.search(archive.read(name))
        ]


def cell_texts(content: bytes) -> set[str]:
    book = load_workbook(io.BytesIO(content))
    return {
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }


class RendererTests(SimpleTestCase):
    def test_every_trigger_is_written_as_text_in_every_place_of_a_sheet(self):
        triggers = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", PAYLOAD]
        report = Report(
            title=PAYLOAD,
            subtitle='=HYPERLINK("http://x")',
            columns=[Column("=A1"), Column("学号", text=True), Column("金额", money=True)],
            sections=[
                Section(
                    title="=班",
                    rows=[[t, t, 20] for t in triggers],
                    notes=["-note"],
                )
            ],
        )
        for one_sheet in (False, True):
            content = render_xlsx(report, one_sheet=one_sheet, section_column="=组")
            self.assertEqual(formula_cells(content), [])
            texts = cell_texts(content)
            for trigger in triggers:
                # XML reads a carriage return back as a line feed.
                self.assertIn(trigger.replace("\r", "\n"), texts)
            self.assertIn("=A1", texts)
        book = load_workbook(io.BytesIO(render_xlsx(report)))
        self.assertIs(book.active["A1"].quotePrefix, True)
        self.assertEqual(book.active["A1"].data_type, "s")
        # Numbers stay numbers.
        self.assertEqual(book.active["C5"].value, 20)


class EveryExportKindTests(RosterImportTestCase):
    """A campaign whose every free text starts with "=": each export kind is scanned."""

    def setUp(self):
        super().setUp()
        campaign = self.campaign
        campaign.title = PAYLOAD
        campaign.makeup_centre_name = "=centre()"
        campaign.save()
        self.staff, crew = make_staff(), make_crew()
        slot = make_slot(campaign, start="08:00", end="09:00", date="2018-11-11")
        school_class = make_class(campaign, slot, name="=会计1171")
        monitor, monitor_user = make_monitor(school_class)
        shot = make_student(school_class, name="+王堃")
        absent = make_student(school_class, name="@李四")
        payment_record(student=shot, by=monitor_user)
        make_photographed(shot, by=crew, when=at("2018-11-11", "08:05"))
        shootday.shot_mark_absent(student=absent, by=crew, now=at("2018-11-11", "08:10"))
        shootday.chsi_check_confirm(student=shot, ok=False, problem="=1+1 年份不对", by=self.staff)
        make_card_check(monitor, name="-改名")

    def workbooks(self):
        campaign = self.campaign
        for kind in ("signin", "roster", "makeup"):
            yield kind, export_file(campaign=campaign, kind=kind, fmt="xlsx")[2]
        for one_sheet in (False, True):
            yield (
                "payments one_sheet=%s" % one_sheet,
                payment_list_export(campaign=campaign, fmt="xlsx", one_sheet=one_sheet)[2],
            )
        bulk = card_selectors.roster_bulk_check(campaign=campaign)
        for kind in card_exports.BULK_EXPORTS:
            if kind.endswith(".xlsx"):
                yield (
                    kind,
                    card_exports.bulk_check_export(kind=kind, bulk=bulk, campaign=campaign)[2],
                )
        yield "chsi", chsi_export(campaign=campaign, fmt="xlsx")[2]
        yield "template", roster_template(campaign=campaign)
        yield "import errors", self.error_file()

    def error_file(self) -> bytes:
        self.client.force_login(self.staff)
        # CSV holds the uploaded text as typed (a workbook would hold a formula).
        lines = [",".join(HEADER), '1730101009,"%s",-430102199901011230,=会计1171,,女' % PAYLOAD]
        upload = ("\r\n".join(lines) + "\r\n").encode("utf-8")
        response = self.client.post(
            reverse("roster:import", args=[self.campaign.pk]),
            {"file": SimpleUploadedFile("名单.csv", upload)},
        )
        token = response["Location"].rstrip("/").rsplit("/", 1)[1]
        errors = self.client.get(reverse("roster:import_errors", args=[token]))
        self.assertEqual(errors.status_code, 200)
        self.assertIn(PAYLOAD, cell_texts(errors.content))
        return errors.content

    def test_no_export_holds_a_formula(self):
        kinds = []
        for kind, content in self.workbooks():
            kinds.append(kind)
            with self.subTest(kind=kind):
                self.assertEqual(formula_cells(content), [])
        self.assertEqual(len(kinds), 10)
        # The title heads the lists, as text.
        roster = export_file(campaign=self.campaign, kind="roster", fmt="xlsx")[2]
        self.assertIn(PAYLOAD, {t.split("　")[0] for t in cell_texts(roster)})
