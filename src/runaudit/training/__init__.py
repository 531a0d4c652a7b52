"""The training model: weeks, load, shoes, pain and what came before it.

``weekly`` builds the weekly table from the activities table; ``load`` holds
the acute:chronic ratio and deload weeks; ``shoes`` the shoe table and new-shoe
weeks; ``pain`` the knee-pain diary; ``triggers`` what rose before a pain week.
All pure functions over DataFrames, except ``pain.read_diary`` (reads the file).

May import: :mod:`runaudit.intake`, :mod:`runaudit.reading` and the base modules.
"""
