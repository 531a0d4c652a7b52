"""Name sports consistently and decide what counts as a run.

Files state their sport in many ways: FIT enums (``running``/``trail``),
GPX ``<type>`` strings or Strava's numeric codes (``9`` is Run), TCX
``Sport="Running"``, Strava CSV "Activity Type" (``Run``, ``Virtual Run``,
``Trail Run``...). :func:`normalize_sport` maps them onto FIT's vocabulary.

Some files say where they were run only through who wrote them: a Peloton
Tread writes TCX with ``<Creator><Name>PELOTON</Name>``, Zwift writes FIT
files with ``manufacturer`` ``zwift`` (FIT profile value 260). :func:`indoor_sub_sport`
reads such device and creator names; :func:`sport_from_track_name` reads the
sport word Runkeeper puts first in a GPX track's ``<name>`` (``Running 10/8/14
8:24 pm``, ``Cycling 7/31/13 …``) for files without a ``<type>``.
"""

from __future__ import annotations

import re

#: Apple Health's workout types (``HKWorkoutActivityTypeRunning``) begin with this.
_APPLE_PREFIX = "HKWorkoutActivityType"
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
    >>> normalize_sport("HKWorkoutActivityTypeRunning"), normalize_sport("RUNNING")
    (('running', None), ('running', None))
    """
    if value is None:
        return None, None
    text = str(value).strip()
    if text.startswith(_APPLE_PREFIX):  # Apple Health: HKWorkoutActivityTypeTrailRunning...
        text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text[len(_APPLE_PREFIX) :])
    text = text.lower().replace("_", " ")
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


#: Device or creator names (lower case, whole words) → the sub-sport they imply for a run.
#: ``peloton``: the Peloton Tread's TCX ``<Creator><Name>PELOTON</Name>``; the others are
#: FIT ``manufacturer`` values of indoor machines and virtual-run apps (FIT profile:
#: ``zwift`` 260, ``zwift_byte`` 144, ``technogym`` 111, ``precor`` 266, ``ifit_com`` 128).
_INDOOR_DEVICES: dict[str, str] = {
    "peloton": "treadmill",
    "technogym": "treadmill",
    "precor": "treadmill",
    "ifit_com": "treadmill",
    "ifit": "treadmill",
    "zwift": "virtual_activity",
    "zwift_byte": "virtual_activity",
}


def indoor_sub_sport(device: str | None) -> str | None:
    """The sub-sport a device or creator name implies (``"treadmill"``, ``"virtual_activity"``).

    >>> indoor_sub_sport("PELOTON"), indoor_sub_sport("zwift 3288")
    ('treadmill', 'virtual_activity')
    >>> indoor_sub_sport("garmin fenix6"), indoor_sub_sport(None)
    (None, None)
    """
    if not device:
        return None
    for word in re.split(r"[^a-z0-9_]+", device.lower()):
        if word in _INDOOR_DEVICES:
            return _INDOOR_DEVICES[word]
    return None


def refine_sub_sport(sport: str | None, sub_sport: str | None, device: str | None) -> str | None:
    """``sub_sport``, or the indoor sub-sport the device names where the file says no more.

    A run whose file states only ``generic``/nothing, written by a Peloton or
    Zwift, was run indoors; a specific sub-sport the file states is kept.

    >>> refine_sub_sport("running", None, "PELOTON")
    'treadmill'
    >>> refine_sub_sport("running", "trail", "PELOTON"), refine_sub_sport("cycling", None, "zwift")
    ('trail', None)
    """
    if sport != "running" or sub_sport not in (None, "", "generic", "street"):
        return sub_sport
    return indoor_sub_sport(device) or sub_sport


def sport_from_track_name(name: str | None) -> tuple[str | None, str | None]:
    """The sport named by the first word of a GPX track name, ``(None, None)`` if none.

    >>> sport_from_track_name("Cycling 7/31/13 7:52 am")
    ('cycling', None)
    >>> sport_from_track_name("Running 10/8/14 8:24 pm"), sport_from_track_name("Morning Run")
    (('running', None), (None, None))
    """
    if not name:
        return None, None
    words = name.strip().split(maxsplit=1)
    if not words:
        return None, None
    word = words[0].lower()
    if word not in _WORDS:
        return None, None
    return normalize_sport(word)


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


__all__ = [
    "describe_sport",
    "indoor_sub_sport",
    "is_other_sport",
    "is_running",
    "normalize_sport",
    "refine_sub_sport",
    "sport_from_track_name",
]
