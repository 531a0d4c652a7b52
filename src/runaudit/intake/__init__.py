"""Intake: parsed files and service records into the runs that count.

``pipeline.ingest`` discovers, reads (through :mod:`runaudit.reading.backends`)
and hands the outcomes to ``classify`` (buckets, duplicates via ``dedupe``,
time zones via ``timezones``); ``merge`` puts the services' records beside the
runs read from files; ``activities`` builds the activities table; ``ledger``
holds what happened to every input file; ``account`` compares the services'
weekly totals with ours; ``surfaces`` names a run's surface.

May import: :mod:`runaudit.reading` and the base modules.
"""
