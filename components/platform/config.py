"""A tracking reader over one structured stack-config value.

Every settings section is read through a :class:`Section`. It converts and validates
each key it is asked for, and remembers which keys were read so that
:meth:`Section.finish` can reject the ones nobody asked for (a typo such as
``natMod`` must fail loudly, not silently fall back to a default). Errors name the
full config key (``betterprompts:network.flowLogs.retentionDays``), the bad value and
what is allowed.

Order of errors within one mapping: its unknown keys first (all of them, each with the
closest known spelling), then its missing required keys. A reader discovers a mapping's
keys only by reading it, so when a required key is missing :func:`read_section` runs the
section's reader once more, tolerantly (a stand-in for every missing value, nothing
raised), to learn every key the mapping could have had; if that run reaches the mapping's
end, its unknown keys are reported, naming the missing ones too. If the reader cannot get
past the missing value (a later check depends on it), the missing key is reported alone,
or the unread key that looks like it (``instanceTpyes`` for ``instanceTypes``).

So that the survey gets past them, a reader that checks a required value beyond its type gives
an ``example=`` (a valid value: the survey's stand-in), and a check of two keys against each
other is skipped when either is a stand-in (``Section.stand_in``). A test removes every
required key of every mapping in both stacks and asserts they are all named.
"""

from __future__ import annotations

import difflib
import ipaddress
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, TypeVar

T = TypeVar("T")


class ConfigError(ValueError):
    """A stack-config value is missing, malformed or inconsistent.

    Raised before any resource is registered. ``key`` is the full config path,
    ``value`` the offending value and ``allowed`` what would have been accepted.
    """

    def __init__(self, key: str, value: Any, allowed: str) -> None:
        self.key = key
        self.value = value
        self.allowed = allowed
        super().__init__(f"config key '{key}': got {value!r}; allowed: {allowed}")


class _Missing:
    def __repr__(self) -> str:  # pragma: no cover - only shown in messages
        return "<missing>"


MISSING: Final = _Missing()


class MissingKeyError(ConfigError):
    """A required key is absent from its mapping (``key`` is a misspelling of it when there is one).

    ``mapping`` is the path of the mapping and ``name`` the required key, so that
    :func:`read_section` can look for the mapping's unknown keys before blaming the missing one.
    """

    def __init__(self, key: str, value: Any, allowed: str, *, mapping: str, name: str, required: str = "") -> None:
        super().__init__(key, value, allowed)
        self.mapping = mapping
        self.name = name
        # What the missing key itself takes (``allowed`` names the misspelling when ``key`` is one).
        self.required = required or allowed


class _Placeholder:
    """Stands in for a missing required value during a survey (never leaves it)."""


_PLACEHOLDER: Final = _Placeholder()

# How alike two keys must be (difflib's ratio) for one to be offered as the other's spelling.
SUGGESTION_CUTOFF: Final = 0.75


def suggestion(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the known key closest to ``name``, or nothing."""
    options = [str(k) for k in known]
    for option in options:
        if option.lower() == str(name).lower():
            return f" (did you mean '{option}'?)"
    close = difflib.get_close_matches(str(name), options, n=1, cutoff=SUGGESTION_CUTOFF)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Section:
    """One mapping in stack config, read key by key.

    ``path`` is the full key of this mapping (``betterprompts:network``); nested
    sections extend it with ``.child``.
    """

    def __init__(self, raw: Any, path: str) -> None:
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise ConfigError(path, raw, "a mapping of keys to values")
        self._raw: Mapping[str, Any] = raw
        self._path = path
        self._seen: set[str] = set()
        # Set only on the sections of a survey (read_section's second, tolerant run).
        self._survey: _Survey | None = None
        self._missing: list[str] = []
        self._finished = False

    @property
    def path(self) -> str:
        return self._path

    def key(self, name: str) -> str:
        return f"{self._path}.{name}"

    def has(self, name: str) -> bool:
        return name in self._raw

    def stand_in(self, *names: str) -> bool:
        """Whether any of ``names`` got a survey's stand-in (it is missing): a check of it, or of it
        against another key, is skipped then, so that the survey reads on. Never true outside a survey
        (a missing required key has raised by then)."""
        return any(name in self._missing for name in names)

    @property
    def surveying(self) -> bool:
        """True in :func:`read_section`'s tolerant second run: a reader that raises ``absent`` itself
        goes on instead (with a stand-in), so that every missing key is found; nothing is kept."""
        return self._survey is not None

    def names(self) -> list[str]:
        """The keys present, for mappings keyed by the user (registries, pools)."""
        return [str(name) for name in self._raw]

    def _get(self, name: str, default: Any) -> Any:
        self._seen.add(name)
        if name in self._raw and self._raw[name] is not None:
            return self._raw[name]
        if default is MISSING:
            if self._survey is not None:
                self._missing.append(name)
                return _PLACEHOLDER
            # A required key is absent: a misspelling of it is the likelier mistake, and the one
            # to name (``instanceTpyes`` was written, not left out), before saying it is missing.
            raise self.absent(name, "a value is required here")
        return default

    def _misspelling_of(self, name: str) -> str | None:
        """An unread key of this mapping that looks like ``name`` (case or a few letters off)."""
        unread = [str(key) for key in self._raw if key not in self._seen]
        for key in unread:
            if key.lower() == name.lower():
                return key
        close = difflib.get_close_matches(name, unread, n=1, cutoff=SUGGESTION_CUTOFF)
        return close[0] if close else None

    def absent(self, name: str, allowed: str) -> ConfigError:
        """The error for a required ``name`` this mapping lacks: a misspelt key first, if there is one."""
        self._seen.add(name)
        if self._survey is not None:
            self._missing.append(name)
        typo = self._misspelling_of(name)
        if typo is not None:
            return MissingKeyError(
                self.key(typo),
                self._raw[typo],
                f"no such key (did you mean '{name}'?)",
                mapping=self._path,
                name=name,
                required=allowed,
            )
        return MissingKeyError(self.key(name), None, allowed, mapping=self._path, name=name)

    def raw(self, name: str, default: Any = MISSING, *, example: Any = None) -> Any:
        """The value as written. ``example``: a valid value, the survey's stand-in for a missing one."""
        value = self._get(name, default)
        return example if value is _PLACEHOLDER else value

    def string(
        self,
        name: str,
        default: Any = MISSING,
        *,
        choices: Iterable[str] | None = None,
        example: str | None = None,
    ) -> str:
        """A non-empty string (one of ``choices``). A required string the reader checks further gives an
        ``example`` that passes those checks: the survey's stand-in, so that it reads on past them."""
        value = self._get(name, default)
        if value is _PLACEHOLDER:
            if example is not None:
                return example
            return next(iter(choices), "placeholder") if choices is not None else "placeholder"
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(self.key(name), value, "a non-empty string")
        if choices is not None:
            allowed = tuple(choices)
            if value not in allowed:
                raise ConfigError(self.key(name), value, "one of " + ", ".join(allowed))
        return value

    def boolean(self, name: str, default: Any = MISSING) -> bool:
        value = self._get(name, default)
        if value is _PLACEHOLDER:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ConfigError(self.key(name), value, "true or false")

    def integer(
        self,
        name: str,
        default: Any = MISSING,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int:
        value = self._get(name, default)
        if value is _PLACEHOLDER:
            return int(_stand_in(minimum, maximum))
        return check_int(self.key(name), value, minimum=minimum, maximum=maximum)

    def number(
        self,
        name: str,
        default: Any = MISSING,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
    ) -> float:
        value = self._get(name, default)
        if value is _PLACEHOLDER:
            return float(_stand_in(minimum, maximum))
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ConfigError(self.key(name), value, "a number")
        try:
            number = float(value)
        except ValueError:
            raise ConfigError(self.key(name), value, "a number") from None
        if not math.isfinite(number):
            # YAML reads .nan and .inf as floats; no AWS or Kubernetes setting takes them.
            raise ConfigError(self.key(name), value, "a finite number")
        if (minimum is not None and number < minimum) or (
            maximum is not None and number > maximum
        ):
            raise ConfigError(self.key(name), value, _range_text(minimum, maximum))
        return number

    def cidr(self, name: str, default: Any = MISSING) -> ipaddress.IPv4Network:
        value = self._get(name, default)
        if value is _PLACEHOLDER:
            return ipaddress.IPv4Network("10.0.0.0/16")
        return parse_cidr(self.key(name), value)

    def strings(
        self,
        name: str,
        default: Any = MISSING,
        *,
        min_items: int = 0,
        max_items: int | None = None,
        item: Callable[[str, Any], T] | None = None,
        example: Sequence[Any] | None = None,
    ) -> tuple[Any, ...]:
        """A list; each item checked by ``item(key, value)`` (default: non-empty string).
        ``example``: the survey's stand-in for a missing list (else an empty one)."""
        value = self._get(name, default)
        key = self.key(name)
        if value is _PLACEHOLDER:
            return tuple(example or ())
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise ConfigError(key, value, "a list")
        count = len(value)
        if count < min_items or (max_items is not None and count > max_items):
            raise ConfigError(key, value, f"a list of {_range_text(min_items, max_items)} items")
        check = item or check_string
        return tuple(check(f"{key}[{i}]", v) for i, v in enumerate(value))

    def mapping(self, name: str, default: Any = MISSING) -> dict[str, str]:
        """A flat mapping of strings to strings (extra tags, labels)."""
        value = self._get(name, default)
        key = self.key(name)
        if value is _PLACEHOLDER:
            return {}
        if not isinstance(value, Mapping):
            raise ConfigError(key, value, "a mapping of strings to strings")
        out: dict[str, str] = {}
        for k, v in value.items():
            if not isinstance(k, str) or not isinstance(v, (str, int, float)) or isinstance(v, bool):
                raise ConfigError(f"{key}.{k}", v, "a string value")
            if isinstance(v, float) and not math.isfinite(v):
                # YAML's .nan would become the text "nan": surely not what was meant.
                raise ConfigError(f"{key}.{k}", v, "a string value (not .nan or .inf)")
            out[k] = str(v)
        return out

    def child(self, name: str, default: Any = MISSING) -> "Section":
        value = self._get(name, default)
        section = Section(None if value is _PLACEHOLDER else value, self.key(name))
        if self._survey is not None:
            self._survey.enrol(section)
        return section

    def min_max(
        self, name: str, default: Any = MISSING, *, minimum: int = 0, maximum: int | None = None
    ) -> tuple[int, int]:
        """A ``{min, max}`` pair; min may not exceed max."""
        section = self.child(name, default)
        low = section.integer("min", minimum=minimum, maximum=maximum)
        high = section.integer("max", minimum=minimum, maximum=maximum)
        if section._survey is not None and "max" in section._missing:
            high = max(low, int(_stand_in(minimum + 1, maximum)))
        section.finish()
        if low > high:
            raise ConfigError(section.path, {"min": low, "max": high}, "min <= max")
        return low, high

    def unknown(self) -> list[str]:
        """The keys of this mapping no reader has asked for (so far)."""
        return sorted(str(key) for key in set(self._raw) - self._seen)

    def finish(self) -> None:
        """Reject every key of this mapping that no reader asked for (all of them, in one error)."""
        self._finished = True
        if self._survey is None and self.unknown():
            raise self._unknown_error([])

    def _unknown_error(self, missing: Sequence[str]) -> ConfigError:
        """Every unknown key of this mapping with its likeliest spelling, then what is missing.

        The first unknown key is the error's key: one that looks like a missing required key
        (the typo that made it missing) before the others.
        """
        known = sorted(self._seen)
        hints = {key: suggestion(key, known) for key in self.unknown()}
        explains = {key for key, hint in hints.items() if any(hint == f" (did you mean '{m}'?)" for m in missing)}
        order = sorted(hints, key=lambda key: (key not in explains, key))
        first, others = order[0], order[1:]
        allowed = "no such key" + hints[first]
        if others:
            allowed += "; nor " + ", ".join(key + hints[key] for key in others)
        allowed += "; known keys here: " + (", ".join(known) or "none")
        unexplained = [m for m in missing if not any(hints[key] == f" (did you mean '{m}'?)" for key in order)]
        if unexplained:
            allowed += "; and required here but missing: " + ", ".join(dict.fromkeys(unexplained))
        return ConfigError(self.key(first), self._raw[first], allowed)


class _Survey:
    """The sections of one tolerant run of a section reader, by path (the last one per path)."""

    def __init__(self) -> None:
        self.sections: dict[str, Section] = {}

    def enrol(self, section: Section) -> None:
        section._survey = self
        self.sections[section.path] = section


def read_section(read: Callable[[Section], T], raw: Any, path: str) -> T:
    """``read(Section(raw, path))``, with a mapping's unknown keys reported before its missing ones.

    When the reader stops at a missing required key, it runs once more on the same value in a
    survey: a stand-in is handed out for every missing value and nothing is rejected, so the
    run learns every key the mapping is read for. If the survey reaches that mapping's end
    (``finish``), its unknown keys (with suggestions) are the error, naming the missing keys too;
    otherwise the missing key (or its look-alike) is. Nothing from the survey is kept.
    """
    try:
        return read(Section(raw, path))
    except MissingKeyError as error:
        raise _first_problem(error, read, raw, path) from None


def _first_problem(error: MissingKeyError, read: Callable[[Section], Any], raw: Any, path: str) -> ConfigError:
    survey = _Survey()
    top = Section(raw, path)
    survey.enrol(top)
    try:
        read(top)
    except Exception:  # noqa: BLE001 - the survey ends wherever the reader cannot go on with a stand-in
        pass
    section = survey.sections.get(error.mapping)
    if section is None or not section._finished:
        return error
    if section.unknown():
        return section._unknown_error(section._missing or [error.name])
    # No key is unknown: a "misspelling" the first run blamed is a key read later (maxAllocatedStorageGb
    # is no typo of a missing allocatedStorageGb), so the missing key is named itself.
    others = [name for name in dict.fromkeys(section._missing) if name != error.name]
    allowed = error.required + ("; also required here: " + ", ".join(others) if others else "")
    return MissingKeyError(
        f"{error.mapping}.{error.name}", None, allowed, mapping=error.mapping, name=error.name, required=error.required
    )


def _stand_in(minimum: float | None, maximum: float | None) -> float:
    """A number a survey hands out for a missing one: within the bounds, 1 when they allow it."""
    value = 1.0 if minimum is None else float(minimum)
    if minimum is None and maximum is not None:
        value = min(value, float(maximum))
    return value


def _range_text(minimum: float | None, maximum: float | None) -> str:
    if minimum is not None and maximum is not None:
        return f"from {minimum} to {maximum}"
    if minimum is not None:
        return f"at least {minimum}"
    if maximum is not None:
        return f"at most {maximum}"
    return "any"


def check_string(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(key, value, "a non-empty string")
    return value


def check_int(
    key: str, value: Any, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    if isinstance(value, bool):
        raise ConfigError(key, value, "a whole number")
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            raise ConfigError(key, value, "a whole number") from None
    if not isinstance(value, int):
        raise ConfigError(key, value, "a whole number")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ConfigError(key, value, "a whole number " + _range_text(minimum, maximum))
    return value


def parse_cidr(key: str, value: Any) -> ipaddress.IPv4Network:
    """An IPv4 network in CIDR notation whose host bits are zero."""
    if not isinstance(value, str):
        raise ConfigError(key, value, "an IPv4 CIDR block such as 10.0.0.0/16")
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ConfigError(
            key, value, f"an IPv4 CIDR block such as 10.0.0.0/16 with host bits zero ({exc})"
        ) from None
