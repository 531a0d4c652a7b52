"""Advice: what the runner does next, from the findings.

``exercises`` loads the exercise catalog (``exercises/catalog.toml``,
paraphrased from the source articles); ``plan`` builds the coming week.

May import: :mod:`runaudit.rules`, :mod:`runaudit.training`, the layers below and
the base modules.
"""
