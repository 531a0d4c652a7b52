"""Name sports consistently and decide what counts as a run.

Files state their sport in many ways: FIT enums (``running``/``trail``),
GPX ``<type>`` strings or Strava's numeric codes (``9`` is Run), TCX
``Sport="Running"``, Strava CSV "Activity Type" (``Run``, ``Virtual Run``,
``Trail Run``...). :func:`normalize_sport` maps them onto FIT's vocabulary.
"""

from __future__ import annotations

#: Strava's numeric activity codes as found in GPX ``<type>``.
_STRAVA_CODES = {
    "1": "cycling",
    "2": "alpine_skiing",
    "3": "alpine_skiing",
    "4": "hiking",
    "7": "cross_country_skiing",
    "9": "running",
    "10": "walking",
    "11": "training",
    "16": "swimming",
    "17": "cycling",
    "18": "cycling",
}
_WORDS = {
    "run": "running",
    "running": "running",
    "trail run": "running",
    "trail running": "running",
    "virtual run": "running",
    "treadmill": "running",
    "treadmill running": "running",
    "track running": "running",
    "street running": "running",
    "indoor running": "running",
    "ride": "cycling",
    "biking": "cycling",
    "cycling": "cycling",
    "bike": "cycling",
    "virtual ride": "cycling",
    "e-bike ride": "cycling",
    "mountain bike ride": "cycling",
    "gravel ride": "cycling",
    "walk": "walking",
    "walking": "walking",
    "hike": "hiking",
    "hiking": "hiking",
    "swim": "swimming",
    "swimming": "swimming",
}


def normalize_sport(value: str | None) -> tuple[str | None, str | None]:
    """Map a sport name or code to FIT's ``(sport, sub_sport)`` vocabulary.

    >>> normalize_sport("9")
    ('running', None)
    >>> normalize_sport("Virtual Run")
    ('running', 'virtual_activity')
    >>> normalize_sport("Trail Run")
    ('running', 'trail')
    >>> normalize_sport(None)
    (None, None)
    """
    if value is None:
        return None, None
    text = str(value).strip().lower().replace("_", " ")
    if not text:
        return None, None
    if text in _STRAVA_CODES:
        return _STRAVA_CODES[text], None
    sub = None
    if "virtual" in text:
        sub = "virtual_activity"
    elif "trail" in text:
        sub = "trail"
    elif "treadmill" in text:
        sub = "treadmill"
    elif "track" in text:
        sub = "track"
    sport = _WORDS.get(text)
    if sport is None:
        sport = text.replace(" ", "_")
    return sport, sub


def is_running(sport: str | None, sub_sport: str | None = None) -> bool:
    """True for running of any kind: road, trail, treadmill, track, virtual.

    >>> is_running("running", "treadmill"), is_running("cycling"), is_running("walking")
    (True, False, False)
    """
    if sport is None:
        return False
    if sport == "running":
        return True
    return sport in ("generic", "fitness_equipment") and sub_sport in ("treadmill",)


def is_other_sport(sport: str | None, sub_sport: str | None = None) -> bool:
    """True when a file states a sport that is not running (its sport decides its bucket).

    False for no sport and for ``generic``: those can still become runs (from the
    export's ``activities.csv`` or the pace), so they are read in full.

    >>> is_other_sport("cycling"), is_other_sport("generic"), is_other_sport(None)
    (True, False, False)
    >>> is_other_sport("running", "trail"), is_other_sport("fitness_equipment", "treadmill")
    (False, False)
    """
    return sport is not None and sport != "generic" and not is_running(sport, sub_sport)


def describe_sport(sport: str | None, sub_sport: str | None) -> str:
    """Return a short human label such as ``"running (treadmill)"`` or ``"cycling"``."""
    if sport is None:
        return "unknown sport"
    if sub_sport and sub_sport not in ("generic", "none", "all"):
        return f"{sport} ({sub_sport})"
    return sport


__all__ = ["describe_sport", "is_other_sport", "is_running", "normalize_sport"]
