"""The report: figures (:mod:`runaudit.report.plots`) and the writers that save them."""
