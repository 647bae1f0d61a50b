"""The text cells of an fpdf2 PDF: the shared reader's own decoding (tests/reports/pdftext.py),
without poppler, so that every cell comes out one a line whatever the machine has installed."""

from tests.reports.pdftext import decode_streams as pdf_text

__all__ = ["pdf_text"]
