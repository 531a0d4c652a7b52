"""Demo writers: synthetic FIT, GPX and TCX runs for tests, sample data and notebooks.

Kept outside the :mod:`runaudit` package: the library never imports it. Writing
FIT needs Garmin's ``garmin-fit-sdk`` (the ``demo`` extra).
"""
