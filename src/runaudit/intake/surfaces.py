"""What a run was on: ``road``, ``trail``, ``track``, ``treadmill`` or ``unknown`` (pure).

From the FIT session's ``sub_sport`` (street/generic → road, trail, track,
treadmill/indoor/virtual → treadmill), Garmin's ``activityType``
(``trail_running``...), Strava's ``Activity Type`` (``Trail Run``,
``Virtual Run``) and GPX/TCX type text.
"""

from __future__ import annotations

SURFACES: tuple[str, ...] = ("road", "trail", "track", "treadmill", "unknown")

_SUB_SPORTS = {
    "street": "road",
    "road": "road",
    "generic": "road",
    "trail": "trail",
    "track": "track",
    "treadmill": "treadmill",
    "indoor_running": "treadmill",
    "indoor": "treadmill",
    "virtual_activity": "treadmill",
}


def surface_of(sub_sport: object, text: object = None) -> str:
    """The surface from a FIT ``sub_sport`` or a service's type text.

    A specific surface (trail, track, treadmill) named in ``text`` wins over a
    plain ``generic`` sub-sport; ``generic`` alone reads as road.

    >>> surface_of("generic"), surface_of("trail"), surface_of(None, "Virtual Run")
    ('road', 'trail', 'treadmill')
    >>> surface_of("generic", "trail_running"), surface_of(None, "Run"), surface_of(None)
    ('trail', 'road', 'unknown')
    """
    from_text = _from_text(text)
    sub = sub_sport.strip().lower() if isinstance(sub_sport, str) else ""
    from_sub = _SUB_SPORTS.get(sub, "unknown")
    if from_text not in ("road", "unknown") and from_sub in ("road", "unknown"):
        return from_text
    return from_sub if from_sub != "unknown" else from_text


def _from_text(text: object) -> str:
    t = text.strip().lower().replace("_", " ") if isinstance(text, str) else ""
    t = t.removeprefix("hkworkoutactivitytype")  # Apple Health: HKWorkoutActivityTypeRunning
    if not t:
        return "unknown"
    for word, surface in (
        ("trail", "trail"),
        ("treadmill", "treadmill"),
        ("indoor", "treadmill"),
        ("virtual", "treadmill"),
        ("laufband", "treadmill"),
        ("track", "track"),
        ("bahn", "track"),
    ):
        if word in t:
            return surface
    if t in ("run", "running", "street running", "road running", "lauf", "laufen", "9"):
        return "road"
    return "unknown"
