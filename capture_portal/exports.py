"""The one export renderer: a Report of plain rows becomes an XLSX or a PDF.

Exporters in the apps (``<app>/exports.py``) build a Report — columns, then sections of
plain rows, each with an optional totals row — and never touch openpyxl or reportlab.
Rows may be a generator: the XLSX renderer streams them; the PDF renderer holds one
section at a time, since it lays a section out whole (columns, widths, page breaks).
学号 and 身份证号 columns are marked ``text`` and written as text cells (number format
'@'): Excel would otherwise keep only 15 significant digits of an ID. They and names
are also marked ``keep``: a PDF shrinks or wraps them, never cuts them. Every character
is drawn in the first embedded font that has it (capture_portal.glyphs).
"""

import io
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from reportlab.lib.pagesizes import A4 as _A4
from reportlab.lib.pagesizes import landscape

from capture_portal.formats import yuan
from capture_portal.glyphs import draw_string, font_chain, missing_note, wrap

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"
CONTENT_TYPES = {"xlsx": XLSX_CONTENT_TYPE, "pdf": PDF_CONTENT_TYPE}


@dataclass(frozen=True)
class Column:
    title: str
    width: float = 12  # Excel character units; PDF widths are in proportion
    text: bool = False  # keep as a text cell: 学号, 身份证号, phone numbers
    align: str = "left"  # "left", "center" or "right"
    # Never cut in a PDF: 学号, 身份证号 and names are shrunk or wrapped to show whole.
    keep: bool = False
    # Left out of a PDF section in which no row has a value (e.g. 缴费 before any payment).
    optional: bool = False
    # An amount in 元: a number cell shown 33,440.00 in Excel, written so in a PDF.
    money: bool = False


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
    # None: each PDF section turns to landscape when its columns need the width.
    landscape: bool | None = None
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


MONEY_FORMAT = "#,##0.00"

# Text that Excel or WPS would read as a formula (OWASP, CSV injection): a name, a title
# or an uploaded cell written back, "=cmd|' /C calc'!A0" included.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_CHARACTERS = frozenset(FORMULA_TRIGGERS)


def formula_like(value) -> bool:
    """Return whether ``value`` is text a spreadsheet would evaluate if typed in."""
    return value.__class__ is str and value[:1] in FORMULA_TRIGGERS


def as_plain_text(cell):
    """Make ``cell`` hold its value as a string, never a formula, and keep it so when
    someone edits it in Excel (the quote prefix, shown by no one). Return the cell."""
    if cell.data_type == "f":
        cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _safe(sheet, value):
    """Return ``value`` for ``sheet.append``: formula-like text as a plain text cell."""
    if formula_like(value):
        from openpyxl.cell import WriteOnlyCell

        return as_plain_text(WriteOnlyCell(sheet, value))
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
    wide = report.landscape or (
        report.landscape is None and sum(c.width for c in report.columns) > 100
    )
    sheet.page_setup.orientation = "landscape" if wide else "portrait"
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
    if formula_like(heading):
        as_plain_text(title)
    sheet.append([title])
    for line in notes:
        sheet.append([_safe(sheet, line)])
    cells = []
    for column in report.columns:
        cell = WriteOnlyCell(sheet, column.title)
        if formula_like(column.title):
            as_plain_text(cell)
        cell.font, cell.fill = styles.header_font, styles.header_fill
        cell.border, cell.alignment = styles.border, styles.center
        cells.append(cell)
    sheet.append(cells)
    return 2 + len(notes)  # the header's row number


def _xlsx_write_rows(sheet, report, rows, styles, prefix=()):
    """Append rows; text columns become '@' text cells. Return the number written."""
    from openpyxl.cell import WriteOnlyCell

    # At 20,000 rows the per-cell cost is the export's cost. A write-only sheet writes
    # each appended row at once, so one '@' cell per text column (and one formatted
    # cell per money column) is reused for every row instead of building and styling
    # a new one; empty values become None, which the sheet skips rather than writing
    # an empty string cell. What each column needs is decided once, not per cell.
    text_cells, money_cells, plain = [], [], []
    for i, column in enumerate(report.columns):
        if column.text:
            cell = WriteOnlyCell(sheet)
            cell.number_format = "@"
            cell.quotePrefix = True
            text_cells.append((i, cell))
        elif column.money:
            cell = WriteOnlyCell(sheet)
            cell.number_format = MONEY_FORMAT
            money_cells.append((i, cell))
        else:
            plain.append(i)
    prefix = list(prefix)
    triggers = _TRIGGER_CHARACTERS
    count = 0
    for row in rows:
        values = prefix + list(row) if prefix else list(row)
        for i in plain:
            value = values[i]
            kind = value.__class__
            if kind is str:
                if not value:
                    values[i] = None
                elif value[0] in triggers:
                    values[i] = as_plain_text(WriteOnlyCell(sheet, value))
            elif kind is bool:
                values[i] = "✓" if value else None
        for i, cell in text_cells:
            # Always the styled cell, empty or not: an empty ID cell keeps its '@'.
            value = _cell_value(values[i])
            if value == "":
                cell.value = None
            else:
                cell.value = str(value)
                cell.data_type = "s"  # "=…" would have made it a formula
            values[i] = cell
        for i, cell in money_cells:
            value = _cell_value(values[i])
            if value == "":
                values[i] = None
            elif value.__class__ is str and value[0] in triggers:
                values[i] = as_plain_text(WriteOnlyCell(sheet, value))
            else:
                cell.value = value
                values[i] = cell
        sheet.append(values)
        count += 1
    return count


def _xlsx_write_totals(sheet, totals, styles, columns):
    from openpyxl.cell import WriteOnlyCell

    money = {i for i, column in enumerate(columns) if column.money}
    cells = []
    for i, value in enumerate(totals):
        cell = WriteOnlyCell(sheet, _cell_value(value))
        if formula_like(cell.value):
            as_plain_text(cell)
        cell.font, cell.fill, cell.border = styles.totals_font, styles.totals_fill, styles.border
        if i in money and _is_number(value):
            cell.number_format = MONEY_FORMAT
        cells.append(cell)
    sheet.append(cells)


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


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
                _xlsx_write_totals(sheet, [section.title] + list(totals), styles, report.columns)
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
                _xlsx_write_totals(sheet, totals, styles, report.columns)
        if not wrote_any:
            sheet = _xlsx_sheet(workbook, report.title, report, used)
            _xlsx_write_header(sheet, report, report.title, ["（没有数据）"], styles)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# PDF --------------------------------------------------------------------------------


def _pdf_texts(values: Sequence, columns: Sequence[Column]) -> tuple[str, ...]:
    """Return a row's cells as the text a PDF prints: amounts as 33,440.00."""
    money = {i for i, column in enumerate(columns) if column.money}
    return tuple(
        "" if v is None else yuan(v) if i in money and _is_number(v) else str(_cell_value(v))
        for i, v in enumerate(values)
    )


def cjk_font() -> str:
    """Register the embedded fonts with reportlab once; return the primary one's name."""
    return font_chain().primary


@dataclass
class _Cell:
    lines: Sequence[str]
    size: float


@dataclass
class _Row:
    cells: Sequence[_Cell]
    height: float
    bold: bool = False
    fill: tuple | None = None


@dataclass
class _Layout:
    """One section laid out: the columns kept, their widths, the page size."""

    columns: Sequence[Column]
    indexes: Sequence[int]  # of the kept columns in the report's rows
    widths: Sequence[float]
    pagesize: tuple[float, float]
    size: float  # of the table's text
    # Of each column's values: one size for the whole column, shrunk (down to a floor)
    # so that its widest value fits on one line.
    sizes: Sequence[float]


class _PdfWriter:
    """Lay sections out on A4 pages with a canvas: fast for tens of thousands of rows.

    A section is laid out whole before it is drawn: which columns it needs, how wide
    each must be and whether the page turns to landscape for them, how tall each row
    grows to keep every ID and name whole, and where its pages break so that a class
    stays on one page when it can and no page holds a lone row or a lone totals row.
    """

    margin = 36
    font_size = 9.5
    # A table too wide for the page is set smaller, down to this size.
    min_table_size = 8
    # A cell is shrunk down to this size to stay on one line, then wrapped.
    min_font_size = 7
    row_height = 17
    padding = 2.5  # on either side of a cell's text
    # Other text wraps to this many lines at most, then is cut with "…".
    max_lines = 2
    # A class that overflows its page by a little fits on it with rows this much lower.
    squeeze = 0.82

    def __init__(self, report: Report):
        from reportlab.pdfgen.canvas import Canvas

        self.report = report
        self.chain = font_chain()
        self.font = self.chain.primary
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pageCompression=1, initialFontName=self.font)
        self.canvas.setTitle(report.title)
        self.canvas.setAuthor("教务处")
        if report.row_height:
            self.row_height = report.row_height
        self.page = 0
        self.y = 0.0
        self.section: Section | None = None
        self.layout: _Layout | None = None
        self.width, self.height = _A4
        self.undrawable: dict[str, None] = {}
        self.table_top: float | None = None  # of the table drawn on this page

    # Text.

    def _measure(self, text: str, size: float) -> float:
        return self.chain.width(text, size)

    def _cell(self, text: str, width: float, size: float, keep: bool) -> _Cell:
        """Return the lines of one cell: whole on one line if it fits, if need be at a
        smaller size; else an ID or a name wrapped, never cut, and other text wrapped
        and cut after max_lines."""
        if text == "":
            return _Cell((), size)
        room = width - 2 * self.padding
        # No glyph is wider than 1 em: a short text fits without being measured, which
        # spares tens of thousands of width computations in a long list.
        if len(text) * size <= room:
            return _Cell((text,), size)
        measured = self._measure(text, size)
        if measured <= room:
            return _Cell((text,), size)
        shrunk = math.floor(size * room / measured * 4) / 4
        if shrunk >= self.min_font_size:
            return _Cell((text,), shrunk)
        if keep:
            return _Cell(wrap(text, room, self.min_font_size, self.chain), self.min_font_size)
        lines = wrap(text, room, size, self.chain)
        if len(lines) > self.max_lines:
            lines = lines[: self.max_lines]
            last = lines[-1]
            while last and self._measure(last + "…", size) > room:
                last = last[:-1]
            lines[-1] = last + "…"
        return _Cell(lines, size)

    def _draw_text(self, x: float, y: float, text: str, size: float, align: str = "left"):
        if self.chain.missing(text):
            self.undrawable[text] = None
        draw_string(self.canvas, x, y, text, size, align=align, chain=self.chain)

    def _draw_texts(self, texts):
        """Draw (x, baseline, text, size, align) items in one PDF text object: a long
        list then has a third of the operators, and readers extract it faster."""
        chain = self.chain
        pdf_text = None
        current = origin = None
        for x, y, text, size, align in texts:
            if chain.missing(text):
                self.undrawable[text] = None
            runs = chain.runs(text)
            if align != "left":
                width = chain.width(text, size)
                x -= width if align == "right" else width / 2
            if origin is None:
                pdf_text = self.canvas.beginText(x, y)
            else:
                # Relative to the previous text's start (dy counts downwards).
                pdf_text.moveCursor(x - origin[0], origin[1] - y)
            origin = (x, y)
            for name, part in runs:
                if (name, size) != current:
                    pdf_text.setFont(name, size)
                    current = (name, size)
                pdf_text.textOut(part)
        if pdf_text is not None:
            self.canvas.drawText(pdf_text)

    def _paragraph(self, text: str, size: float, *, leading: float | None = None):
        """Draw a line of text below self.y, wrapped to the page's width."""
        leading = leading or size * 1.4
        for line in wrap(text, self.width - 2 * self.margin, size, self.chain):
            self.y -= leading
            self._draw_text(self.margin, self.y, line, size)

    # Layout of a section.

    def _layout(self, rows: list[tuple], totals: tuple | None) -> _Layout:
        """Choose the columns (an optional one only when a row has a value), the page's
        orientation, the text size and the column widths."""
        columns = self.report.columns
        indexes = [
            i
            for i, column in enumerate(columns)
            if not column.optional or any(row[i] != "" for row in rows)
        ]
        kept = [columns[i] for i in indexes]
        pad = 2 * self.padding + 1
        # Text widths at the base size; a smaller size scales them in proportion.
        text = [self._natural_width(columns[i], i, rows, totals) for i in indexes]
        orientations = {True: [landscape(_A4)], False: [_A4], None: [_A4, landscape(_A4)]}
        choices = orientations[self.report.landscape]
        pagesize = next(
            (p for p in choices if sum(text) + pad * len(text) <= p[0] - 2 * self.margin),
            choices[-1],
        )
        usable = pagesize[0] - 2 * self.margin
        # Too wide still: a smaller size for the whole table, down to a legible floor.
        size = self.font_size
        if sum(text) + pad * len(text) > usable:
            size = max(self.min_table_size, (usable - pad * len(text)) / sum(text) * size)
            size = math.floor(size * 4) / 4
        natural = [t * size / self.font_size + pad for t in text]
        widths = self._widths(kept, natural, [c.width for c in kept], usable, size)
        sizes = [
            size
            if n <= w
            else max(self.min_font_size, math.floor(size * (w - pad) / (n - pad) * 4) / 4)
            for n, w in zip(natural, widths, strict=True)
        ]
        return _Layout(kept, indexes, widths, pagesize, size, sizes)

    def _natural_width(self, column: Column, index: int, rows, totals) -> float:
        """Return the width of the column's widest text (its title or a value)."""
        texts = {row[index] for row in rows}
        if totals is not None:
            texts.add(totals[index])
        size = self.font_size
        widest = self._measure(column.title, size + 0.5)
        for text in sorted(texts, key=len, reverse=True):
            if len(text) * size <= widest:
                break  # no shorter text can be wider (1 em a glyph at most)
            widest = max(widest, self._measure(text, size))
        return widest

    def _widths(self, columns, natural, weights, usable, size) -> list[float]:
        """Return column widths filling ``usable``.

        When every column fits, the widths follow the exporter's proportions, none
        narrower than its widest text. Otherwise each column gets at least a floor and
        at most its widest text, by weight: an ID column its whole width (an ID is not
        wrapped), a name column ten small characters' (longer names wrap after a ·),
        other columns three characters' or their title's (their text shrinks or
        wraps). Only when even the floors do not fit do the columns go by weight,
        IDs first.
        """
        if sum(natural) <= usable:
            return _share(usable, weights, floors=natural)
        floors = []
        for column, width in zip(columns, natural, strict=True):
            if column.keep and column.text:
                floors.append(width)
            elif column.keep:
                # Ten characters at the smallest size: most names stay on one line.
                floors.append(min(width, 10 * self.min_font_size + 2 * self.padding + 1))
            else:
                title = self._measure(column.title, size) + 2 * self.padding + 1
                floors.append(min(width, max(3 * size, title)))
        if sum(floors) <= usable:
            return _share(usable, weights, floors=floors, ceilings=natural)
        ids = [n if c.keep and c.text else 0.0 for c, n in zip(columns, natural, strict=True)]
        if sum(ids) <= usable:
            return _share(usable, weights, floors=ids)
        return _share(usable, weights)

    def _lay_row(self, values, *, bold=False, fill=None, keep=True) -> _Row:
        layout = self.layout
        bolder = 0.5 if bold else 0
        cells = [
            self._cell(
                values[i], width, (size if keep else layout.size) + bolder, keep and column.keep
            )
            for i, width, column, size in zip(
                layout.indexes, layout.widths, layout.columns, layout.sizes, strict=True
            )
        ]
        height = max(
            [self.row_height] + [len(c.lines) * c.size * 1.2 + 5 for c in cells if c.lines]
        )
        return _Row(cells, height, bold, fill)

    # Page furniture.

    def _new_page(self):
        self._close_table()
        if self.page:
            self.canvas.showPage()
        self.page += 1
        c = self.canvas
        self.width, self.height = self.layout.pagesize if self.layout else _A4
        c.setPageSize((self.width, self.height))
        top = self.height - self.margin
        right = self.section.page_header if self.section else ""
        self._draw_text(self.margin, top - 4, self.report.title, 13)
        if right:
            self._draw_text(self.width - self.margin, top - 4, right, 9, "right")
        self._draw_text(self.width / 2, self.margin / 2, "第 %d 页" % self.page, 9, "center")
        self._draw_text(
            self.width - self.margin,
            self.margin / 2,
            "生成于 %s" % self.report.generated_at.strftime("%Y-%m-%d %H:%M"),
            9,
            "right",
        )
        self.y = top - 22

    @property
    def _bottom(self) -> float:
        return self.margin + 10

    def _draw_row(self, row: _Row):
        c = self.canvas
        layout = self.layout
        top = self.y
        self.y -= row.height
        left = self.margin
        right = left + sum(layout.widths)
        if row.fill:
            c.setFillColorRGB(*row.fill)
            c.rect(left, self.y, right - left, row.height, stroke=0, fill=1)
            c.setFillColorRGB(0, 0, 0)
        x = left
        texts = []
        for cell, width, column in zip(row.cells, layout.widths, layout.columns, strict=True):
            leading = cell.size * 1.2
            block_top = top - (row.height - leading * len(cell.lines)) / 2
            if column.align == "right":
                anchor = x + width - self.padding
            elif column.align == "center":
                anchor = x + width / 2
            else:
                anchor = x + self.padding
            for n, line in enumerate(cell.lines):
                baseline = block_top - leading * n - leading / 2 - 0.35 * cell.size
                texts.append((anchor, baseline, line, cell.size, column.align))
            x += width
        self._draw_texts(texts)
        c.setLineWidth(0.4)
        if self.table_top is None:
            self.table_top = top
            c.line(left, top, right, top)
        c.line(left, self.y, right, self.y)

    def _close_table(self):
        """Draw the grid's column lines once for the rows on this page: one line per
        column, not per cell, keeps a long list light to print and to read."""
        if self.table_top is None:
            return
        if self.report.grid:
            edges = [self.margin]
            for width in self.layout.widths:
                edges.append(edges[-1] + width)
            self.canvas.setLineWidth(0.4)
            self.canvas.lines([(e, self.y, e, self.table_top) for e in edges])
        self.table_top = None

    # Sections.

    def section_draw(self, section: Section):
        self.section = section
        columns = self.report.columns
        rows = [_pdf_texts(row, columns) for row in section.rows]
        totals = section.totals_row()
        if totals is not None:
            totals = _pdf_texts(totals, columns)
        self.layout = self._layout(rows, totals)
        header = self._lay_row(
            [c.title for c in self.report.columns], bold=True, fill=(0.85, 0.89, 0.95), keep=False
        )
        laid = [self._lay_row(row) for row in rows]
        tail = []
        if totals is not None:
            tail.append(self._lay_row(totals, bold=True, fill=(0.93, 0.95, 0.98), keep=False))
        signatures = 20 + 28 * len(section.signatures) if section.signatures else 0

        self._new_page()
        self._section_heading(section)
        first_room = self.y - header.height - self._bottom
        later_room = self.height - self.margin - 22 - header.height - self._bottom
        tail_height = sum(r.height for r in tail) + signatures
        self._squeeze_to_one_page(laid, first_room - tail_height)
        pages = _paginate([r.height for r in laid], tail_height, first_room, later_room, keep=2)
        for number, (start, end) in enumerate(pages):
            if number:
                self._new_page()
            self._draw_row(header)
            for row in laid[start:end]:
                self._draw_row(row)
        for row in tail:
            self._draw_row(row)
        self._close_table()
        self._signatures(section.signatures)

    def _section_heading(self, section: Section):
        self.y += 13 * 1.4 - 13  # the first line sits where the old single line did
        self._paragraph(section.title, 12, leading=13 * 1.4)
        self.y -= 6
        for line in [self.report.subtitle, *section.notes]:
            if line:
                self._paragraph(line, 9, leading=13)
        self.y -= 6

    def _squeeze_to_one_page(self, rows: list[_Row], room: float):
        """Lower the rows of a section that overflows its one page by a little, so the
        whole class stays on one sheet."""
        needed = sum(r.height for r in rows)
        if needed <= room or needed * self.squeeze > room:
            return
        factor = room / needed * 0.999  # rounding must not push the last row over
        squeezed = [
            max(
                [row.height * factor]
                + [len(c.lines) * c.size * 1.2 + 3 for c in row.cells if c.lines]
            )
            for row in rows
        ]
        if sum(squeezed) <= room:
            for row, height in zip(rows, squeezed, strict=True):
                row.height = height

    def _signatures(self, labels):
        if not labels:
            return
        self.y -= 20
        for label in labels:
            self.y -= 28
            self._draw_text(self.margin, self.y, "%s：" % label, 10.5)
            self.canvas.line(self.margin + 110, self.y - 2, self.margin + 300, self.y - 2)
            self._draw_text(self.margin + 320, self.y, "日期：", 10.5)
            self.canvas.line(self.margin + 355, self.y - 2, self.margin + 470, self.y - 2)

    def finish(self) -> bytes:
        if not self.page:
            self.section = None
            self._new_page()
            self._draw_text(self.margin, self.y, "（没有数据）", 11)
        if self.undrawable:
            self._undrawable_note()
        self.canvas.save()
        return self.buffer.getvalue()

    def _undrawable_note(self):
        """Say which texts hold characters no embedded font has (drawn as 〓)."""
        note = missing_note(self.undrawable, self.chain)
        lines = wrap(note, self.width - 2 * self.margin, 9.5, self.chain)
        if self.y - 40 - 14 * len(lines) < self._bottom:
            self.section = None
            self._new_page()
        self.y -= 16
        self.canvas.setFillColorRGB(0.75, 0, 0)
        self._paragraph(UNDRAWABLE_HEADING, 11, leading=16)
        self.canvas.setFillColorRGB(0, 0, 0)
        for line in lines:
            self.y -= 14
            draw_string(self.canvas, self.margin, self.y, line, 9.5, chain=self.chain)


UNDRAWABLE_HEADING = "注意：以下文字中有字体无法显示的字，文件中以〓代替，请按原文核对："


def _share(total: float, weights, floors=None, ceilings=None) -> list[float]:
    """Return ``total`` split in proportion to ``weights``, none below its floor nor,
    while another column can take the rest, above its ceiling."""
    count = len(weights)
    floors = floors or [0.0] * count
    ceilings = ceilings or [math.inf] * count
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(count) if i not in fixed]
        rest = total - sum(fixed.values())
        weight = sum(weights[i] for i in free) or 1
        share = {i: rest * weights[i] / weight for i in free}
        under = {i: floors[i] for i in free if share[i] < floors[i]}
        over = {i: ceilings[i] for i in free if share[i] > ceilings[i]}
        if under:
            fixed.update(under)
        elif over and len(over) < len(free):
            fixed.update(over)
        else:
            break
    return [fixed[i] if i in fixed else share[i] for i in range(count)]


def _paginate(heights, tail, first_room, later_room, *, keep=2) -> list[tuple[int, int]]:
    """Return (start, end) rows of each page.

    The totals and signatures (``tail``) stay with the last row; the last page holds at
    least ``keep`` rows, so no page carries a lone row or only the totals.
    """
    count = len(heights)
    if count == 0:
        return [(0, 0)]
    pages = []
    start, room = 0, first_room
    while start < count:
        used, end = 0.0, start
        while end < count:
            need = heights[end] + (tail if end == count - 1 else 0)
            if used + need > room:
                break
            used += heights[end]
            end += 1
        if end == start:
            end = start + 1  # a row taller than a page still gets one
        pages.append((start, end))
        start, room = end, later_room
    if len(pages) > 1:
        last_start, last_end = pages[-1]
        prev_start, prev_end = pages[-2]
        short = keep - (last_end - last_start)
        if short > 0 and prev_end - prev_start > keep + short - 1:
            moved = sum(heights[prev_end - short : prev_end])
            if sum(heights[last_start:last_end]) + tail + moved <= later_room:
                pages[-2] = (prev_start, prev_end - short)
                pages[-1] = (last_start - short, last_end)
    return pages


def render_pdf(report: Report) -> bytes:
    """Return the report as an A4 PDF: each section from a new page, with its header
    repeated on every page, page numbers, totals and signature lines; and, when some
    character could not be drawn, a note saying in which texts."""
    writer = _PdfWriter(report)
    for section in report.sections:
        writer.section_draw(section)
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
