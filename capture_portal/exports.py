"""The one export renderer: a Report of plain rows becomes an XLSX or a PDF.

Exporters in the apps (``<app>/exports.py``) build a Report — columns, then sections of
plain rows, each with an optional totals row — and never touch openpyxl or reportlab.
Rows may be a generator: both renderers stream them, so a 20,000-row list does not sit
in memory twice. 学号 and 身份证号 columns are marked ``text`` and written as text cells
(number format '@'): Excel would otherwise keep only 15 significant digits of an ID.
"""

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from reportlab.pdfbase.pdfmetrics import stringWidth

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"
CONTENT_TYPES = {"xlsx": XLSX_CONTENT_TYPE, "pdf": PDF_CONTENT_TYPE}

# WenQuanYi Micro Hei covers every hanzi of GBK (堃, 頔, 镕 …) and the middle dot of
# minority names; it is embedded (subset) in every PDF, so names print anywhere.
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
FONT_NAME = "PortalCJK"


@dataclass(frozen=True)
class Column:
    title: str
    width: float = 12  # Excel character units; PDF widths are in proportion
    text: bool = False  # keep as a text cell: 学号, 身份证号, phone numbers
    align: str = "left"  # "left", "center" or "right"


@dataclass
class Section:
    """One table: a sheet in Excel (or a block of the single sheet), a run of pages in PDF."""

    title: str
    rows: Iterable[Sequence]
    totals: Sequence | Callable[[], Sequence] | None = None
    notes: Sequence[str] = ()
    signatures: Sequence[str] = ()
    page_header: str = ""

    def totals_row(self) -> Sequence | None:
        return self.totals() if callable(self.totals) else self.totals


@dataclass
class Report:
    title: str
    columns: Sequence[Column]
    sections: Iterable[Section]
    subtitle: str = ""
    landscape: bool = False
    generated_at: object = field(default_factory=timezone.localtime)
    # PDF only: a taller row leaves room to sign; a grid draws every cell as a box.
    row_height: float = 0
    grid: bool = False


def _cell_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else ""
    return value


# Excel ------------------------------------------------------------------------------


_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _sheet_title(title: str, used: set[str]) -> str:
    base = title.translate(_SHEET_FORBIDDEN)[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = "(%d)" % n
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


class _XlsxStyles:
    def __init__(self):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin", color="999999")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.header_font = Font(bold=True, color="FFFFFF")
        self.header_fill = PatternFill("solid", fgColor="1F4E79")
        self.title_font = Font(bold=True, size=14)
        self.totals_font = Font(bold=True)
        self.totals_fill = PatternFill("solid", fgColor="DDEBF7")
        self.center = Alignment(horizontal="center", vertical="center")


def _xlsx_sheet(workbook, title, report, used):
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties
    from openpyxl.worksheet.worksheet import Worksheet

    sheet = workbook.create_sheet(_sheet_title(title, used))
    for i, column in enumerate(report.columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = column.width
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if report.landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    return sheet


def _xlsx_write_header(sheet, report, heading, notes, styles):
    from openpyxl.cell import WriteOnlyCell

    title = WriteOnlyCell(sheet, heading)
    title.font = styles.title_font
    sheet.append([title])
    for line in notes:
        sheet.append([line])
    cells = []
    for column in report.columns:
        cell = WriteOnlyCell(sheet, column.title)
        cell.font, cell.fill = styles.header_font, styles.header_fill
        cell.border, cell.alignment = styles.border, styles.center
        cells.append(cell)
    sheet.append(cells)
    return 2 + len(notes)  # the header's row number


def _xlsx_write_rows(sheet, report, rows, styles, prefix=()):
    """Append rows; text columns become '@' text cells. Return the number written."""
    from openpyxl.cell import WriteOnlyCell

    # At 20,000 rows the per-cell cost is the export's cost. A write-only sheet writes
    # each appended row at once, so one '@' cell per text column is reused for every
    # row instead of building and styling a new one; empty values stay None, which
    # the sheet skips rather than writing an empty string cell.
    text_cells = {}
    for i, column in enumerate(report.columns):
        if column.text:
            cell = WriteOnlyCell(sheet)
            cell.number_format = "@"
            text_cells[i] = cell
    prefix = list(prefix)
    count = 0
    for row in rows:
        values = prefix + [
            ("✓" if v else None) if v.__class__ is bool else (None if v == "" else v) for v in row
        ]
        for i, cell in text_cells.items():
            value = values[i]
            cell.value = None if value is None else str(value)
            values[i] = cell
        sheet.append(values)
        count += 1
    return count


def _xlsx_write_totals(sheet, totals, styles):
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in totals:
        cell = WriteOnlyCell(sheet, _cell_value(value))
        cell.font, cell.fill, cell.border = styles.totals_font, styles.totals_fill, styles.border
        cells.append(cell)
    sheet.append(cells)


def render_xlsx(report: Report, *, one_sheet: bool = False, section_column: str = "") -> bytes:
    """Return the report as an XLSX workbook: a sheet per section, or one sheet.

    With ``one_sheet`` the section title goes into a first column named
    ``section_column`` (e.g. 班级), and each section's totals row follows its rows.
    """
    from openpyxl import Workbook

    styles = _XlsxStyles()
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    if one_sheet:
        report = Report(
            title=report.title,
            columns=[Column(section_column or "分组", 14)] + list(report.columns),
            sections=report.sections,
            subtitle=report.subtitle,
            landscape=report.landscape,
            generated_at=report.generated_at,
        )
        sheet = _xlsx_sheet(workbook, report.title, report, used)
        notes = [report.subtitle] if report.subtitle else []
        header_row = _xlsx_write_header(sheet, report, report.title, notes, styles)
        sheet.print_title_rows = "%d:%d" % (header_row, header_row)
        sheet.freeze_panes = "A%d" % (header_row + 1)
        for section in report.sections:
            _xlsx_write_rows(sheet, report, section.rows, styles, prefix=(section.title,))
            totals = section.totals_row()
            if totals is not None:
                _xlsx_write_totals(sheet, [section.title] + list(totals), styles)
    else:
        wrote_any = False
        for section in report.sections:
            wrote_any = True
            sheet = _xlsx_sheet(workbook, section.title, report, used)
            heading = "%s　%s" % (report.title, section.title)
            notes = list(filter(None, [report.subtitle, *section.notes]))
            header_row = _xlsx_write_header(sheet, report, heading, notes, styles)
            sheet.print_title_rows = "%d:%d" % (header_row, header_row)
            sheet.freeze_panes = "A%d" % (header_row + 1)
            _xlsx_write_rows(sheet, report, section.rows, styles)
            totals = section.totals_row()
            if totals is not None:
                _xlsx_write_totals(sheet, totals, styles)
        if not wrote_any:
            sheet = _xlsx_sheet(workbook, report.title, report, used)
            _xlsx_write_header(sheet, report, report.title, ["（没有数据）"], styles)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# PDF --------------------------------------------------------------------------------


@cache
def cjk_font() -> str:
    """Register the embedded CJK font with reportlab once; return its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=0))
    return FONT_NAME


class _PdfWriter:
    """Lay rows out on A4 pages with a canvas: fast for tens of thousands of rows."""

    margin = 36
    row_height = 17
    font_size = 9.5

    def __init__(self, report: Report):
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.pdfgen.canvas import Canvas

        self.report = report
        self.font = cjk_font()
        self.buffer = io.BytesIO()
        self.width, self.height = landscape(A4) if report.landscape else A4
        self.canvas = Canvas(
            self.buffer,
            pagesize=(self.width, self.height),
            pageCompression=1,
            initialFontName=self.font,
        )
        self.canvas.setTitle(report.title)
        self.canvas.setAuthor("教务处")
        usable = self.width - 2 * self.margin
        total = sum(c.width for c in report.columns) or 1
        self.widths = [usable * c.width / total for c in report.columns]
        self.table_width = sum(self.widths)
        self.column_edges = [self.margin]
        for width in self.widths:
            self.column_edges.append(self.column_edges[-1] + width)
        if report.row_height:
            self.row_height = report.row_height
        self.baseline = (self.row_height - 0.75 * self.font_size) / 2
        self.page = 0
        self.y = 0.0
        self.section: Section | None = None

    # Page furniture.

    def _new_page(self):
        if self.page:
            self.canvas.showPage()
        self.page += 1
        c = self.canvas
        top = self.height - self.margin
        c.setFont(self.font, 13)
        c.drawString(self.margin, top - 4, self.report.title)
        c.setFont(self.font, 9)
        right = self.section.page_header if self.section else ""
        if right:
            c.drawRightString(self.width - self.margin, top - 4, right)
        c.drawCentredString(self.width / 2, self.margin / 2, "第 %d 页" % self.page)
        c.drawRightString(
            self.width - self.margin,
            self.margin / 2,
            "生成于 %s" % self.report.generated_at.strftime("%Y-%m-%d %H:%M"),
        )
        self.y = top - 22

    def _space(self, needed: float) -> None:
        if self.y - needed < self.margin + 10:
            self._new_page()
            self._column_header()

    def _text(self, text: str, x: float, width: float, align: str, size: float):
        if text == "":
            return
        c = self.canvas
        text = str(text)
        # No glyph is wider than 1 em: a short text fits without being measured, which
        # spares tens of thousands of width computations in a long list.
        if len(text) * size > width - 4 and stringWidth(text, self.font, size) > width - 4:
            while text and stringWidth(text + "…", self.font, size) > width - 4:
                text = text[:-1]
            text += "…"
        if align == "right":
            c.drawRightString(x + width - 2, self.y + self.baseline, text)
        elif align == "center":
            c.drawCentredString(x + width / 2, self.y + self.baseline, text)
        else:
            c.drawString(x + 2, self.y + self.baseline, text)

    def _row(self, values, *, bold=False, fill=None):
        c = self.canvas
        self.y -= self.row_height
        if fill:
            c.setFillColorRGB(*fill)
            c.rect(self.margin, self.y, sum(self.widths), self.row_height, stroke=0, fill=1)
            c.setFillColorRGB(0, 0, 0)
        c.setFont(self.font, self.font_size + (0.5 if bold else 0))
        x = self.margin
        for value, width, column in zip(values, self.widths, self.report.columns, strict=False):
            self._text(_cell_value(value), x, width, column.align, self.font_size)
            x += width
        c.setLineWidth(0.4)
        right = self.margin + self.table_width
        if self.report.grid:
            top = self.y + self.row_height
            lines = [(self.margin, self.y, right, self.y), (self.margin, top, right, top)]
            lines += [(x, self.y, x, top) for x in self.column_edges]
            c.lines(lines)
        else:
            c.line(self.margin, self.y, right, self.y)

    def _column_header(self):
        self._row([c.title for c in self.report.columns], bold=True, fill=(0.85, 0.89, 0.95))

    # Sections.

    def section_start(self, section: Section):
        self.section = section
        self._new_page()
        c = self.canvas
        c.setFont(self.font, 12)
        c.drawString(self.margin, self.y, section.title)
        self.y -= 6
        c.setFont(self.font, 9)
        for line in [self.report.subtitle, *section.notes]:
            if line:
                self.y -= 13
                c.drawString(self.margin, self.y, line)
        self.y -= 6
        self._column_header()

    def rows(self, rows):
        for row in rows:
            self._space(self.row_height)
            self._row(row)

    def totals(self, values):
        self._space(self.row_height)
        self._row(values, bold=True, fill=(0.93, 0.95, 0.98))

    def signatures(self, labels):
        if not labels:
            return
        self._space(40 + 28 * len(labels))
        c = self.canvas
        c.setFont(self.font, 10.5)
        self.y -= 20
        for label in labels:
            self.y -= 28
            c.drawString(self.margin, self.y, "%s：" % label)
            c.line(self.margin + 110, self.y - 2, self.margin + 300, self.y - 2)
            c.drawString(self.margin + 320, self.y, "日期：")
            c.line(self.margin + 355, self.y - 2, self.margin + 470, self.y - 2)

    def finish(self) -> bytes:
        if not self.page:
            self.section = None
            self._new_page()
            self.canvas.setFont(self.font, 11)
            self.canvas.drawString(self.margin, self.y, "（没有数据）")
        self.canvas.save()
        return self.buffer.getvalue()


def render_pdf(report: Report) -> bytes:
    """Return the report as an A4 PDF: each section from a new page, with its header
    repeated on every page, page numbers, totals and signature lines."""
    writer = _PdfWriter(report)
    for section in report.sections:
        writer.section_start(section)
        writer.rows(section.rows)
        totals = section.totals_row()
        if totals is not None:
            writer.totals(totals)
        writer.signatures(section.signatures)
    return writer.finish()


def render(report: Report, fmt: str, **xlsx_options) -> bytes:
    if fmt == "xlsx":
        return render_xlsx(report, **xlsx_options)
    if fmt == "pdf":
        return render_pdf(report)
    raise ValueError("unknown export format %r" % fmt)


def export_response(filename: str, content_type: str, content: bytes) -> HttpResponse:
    """Wrap an export in a download response; the file name may be Chinese."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response
