"""What fitting the paper list's columns costs after a load, beside the load itself.

    QT_QPA_PLATFORM=offscreen python -m bench.columns LIBRARY.db

The baseline in the same run is the first version of the fit, which asked the
model's data() for every (row, column) of the first page; the ratios compare it
with the fit the app runs (desktop.columns), which reads the cached rows' fields.
Then 60 scrolls down All papers: the reveal a settled scroll runs, beside a whole
fit at the same place, and the queries the reveal asked (none expected).
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(path: str) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QApplication, QTableView

    app = QApplication.instance() or QApplication([])
    from desktop.columns import ColumnFitter
    from desktop.model import COL_BYLINE, COL_DATE, COL_TAGS, COL_UPVOTES, PaperTableModel
    from storage import Library

    def fit_by_data_calls(table: QTableView, model: PaperTableModel) -> int:
        metrics = QFontMetrics(table.font())
        widest = 0
        for column in (COL_TAGS, COL_DATE, COL_UPVOTES, COL_BYLINE):
            for row in range(min(model.rowCount(), model.PAGE)):
                text = model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)
                if text:
                    widest = max(widest, metrics.horizontalAdvance(text))
        return widest

    library = Library(path)
    model = PaperTableModel(library)
    table = QTableView()
    table.setModel(model)
    table.resize(660, 700)
    table.show()
    fitter = ColumnFitter(table)
    loads, baseline, fits = [], [], []
    for query in ["", "is:unread", "model", "sort:date", "learning"] * 4:
        t0 = time.perf_counter()
        model.set_query(query)
        t1 = time.perf_counter()
        model.data(model.index(0, 2))  # the first page, which the first paint fetches anyway
        t2 = time.perf_counter()
        fit_by_data_calls(table, model)
        t3 = time.perf_counter()
        fitter.fit(model)
        t4 = time.perf_counter()
        loads.append(t1 - t0)
        baseline.append(t3 - t2)
        fits.append(t4 - t3)
    ms = lambda values: statistics.median(values) * 1000  # noqa: E731
    print(f"papers {library.stats()['total']:,}; medians of {len(loads)} loads; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"query load {ms(loads):.1f} ms | baseline fit (data() calls) {ms(baseline):.2f} ms | "
          f"fit {ms(fits):.2f} ms | fit/baseline {ms(fits) / ms(baseline):.3f} | "
          f"fit/load {ms(fits) / ms(loads):.3f}")
    # What a settled scroll costs (ColumnFitter.reveal, from the rows painted), beside
    # a whole fit at the same place in the same run; and that it asks no query.
    model.set_query("")
    fitter.fit(model)
    bar = table.verticalScrollBar()
    reveals, refits, queries = [], [], 0
    for step in range(1, 61):
        bar.setValue(min(bar.maximum(), step * 37 * table.verticalHeader().defaultSectionSize()))
        table.viewport().repaint()  # the paint that fetches the rows on screen
        app.processEvents()
        before = model.rows_calls
        t0 = time.perf_counter()
        fitter.reveal()
        t1 = time.perf_counter()
        queries += model.rows_calls - before
        fitter.fit(model)
        t2 = time.perf_counter()
        reveals.append(t1 - t0)
        refits.append(t2 - t1)
    print(f"scroll: reveal {ms(reveals):.3f} ms (max {max(reveals) * 1000:.2f}) | whole fit "
          f"at the same place {ms(refits):.3f} ms | reveal/fit {ms(reveals) / ms(refits):.3f} | "
          f"queries by reveal {queries} in {len(reveals)} | load average "
          f"{os.getloadavg()[0]:.2f}")
    library.close()
    del app


if __name__ == "__main__":
    main(sys.argv[1])
