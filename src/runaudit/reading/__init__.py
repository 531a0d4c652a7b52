"""Reading: the export's bytes into parsed activities and the services' records.

``sources`` finds the inputs (files, folders, zips) and reads them under
limits; ``parsers`` turn one file's bytes into :class:`~runaudit.reading.models.ParsedFile`;
``metrics`` compute per-activity numbers from samples; ``summary`` condenses a
parsed activity into the cached :class:`~runaudit.reading.summary.ActivitySummary`;
``records`` read what the services wrote themselves (Strava CSV, Garmin JSON);
``backends`` run the parse in-process, in a process pool or on Dask; ``cache``
keeps parsed files by content hash.

May import: the base modules (``runaudit.errors``, ``runaudit.thresholds``,
``runaudit.units``, ``runaudit.words``) and itself. Nothing here knows about
weeks, rules or reports.
"""
