"""Rule thresholds: one frozen dataclass, overridable from TOML and the CLI.

Every field has a default, a unit and a source (docs/architecture.md says where
rules live). A config file sets any of them in a ``[thresholds]`` table::

    [thresholds]
    acwr_warning = 1.25
    low_cadence_spm = 165
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from runaudit.errors import ConfigError


@dataclass(frozen=True)
class Thresholds:
    """Thresholds of the rules.

    Attributes
    ----------
    chronic_weeks : int
        Weeks averaged for the chronic load (ramp_up, downhill_volume) [weeks].
        Default 4 (Gabbett 2016; uncoupled as recommended by Lolli et al. 2019).
    acwr_warning : float
        Acute:chronic distance ratio above which ramp_up warns [ratio]. Default 1.3
        (Gabbett 2016: 0.8–1.3 "sweet spot").
    acwr_alert : float
        Ratio above which ramp_up alerts [ratio]. Default 1.5 (Gabbett 2016: >1.5 danger).
    comeback_min_km : float
        After a break (chronic load near zero) a week is only judged when it is
        longer than this [km]. Default 25.
    comeback_chronic_km : float
        Chronic load below which the athlete counts as coming back from a break
        [km/week]. Default 5.
    deload_ratio : float
        A deload week is at most this share of the highest of the previous
        ``deload_lookback_weeks`` weeks [fraction]. Default 0.85 (001 seed:
        deload every 4–6 weeks).
    deload_lookback_weeks : int
        Weeks looked back to judge a deload [weeks]. Default 3.
    deload_max_streak : int
        The week that is this many in a row without a deload is flagged [weeks].
        Default 7 (a deload every 4–6 weeks leaves at most 6 loading weeks).
    deload_alert_streak : int
        From the week that is this many in a row without a deload, the episode
        is an alert [weeks]. Default 10 (our choice: one more 3-week block past
        the warning; the 001 seed's 4–6-week rhythm missed twice).
    downhill_ratio : float
        Weekly descent above this multiple of the previous weeks' mean flags
        downhill_volume [ratio]. Default 1.5 (001 seed; Vernillo et al. 2017).
    downhill_min_m : float
        ...and at least this much descent in the week [m]. Default 500.
    downhill_alert_ratio : float
        Weekly descent above this multiple of the previous weeks' mean (or any
        flagged descent after weeks with none) is an alert [ratio]. Default 2.0
        (our choice, by analogy with the long-run rule's "more than double" band,
        Frandsen et al., BJSM 2025).
    low_cadence_spm : float
        Weekly running cadence below this is flagged [steps/min]. Default 160
        (001 seed: 160–180 typical; 004 seed: aim for 165–180).
    target_cadence_low_spm, target_cadence_high_spm : float
        Target range stated in the message [steps/min]. Default 165–180 (004 seed).
    low_cadence_warning_weeks : int
        The this-many-th week in a row below ``low_cadence_spm`` (and later ones)
        makes the episode a warning; before that it is info [weeks]. Default 3
        (our choice: one low week is noise, three are a habit).
    cadence_step_min, cadence_step_max : float
        The first step suggested toward the target: raise the step rate by this
        share [fraction]. Default 0.05–0.10 (Heiderscheit et al. 2011: +5–10 %
        step rate lowered knee and hip load; Lenhart et al. 2014: +10 %, −14 %
        peak patellofemoral force).
    long_run_ratio : float
        A run longer than this multiple of the longest run of the previous
        ``long_run_window_days`` days is a spike, a warning [ratio]. Default 1.1
        (Frandsen et al., BJSM 2025, 5,205 runners: a run 10–30 % longer than the
        30-day longest, hazard rate ratio 1.64; 30–100 % longer, 1.52).
    long_run_alert_ratio : float
        A run longer than this multiple is an alert [ratio]. Default 2.0
        (Frandsen et al. 2025: more than 100 % longer, hazard rate ratio 2.28,
        the highest band).
    long_run_window_days : int
        Look-back for the longest previous run [days]. Default 30 (Frandsen et al. 2025).
    long_run_history_days : int
        Runs in the first this-many days of the data are not judged: the longest
        run before them is not known yet [days]. Default 15 (our choice: half of
        ``long_run_window_days``).
    long_run_min_km : float
        Runs shorter than this are never a spike [km]. Default 5 (our choice).
    new_shoe_share : float
        shoe_change: a shoe never used before carrying more than this share of a
        week's running distance is flagged [fraction]. Default 0.5 (004 seed,
        "Dealing With Runner’s Knee? Feel Better with These PT-Approved Tips and
        Exercises": new running surfaces or shoes may cause issues if you don't
        ease into them).
    surface_share_jump : float
        surface_change: a week's trail share (or outdoor share after treadmill
        weeks) this far above its highest weekly share in the previous ``surface_lookback_weeks``
        weeks is flagged [fraction]. Default 0.4 (our choice; the 004 seed names
        new running surfaces as a trigger to ease into).
    surface_min_share : float
        ...and the week's share is at least this [fraction]. Default 0.5.
    surface_lookback_weeks : int
        Weeks the recent share is taken over [weeks]. Default 4.
    ramp_by_time : int
        Load the ramp_up ratio is computed on: 0 = weekly distance (default, as
        Gabbett 2016), 1 = weekly running time (004 seed names time as a trigger
        beside distance; for hill and trail runners distance understates the load).
    pain_warning : float
        A week whose highest diary score is above this is a knee_pain warning
        [score 0-10]. Default 5 (004 seed: scale back when pain goes above five,
        the "pain buffer zone").
    pain_alert : float
        A week whose highest score is at or above this is an alert [score 0-10].
        Default 7 (our choice; the 004 seed's buffer zone tops out at 5).
    pain_alert_weeks : int
        The this-many-th week in a row above ``pain_warning`` is an alert too
        [weeks]. Default 2 (004 seed: pain that does not settle needs scaling back).
    pain_easy : float
        Once the highest score has stayed at or below this for two weeks, the plan
        offers the harder versions of the exercises [score 0-10]. Default 2.
    pain_gap_weeks : int
        A diary entry more than this many weeks before the first or after the
        last week with a run is named and not counted, so a mistyped year
        (2099 for 2026) never stretches the weekly table or moves the plan's
        week [weeks]. Default 26 (our choice: half a year covers the usual
        months of rest and rehabilitation after runner's knee, during which
        the diary keeps its weeks after the last run).
    trigger_ratio : float
        A load dimension counts as a trigger candidate before a pain week when one
        of that week and the two before is above this multiple of the four weeks
        before them [ratio]. Default 1.3 (the top of Gabbett's 2016 sweet spot,
        applied to each dimension).
    cadence_drop_spm : float
        A drop of the weekly cadence by at least this much against those four
        weeks counts as a trigger candidate [steps/min]. Default 5.
    trigger_shoe_share : float
        A shoe first worn in those three weeks counts as a trigger candidate when
        it carried more than this share of a week's distance [fraction]. Default
        0.5 (004 seed: new shoes "may cause issues if you don't ease into them").
    long_run_cap_ratio : float
        The plan's longest run is at most this multiple of the longest run of
        the previous ``long_run_window_days`` days [ratio]. Default 1.1
        (Frandsen et al., BJSM 2025: the injury risk was already higher for a run
        10–30 % longer than the 30-day longest, hazard rate ratio 1.64).
    comeback_gap_days : int
        When the plan's week starts more than this many days after the last
        run, the plan is a comeback week that assumes no running since [days].
        Default 28 (our choice: four weeks without running leave the chronic
        load of ``chronic_weeks`` = 4 at zero).
    """

    chronic_weeks: int = 4
    acwr_warning: float = 1.3
    acwr_alert: float = 1.5
    comeback_min_km: float = 25.0
    comeback_chronic_km: float = 5.0
    deload_ratio: float = 0.85
    deload_lookback_weeks: int = 3
    deload_max_streak: int = 7
    deload_alert_streak: int = 10
    downhill_ratio: float = 1.5
    downhill_min_m: float = 500.0
    downhill_alert_ratio: float = 2.0
    low_cadence_spm: float = 160.0
    target_cadence_low_spm: float = 165.0
    target_cadence_high_spm: float = 180.0
    low_cadence_warning_weeks: int = 3
    cadence_step_min: float = 0.05
    cadence_step_max: float = 0.10
    long_run_ratio: float = 1.1
    long_run_alert_ratio: float = 2.0
    long_run_window_days: int = 30
    long_run_history_days: int = 15
    long_run_min_km: float = 5.0
    new_shoe_share: float = 0.5
    surface_share_jump: float = 0.4
    surface_min_share: float = 0.5
    surface_lookback_weeks: int = 4
    ramp_by_time: int = 0
    pain_warning: float = 5.0
    pain_alert: float = 7.0
    pain_alert_weeks: int = 2
    pain_easy: float = 2.0
    pain_gap_weeks: int = 26
    trigger_ratio: float = 1.3
    cadence_drop_spm: float = 5.0
    trigger_shoe_share: float = 0.5
    long_run_cap_ratio: float = 1.1
    comeback_gap_days: int = 28

    def __post_init__(self) -> None:
        for f in fields(self):
            _check_value(f.name, getattr(self, f.name), whole=_is_whole_field(f))
        if self.acwr_alert < self.acwr_warning:
            raise ConfigError(
                f"threshold acwr_alert ({self.acwr_alert!r}) must not be below "
                f"acwr_warning ({self.acwr_warning!r})."
            )
        for low, high in (
            ("long_run_ratio", "long_run_alert_ratio"),
            ("downhill_ratio", "downhill_alert_ratio"),
            ("deload_max_streak", "deload_alert_streak"),
            ("cadence_step_min", "cadence_step_max"),
            ("long_run_history_days", "long_run_window_days"),
        ):
            if getattr(self, high) < getattr(self, low):
                raise ConfigError(
                    f"threshold {high} ({getattr(self, high)!r}) must not be below "
                    f"{low} ({getattr(self, low)!r})."
                )
        if self.cadence_step_max > 1:
            raise ConfigError(
                f"threshold cadence_step_max must be at most 1 (a share of the cadence), "
                f"got {self.cadence_step_max!r}."
            )
        if self.deload_ratio > 1:
            raise ConfigError(
                f"threshold deload_ratio must be at most 1 (a share of the recent peak), "
                f"got {self.deload_ratio!r}."
            )
        if self.target_cadence_high_spm < self.target_cadence_low_spm:
            raise ConfigError(
                f"threshold target_cadence_high_spm ({self.target_cadence_high_spm!r}) must not "
                f"be below target_cadence_low_spm ({self.target_cadence_low_spm!r})."
            )
        if self.long_run_cap_ratio <= 0:
            raise ConfigError(
                "threshold long_run_cap_ratio must be above 0 (a multiple of the recent longest"
                f" run), got {self.long_run_cap_ratio!r}."
            )
        if self.ramp_by_time not in (0, 1):
            raise ConfigError("threshold ramp_by_time must be 0 (distance) or 1 (running time).")
        if not self.pain_easy <= self.pain_warning <= self.pain_alert <= 10:
            raise ConfigError(
                "pain thresholds must satisfy pain_easy <= pain_warning <= pain_alert <= 10."
            )

    def replace(self, **changes: Any) -> Thresholds:
        """Return a copy with some thresholds changed (unknown names raise ConfigError)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ConfigError(
                f"unknown threshold(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}."
            )
        typed = {}
        for f in fields(self):
            if f.name in changes:
                value = changes[f.name]
                typed[f.name] = (
                    int(value)
                    if (_is_whole_field(f) or f.name in _SWITCHES)
                    and isinstance(value, float)
                    and value.is_integer()
                    else value
                )
        return dataclasses.replace(self, **typed)


#: Whole-number fields that are 0/1 switches rather than counts (checked in __post_init__).
_SWITCHES = frozenset({"ramp_by_time"})


def _is_whole_field(f: dataclasses.Field[Any]) -> bool:
    """True for the fields that count weeks or days (annotated ``int``, switches aside)."""
    return f.type in ("int", int) and f.name not in _SWITCHES


#: Largest whole-number threshold (weeks or days): a century of weeks, so every
#: window stays a date pandas can hold.
MAX_WHOLE = 5200


def _check_value(name: str, value: Any, *, whole: bool) -> None:
    """Raise ConfigError unless ``value`` suits threshold ``name``.

    Whole-number fields (weeks, days) need an ``int`` from 1 to :data:`MAX_WHOLE`;
    the others a finite number of at least 0.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"threshold {name} must be a number, got {value!r}.")
    if isinstance(value, int) and abs(value) > 2**53:  # beyond float precision, or inf
        shown = str(value) if len(str(value)) <= 30 else f"a number of {len(str(value))} digits"
        raise ConfigError(f"threshold {name} must be a plausible number, got {shown}.")
    if not math.isfinite(value):
        raise ConfigError(f"threshold {name} must be a finite number, got {value!r}.")
    if whole:
        if not isinstance(value, int):
            raise ConfigError(f"threshold {name} must be a whole number, got {value!r}.")
        if value < 1:
            raise ConfigError(f"threshold {name} must be at least 1, got {value!r}.")
        if value > MAX_WHOLE:
            raise ConfigError(f"threshold {name} must be at most {MAX_WHOLE}, got {value!r}.")
    elif value < 0:
        raise ConfigError(f"threshold {name} must be a non-negative number, got {value!r}.")


def changed_thresholds(thresholds: Thresholds) -> dict[str, Any]:
    """The thresholds that differ from the defaults, by name."""
    default = Thresholds()
    return {
        f.name: getattr(thresholds, f.name)
        for f in fields(thresholds)
        if getattr(thresholds, f.name) != getattr(default, f.name)
    }


def thresholds_to_toml(thresholds: Thresholds, *, only_changed: bool = True) -> str:
    """A ``[thresholds]`` TOML table for ``--config`` (only the changed ones by default).

    >>> print(thresholds_to_toml(Thresholds(acwr_warning=1.25)))
    [thresholds]
    acwr_warning = 1.25
    <BLANKLINE>
    """
    values = (
        changed_thresholds(thresholds)
        if only_changed
        else {f.name: getattr(thresholds, f.name) for f in fields(thresholds)}
    )
    lines = ["[thresholds]", *(f"{name} = {value!r}" for name, value in values.items())]
    return "\n".join(lines) + "\n"


#: Largest config file read [bytes]; a [thresholds] table is a few hundred bytes.
MAX_CONFIG_BYTES = 2**20


def _read_toml(path: Path) -> dict[str, Any]:
    """The TOML file ``path`` as a dict; every way it can fail is one ConfigError."""
    import tomllib  # here, not at the top: --version and --help never read TOML

    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the config file ({err.strerror}).") from err
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{path}: the config file is larger than {MAX_CONFIG_BYTES // 2**20} MB;"
            " a [thresholds] table is a few lines."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(
            f"{path}: the config file is not UTF-8 text (byte {err.start + 1})."
        ) from err
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML ({err}).") from err
    except RecursionError as err:
        raise ConfigError(f"{path}: not valid TOML (nested too deeply).") from err


def load_run_types(path: str | Path | None) -> tuple[str, ...]:
    """The ``run_types = ["Hardloop", ...]`` list of a config file (empty without one).

    Activity types of an export's records, in a language runaudit has no names
    for, that are runs (the config-file form of ``--run-type``).

    Raises
    ------
    ConfigError
        When the file cannot be read or ``run_types`` is not a list of strings.
    """
    if path is None:
        return ()
    data = _read_toml(Path(path))
    value = data.get("run_types", [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: run_types must be a list of activity type names.")
    return tuple(v[:60] for v in value)


def load_thresholds(path: str | Path | None = None, **overrides: Any) -> Thresholds:
    """Thresholds from defaults, then a TOML file's ``[thresholds]`` table, then ``overrides``.

    Raises
    ------
    ConfigError
        When the file cannot be read or names an unknown threshold.
    """
    result = Thresholds()
    if path is not None:
        data = _read_toml(Path(path))
        unknown = sorted(set(data) - {"thresholds", "run_types"})
        if unknown:
            raise ConfigError(
                f"{path}: unknown table(s) {', '.join(f'[{u}]' for u in unknown)};"
                " thresholds go in a [thresholds] table."
            )
        table = data.get("thresholds", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [thresholds] must be a table.")
        try:
            result = result.replace(**table)
        except ConfigError as err:
            raise ConfigError(f"{path}: {err}") from err
    clean = {k: v for k, v in overrides.items() if v is not None}
    return result.replace(**clean) if clean else result
