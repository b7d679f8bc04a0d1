"""Small immutable records, written out by hand instead of with :mod:`dataclasses`.

A dataclass is cheap to use but not to define: :func:`dataclasses.dataclass` writes and
compiles its methods as the module is imported, about half a millisecond a class, and a
short command pays that on every start (``afkg query run`` defined a dozen). The records
on that path (terms, results, the guard's view of a query, stored queries and their
parameters, the project layout) are plain classes that behave as the dataclasses they
replace did: the same constructor, ``repr``, equality, hash and order, and assigning to or
deleting a field of a frozen one raises :class:`dataclasses.FrozenInstanceError`.
"""

from __future__ import annotations

from typing import Any


class Frozen:
    """Base of a record whose fields cannot be assigned after construction (its ``__init__``
    fills ``self.__dict__`` directly, as a frozen dataclass's does through ``object.__setattr__``)."""

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise _frozen(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise _frozen(f"cannot delete field {name!r}")


class Record(Frozen):
    """A frozen record compared, hashed and shown by the fields its class names in ``_COMPARED``
    (in that order), as a dataclass with those fields would be; other fields take no part."""

    __slots__ = ()
    _COMPARED: tuple[str, ...] = ()

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._COMPARED)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._COMPARED)
        return f"{type(self).__qualname__}({shown})"

    def __eq__(self, other: Any) -> bool:
        if other.__class__ is self.__class__:
            return self._fields() == other._fields()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._fields())


def _frozen(message: str) -> Exception:
    # start-up: dataclasses only when a record is misused (defining the records must not import it)
    from dataclasses import FrozenInstanceError

    return FrozenInstanceError(message)
