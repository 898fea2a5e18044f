"""Integer lookups that treat a value no column can hold as matching nothing.

Django already does this for ``exact``, ``gt``, ``gte``, ``lt`` and ``lte`` on
integer fields, but not for ``in`` and ``range`` nor for any lookup through a foreign key
(``organization=…``, ``organization__in=…``, ``environments=…``). On SQLite
those hand an id beyond 64 bits to the driver, which raises OverflowError: a
500 for a form's multiple choice (``pk__in``), an admin list's query string,
or anything else that passes a typed id to a query. PostgreSQL compares such
a value without complaint and finds nothing; with these lookups both
databases answer the same, and a form says "Select a valid choice".

Registered once, for every model, in ``ConsoleConfig.ready``.
"""

from __future__ import annotations

import copy

from django.core.exceptions import EmptyResultSet, FieldError, FullResultSet
from django.db.models import ForeignObject, IntegerField, Lookup
from django.db.models.fields.related_lookups import (
    RelatedExact,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedIn,
    RelatedLessThan,
    RelatedLessThanOrEqual,
)
from django.db.models.lookups import In, Range


def _integer_range(lookup: Lookup, connection) -> tuple[int | None, int | None]:
    """The values the lookup's column can hold on this database; a foreign
    key holds those of the field it points to."""
    field = lookup.lhs.output_field
    try:
        field = getattr(field, "target_field", field)
        return connection.ops.integer_field_range(field.get_internal_type())
    except (KeyError, FieldError):  # not an integer, or several columns
        return None, None


def _fits(value: object, low: int | None, high: int | None) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return True  # not ours to judge: the database compares it
    return (low is None or value >= low) and (high is None or value <= high)


class _DropsUnholdableValues:
    """``in``: a value no row can hold is left out of the list; with none
    left, the list matches nothing."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = _integer_range(self, connection)
            kept = [value for value in self.rhs if _fits(value, low, high)]
            if len(kept) != len(self.rhs):
                if not kept:
                    raise EmptyResultSet
                # A copy: the same lookup may be compiled again, elsewhere.
                narrowed = copy.copy(self)
                narrowed.rhs = kept
                return super(_DropsUnholdableValues, narrowed).process_rhs(compiler, connection)
        return super().process_rhs(compiler, connection)


class _ComparesUnholdableValues:
    """A comparison with a value beyond the column's range is decided
    without the database, as Django's own IntegerFieldOverflow does."""

    underflow_exception: type[Exception] = EmptyResultSet
    overflow_exception: type[Exception] = EmptyResultSet

    def process_rhs(self, compiler, connection):
        if isinstance(self.rhs, int) and not isinstance(self.rhs, bool):
            low, high = _integer_range(self, connection)
            if low is not None and self.rhs < low:
                raise self.underflow_exception
            if high is not None and self.rhs > high:
                raise self.overflow_exception
        return super().process_rhs(compiler, connection)


class IntegerFieldIn(_DropsUnholdableValues, In):
    pass


class IntegerFieldRange(Range):
    """A bound beyond the column's range is moved to its end."""

    def process_rhs(self, compiler, connection):
        bounds = self.rhs if self.rhs_is_direct_value() else ()
        if len(bounds) == 2 and all(type(bound) is int for bound in bounds):
            low, high = _integer_range(self, connection)
            start, end = bounds
            if not (_fits(start, low, high) and _fits(end, low, high)):
                if (high is not None and start > high) or (low is not None and end < low):
                    raise EmptyResultSet
                narrowed = copy.copy(self)
                narrowed.rhs = (
                    start if low is None else max(start, low),
                    end if high is None else min(end, high),
                )
                return super(IntegerFieldRange, narrowed).process_rhs(compiler, connection)
        return super().process_rhs(compiler, connection)


class RelatedInOfHoldableValues(_DropsUnholdableValues, RelatedIn):
    pass


class RelatedExactOfHoldableValue(_ComparesUnholdableValues, RelatedExact):
    pass


class RelatedGreaterThanOfHoldableValue(_ComparesUnholdableValues, RelatedGreaterThan):
    underflow_exception = FullResultSet


class RelatedGreaterThanOrEqualOfHoldableValue(
    _ComparesUnholdableValues, RelatedGreaterThanOrEqual
):
    underflow_exception = FullResultSet


class RelatedLessThanOfHoldableValue(_ComparesUnholdableValues, RelatedLessThan):
    overflow_exception = FullResultSet


class RelatedLessThanOrEqualOfHoldableValue(_ComparesUnholdableValues, RelatedLessThanOrEqual):
    overflow_exception = FullResultSet


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
    IntegerField.register_lookup(IntegerFieldRange)
    for lookup in (
        RelatedInOfHoldableValues,
        RelatedExactOfHoldableValue,
        RelatedGreaterThanOfHoldableValue,
        RelatedGreaterThanOrEqualOfHoldableValue,
        RelatedLessThanOfHoldableValue,
        RelatedLessThanOrEqualOfHoldableValue,
    ):
        ForeignObject.register_lookup(lookup)
