"""The shared renderer: files read back as a user's program would read them."""

import io

from django.test import SimpleTestCase
from openpyxl import load_workbook
from pypdf import PdfReader

from capture_portal.exports import Column, Report, Section, render_pdf, render_xlsx

COLUMNS = [
    Column("学号", 14, text=True),
    Column("姓名", 10),
    Column("身份证号", 22, text=True),
    Column("金额", 8, align="right"),
]


def report(n=3, **kw):
    rows = [
        ("0017%06d" % i, "王堃" if i == 0 else "买买提·艾力", "43010320010512102X", 20)
        for i in range(n)
    ]
    return Report(
        title="缴费名单",
        columns=COLUMNS,
        sections=[
            Section(
                title="会计1171",
                rows=iter(rows),
                totals=lambda: ("合计", "%d 人" % n, "", 20 * n),
                signatures=["班长签名", "收款人签名"],
                page_header="10:30—12:00 明理楼(南栋)109教室",
            ),
            Section(title="会计1172", rows=iter([]), totals=("合计", "0 人", "", 0)),
        ],
        **kw,
    )


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


class XlsxTests(SimpleTestCase):
    def test_ids_stay_text_with_leading_zeros_and_all_eighteen_characters(self):
        book = load_workbook(io.BytesIO(render_xlsx(report())))
        sheet = book["会计1171"]
        header = [c.value for c in sheet[2]]
        self.assertEqual(header, ["学号", "姓名", "身份证号", "金额"])
        first = sheet[3]
        self.assertEqual(first[0].value, "0017000000")
        self.assertEqual(first[0].number_format, "@")
        self.assertEqual(first[2].value, "43010320010512102X")
        self.assertEqual(first[2].data_type, "s")
        self.assertEqual(first[1].value, "王堃")

    def test_each_section_has_a_sheet_with_its_totals_row_last(self):
        book = load_workbook(io.BytesIO(render_xlsx(report())))
        self.assertEqual(book.sheetnames, ["会计1171", "会计1172"])
        last = [c.value for c in book["会计1171"][book["会计1171"].max_row]]
        self.assertEqual(last, ["合计", "3 人", None, 60])
        self.assertIs(book["会计1171"][book["会计1171"].max_row][0].font.b, True)

    def test_sheets_print_on_a4_fit_to_width_with_the_header_repeated(self):
        sheet = load_workbook(io.BytesIO(render_xlsx(report())))["会计1171"]
        self.assertEqual(str(sheet.page_setup.paperSize), "9")  # A4
        self.assertEqual(sheet.page_setup.fitToWidth, 1)
        self.assertIs(sheet.sheet_properties.pageSetUpPr.fitToPage, True)
        self.assertEqual(sheet.print_title_rows, "$2:$2")

    def test_one_sheet_puts_the_section_in_a_first_column(self):
        book = load_workbook(
            io.BytesIO(render_xlsx(report(), one_sheet=True, section_column="班级"))
        )
        self.assertEqual(len(book.sheetnames), 1)
        rows = [[c.value for c in r] for r in book.active.iter_rows(min_row=2)]
        self.assertEqual(rows[0], ["班级", "学号", "姓名", "身份证号", "金额"])
        self.assertEqual(rows[1][:2], ["会计1171", "0017000000"])
        self.assertEqual(rows[4], ["会计1171", "合计", "3 人", None, 60])
        self.assertEqual(rows[5], ["会计1172", "合计", "0 人", None, 0])

    def test_forbidden_and_repeated_sheet_names_are_made_safe(self):
        r = report()
        r.sections = [Section(title="a/b", rows=[]), Section(title="a/b", rows=[])]
        self.assertEqual(load_workbook(io.BytesIO(render_xlsx(r))).sheetnames, ["a_b", "a_b(2)"])


class PdfTests(SimpleTestCase):
    def test_the_text_holds_rows_totals_signatures_and_the_page_header(self):
        text = pdf_text(render_pdf(report()))
        for expected in (
            "缴费名单",
            "会计1171",
            "0017000000",
            "王堃",
            "买买提·艾力",
            "43010320010512102X",
            "合计",
            "3 人",
            "60",
            "班长签名",
            "收款人签名",
            "10:30—12:00 明理楼(南栋)109教室",
            "第 1 页",
        ):
            self.assertIn(expected, text)

    def test_the_cjk_font_is_embedded(self):
        reader = PdfReader(io.BytesIO(render_pdf(report())))
        fonts = reader.pages[0]["/Resources"]["/Font"]
        embedded = []
        for ref in fonts.values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None:
                    descriptor = descriptor.get_object()
                    embedded.append(
                        any(k in descriptor for k in ("/FontFile2", "/FontFile3", "/FontFile"))
                    )
        self.assertTrue(embedded)
        self.assertIs(all(embedded), True)

    def test_long_tables_run_over_pages_with_the_header_on_each(self):
        text_pages = [
            p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(report(200)))).pages
        ]
        self.assertGreater(len(text_pages), 4)
        for page in text_pages[:-1]:
            self.assertIn("身份证号", page)
            self.assertIn("10:30—12:00", page)
        self.assertEqual(sum(p.count("买买提·艾力") for p in text_pages), 199)
