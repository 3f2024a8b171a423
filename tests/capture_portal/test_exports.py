"""The shared renderer: files read back as a user's program would read them."""

import io
from unittest import mock

from django.test import SimpleTestCase
from openpyxl import load_workbook
from pypdf import PdfReader

from capture_portal.exports import (
    UNDRAWABLE_HEADING,
    Column,
    Report,
    Section,
    render_pdf,
    render_xlsx,
)
from capture_portal.glyphs import MISSING_MARK, PRIMARY, FontChain
from tests.names import EXTENSION_NAMES, LONG_NAMES, UNDRAWABLE

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


def table(rows, columns=None, **kw):
    columns = columns or [
        Column("学号", 8, text=True, keep=True),
        Column("姓名", 5, keep=True),
        Column("身份证号", 10, text=True, keep=True),
        Column("备注", 30),
    ]
    return Report(title="名单", columns=columns, sections=[Section("会计1171", rows)], **kw)


class PdfNeverCutsTests(SimpleTestCase):
    """学号, 身份证号 and names are shrunk or wrapped, never cut with "…"."""

    def test_long_names_and_ids_in_narrow_columns_print_whole(self):
        rows = [
            ("2018710106100001", name, "43052119961113082X", "备注" * 30)
            for name in (*LONG_NAMES, *EXTENSION_NAMES.values())
        ]
        text = pdf_text(render_pdf(table(rows, landscape=False)))
        words = text.split()
        joined = "".join(words)  # a name wrapped onto two lines reads with a space
        for row in rows:
            self.assertIn(row[1], joined)
        self.assertEqual(words.count("43052119961113082X"), len(rows))
        self.assertEqual(words.count("2018710106100001"), len(rows))

    def test_every_character_of_each_extension_is_drawn_and_extracted(self):
        rows = [
            ("17%08d" % i, name, "43010320010512102X", block)
            for i, (block, name) in enumerate(EXTENSION_NAMES.items())
        ]
        content = render_pdf(table(rows))
        text = pdf_text(content)
        for block, name in EXTENSION_NAMES.items():
            self.assertIn(name, text, block)
        self.assertNotIn(MISSING_MARK, text)
        self.assertNotIn(UNDRAWABLE_HEADING, text)

    def test_the_fallback_fonts_are_embedded_with_a_unicode_map(self):
        rows = [("1", "".join(EXTENSION_NAMES.values()), "", "")]
        reader = PdfReader(io.BytesIO(render_pdf(table(rows))))
        names = set()
        for ref in reader.pages[0]["/Resources"]["/Font"].values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]).split("+")[-1])
            self.assertIn("/ToUnicode", font)
            descriptor = font["/FontDescriptor"].get_object()
            self.assertIn("/FontFile2", descriptor)
        self.assertIn("HanaMinB", names)
        self.assertIn("BabelStoneHan", names)

    def test_a_character_no_font_has_is_marked_and_its_name_listed(self):
        name = "张" + UNDRAWABLE
        text = pdf_text(render_pdf(table([("1710101001", name, "43010320010512102X", "")])))
        self.assertIn("张" + MISSING_MARK, text)
        self.assertIn(UNDRAWABLE_HEADING, text)
        self.assertIn("张%s（U+3FFFD）" % MISSING_MARK, text)

    def test_without_fallback_fonts_the_extension_names_are_listed_as_not_drawn(self):
        chain = FontChain([PRIMARY])
        with mock.patch("capture_portal.exports.font_chain", return_value=chain):
            rows = [("1", name, "", "") for name in EXTENSION_NAMES.values()]
            text = pdf_text(render_pdf(table(rows)))
        self.assertIn(UNDRAWABLE_HEADING, text)
        self.assertIn("李%s（U+4DAE）" % MISSING_MARK, text)
        self.assertIn("赵%s（U+30EDD）" % MISSING_MARK, text)

    def test_a_page_turns_to_landscape_only_when_the_columns_need_it(self):
        narrow = table([("1710101001", "张三", "43010320010512102X", "")])
        wide = table([("1710101001", "张三", "43010320010512102X", "很长的备注" * 20)])
        sizes = []
        for report in (narrow, wide):
            page = PdfReader(io.BytesIO(render_pdf(report))).pages[0]
            sizes.append((round(page.mediabox.width), round(page.mediabox.height)))
        self.assertEqual(sizes, [(595, 842), (842, 595)])

    def test_an_optional_column_empty_in_a_section_is_left_out(self):
        columns = [
            Column("学号", 10, text=True, keep=True),
            Column("姓名", 8, keep=True),
            Column("缴费", 8, optional=True),
        ]
        empty = pdf_text(render_pdf(table([("1710101001", "张三", "")], columns)))
        paid = pdf_text(render_pdf(table([("1710101001", "张三", "已缴")], columns)))
        self.assertNotIn("缴费", empty)
        self.assertIn("缴费", paid)

    def test_excel_keeps_every_character_of_every_name(self):
        names = [*EXTENSION_NAMES.values(), *LONG_NAMES, "张" + UNDRAWABLE]
        rows = [("17%08d" % i, name, "43010320010512102X", "") for i, name in enumerate(names)]
        sheet = load_workbook(io.BytesIO(render_xlsx(table(rows)))).active
        self.assertEqual([r[1] for r in sheet.iter_rows(min_row=3, values_only=True)], names)


class PdfPageBreakTests(SimpleTestCase):
    """A class stays on one page when it can; no page holds a lone row or the totals."""

    def rows_per_page(self, count, **kw):
        rows = [("17101010%02d" % i, "张三", "43010320010512102X", "") for i in range(count)]
        report = table(rows, row_height=22, grid=True, **kw)
        report.sections[0].totals = ("合计", "%d 人" % count, "", "")
        pages = [p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(report))).pages]
        return [
            sum(1 for line in p.splitlines() if line.startswith("17101010")) for p in pages
        ], pages

    def test_a_class_a_little_too_long_for_its_page_is_kept_on_it(self):
        for count in range(28, 36):
            counts, _pages = self.rows_per_page(count)
            if counts == [count]:
                break
        else:
            self.fail("no class of 28–35 rows fits one page")
        counts, _pages = self.rows_per_page(count + 1)
        self.assertEqual(counts, [count + 1])

    def test_no_page_holds_a_single_row_or_only_the_totals(self):
        for count in range(2, 90):
            counts, pages = self.rows_per_page(count)
            with self.subTest(count=count):
                self.assertEqual(sum(counts), count)
                self.assertGreaterEqual(min(counts), 2, counts)
                self.assertIn("合计", pages[-1])


class MoneyColumnTests(SimpleTestCase):
    """Amounts read as people write them: 33,440.00, in Excel and in a PDF."""

    def money_report(self):
        from decimal import Decimal

        return Report(
            title="缴费名单",
            columns=[Column("姓名", 10), Column("金额（元）", 10, align="right", money=True)],
            sections=[
                Section(
                    title="全部",
                    rows=[("王堃", Decimal("20.00")), ("欧阳娜娜", None)],
                    totals=("合计", Decimal("33440")),
                )
            ],
        )

    def test_excel_keeps_numbers_shown_with_separators(self):
        sheet = load_workbook(io.BytesIO(render_xlsx(self.money_report()))).worksheets[0]
        cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value is not None}
        self.assertEqual(cells[33440].number_format, "#,##0.00")
        self.assertEqual(cells[20].number_format, "#,##0.00")
        self.assertEqual(cells[20].data_type, "n")

    def test_a_pdf_writes_separators_and_two_decimals(self):
        text = pdf_text(render_pdf(self.money_report()))
        self.assertIn("33,440.00", text)
        self.assertIn("20.00", text)

    def test_the_formatter(self):
        from capture_portal.formats import yuan

        self.assertEqual(
            [yuan(33440), yuan("1234567.5"), yuan(0), yuan(None), yuan("x")],
            ["33,440.00", "1,234,567.50", "0.00", "", "x"],
        )
