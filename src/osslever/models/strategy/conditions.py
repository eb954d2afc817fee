"""Conditions over profile and evidence fields, evaluated in three-valued logic.

A condition is ``{field: PATH, OP: OPERAND}`` or a combination ``{all: [...]}``,
``{any: [...]}``, ``{not: {...}}``; an absent condition always holds.  A field nobody
declared or measured is *unknown*, and a test on it is neither true nor false: that is
how the engine can say which unknowns limited its answer instead of guessing.

Operators: eq, ne, in, not_in (scalars); gt, gte, lt, lte (numbers); contains,
contains_any, contains_all, nonempty (lists); known (any field; never unknown).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from osslever.models.strategy.schema import Field

SCALAR_OPS = ("eq", "ne", "in", "not_in")
NUMBER_OPS = ("gt", "gte", "lt", "lte")
LIST_OPS = ("contains", "contains_any", "contains_all", "nonempty")
ANY_OPS = ("known",)
ALL_OPS = SCALAR_OPS + NUMBER_OPS + LIST_OPS + ANY_OPS
COMBINATORS = ("all", "any", "not")

TRUE, FALSE, UNKNOWN = "true", "false", "unknown"


@dataclass
class Outcome:
    """The truth of a condition and the fields it read (with values) or missed."""

    state: str
    used: dict[str, Any] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)


def evaluate(cond: dict | None, values: dict[str, Any]) -> Outcome:
    """Evaluate ``cond`` against ``values`` (path → value; absent = unknown)."""
    out = Outcome(TRUE)
    if not cond:
        return out
    out.state = _eval(cond, values, out)
    return out


def _eval(cond: dict, values: dict[str, Any], out: Outcome) -> str:
    if "all" in cond:
        states = [_eval(c, values, out) for c in cond["all"]]
        return FALSE if FALSE in states else UNKNOWN if UNKNOWN in states else TRUE
    if "any" in cond:
        states = [_eval(c, values, out) for c in cond["any"]]
        return TRUE if TRUE in states else UNKNOWN if UNKNOWN in states else FALSE
    if "not" in cond:
        state = _eval(cond["not"], values, out)
        return {TRUE: FALSE, FALSE: TRUE, UNKNOWN: UNKNOWN}[state]
    path = cond["field"]
    op = next(k for k in cond if k != "field")
    operand = cond[op]
    value = values.get(path)
    if op == "known":
        if value is not None:
            out.used[path] = value
        return TRUE if (value is not None) == bool(operand) else FALSE
    if value is None:
        out.missing.add(path)
        return UNKNOWN
    out.used[path] = value
    return TRUE if _test(op, value, operand) else FALSE


def _test(op: str, value: Any, operand: Any) -> bool:
    if op == "eq":
        return value == operand
    if op == "ne":
        return value != operand
    if op == "in":
        return value in operand
    if op == "not_in":
        return value not in operand
    if op == "gt":
        return value > operand
    if op == "gte":
        return value >= operand
    if op == "lt":
        return value < operand
    if op == "lte":
        return value <= operand
    if op == "contains":
        return operand in value
    if op == "contains_any":
        return any(v in value for v in operand)
    if op == "contains_all":
        return all(v in value for v in operand)
    if op == "nonempty":
        return bool(value) == bool(operand)
    raise AssertionError(op)


def fields_of(cond: dict | None) -> list[str]:
    """Every field path a condition reads, in order of appearance."""
    if not cond:
        return []
    if "all" in cond or "any" in cond:
        key = "all" if "all" in cond else "any"
        return [p for c in cond[key] for p in fields_of(c)]
    if "not" in cond:
        return fields_of(cond["not"])
    return [cond["field"]]


# --- validation -------------------------------------------------------------------


def problems(cond: Any, fields: dict[str, Field], where: str) -> list[tuple[str, dict]]:
    """Structural problems of a condition as (message key, params); empty when valid."""
    out: list[tuple[str, dict]] = []
    _check(cond, fields, where, out)
    return out


def _check(cond: Any, fields: dict[str, Field], where: str, out: list) -> None:
    if cond is None:
        return
    if not isinstance(cond, dict):
        out.append(("strategy.rules.cond_not_mapping", {"where": where}))
        return
    combos = [k for k in COMBINATORS if k in cond]
    if combos:
        if len(cond) != 1:
            out.append(("strategy.rules.cond_mixed", {"where": where, "keys": ", ".join(map(str, cond))}))
            return
        key = combos[0]
        if key == "not":
            _check(cond["not"], fields, f"{where}.not", out)
            return
        if not isinstance(cond[key], list) or not cond[key]:
            out.append(("strategy.rules.cond_empty_list", {"where": f"{where}.{key}"}))
            return
        for i, child in enumerate(cond[key]):
            _check(child, fields, f"{where}.{key}[{i}]", out)
        return
    if "field" not in cond:
        from osslever.models.strategy.schema import nearest

        keys = ", ".join(map(str, cond))
        guess = nearest(str(next(iter(cond), "")), list(COMBINATORS) + ["field"])
        out.append(
            (
                "strategy.rules.cond_no_field",
                {"where": where, "keys": keys, "nearest": guess or "field"},
            )
        )
        return
    path = cond["field"]
    ops = [k for k in cond if k != "field"]
    if len(ops) != 1 or ops[0] not in ALL_OPS:
        from osslever.models.strategy.schema import nearest

        bad = ", ".join(map(str, ops)) or "-"
        guess = nearest(str(ops[0]), list(ALL_OPS)) if ops else None
        out.append(
            (
                "strategy.rules.cond_bad_op",
                {
                    "where": where,
                    "op": bad,
                    "nearest": guess or "eq",
                    "allowed": ", ".join(ALL_OPS),
                },
            )
        )
        return
    spec = fields.get(path)
    if spec is None:
        from osslever.models.strategy.schema import nearest

        out.append(
            (
                "strategy.rules.unknown_field",
                {
                    "where": where,
                    "field": path,
                    "nearest": nearest(str(path), sorted(fields)) or "-",
                },
            )
        )
        return
    op = ops[0]
    operand = cond[op]
    if op == "known":
        if not isinstance(operand, bool):
            out.append(
                (
                    "strategy.rules.bad_operand",
                    {"where": where, "op": op, "expected": "true | false"},
                )
            )
        return
    if op in NUMBER_OPS:
        if not spec.is_numeric:
            out.append(
                (
                    "strategy.rules.op_type",
                    {"where": where, "op": op, "field": path, "type": spec.type},
                )
            )
        elif not isinstance(operand, (int, float)) or isinstance(operand, bool):
            out.append(("strategy.rules.bad_operand", {"where": where, "op": op, "expected": "number"}))
        return
    if op in LIST_OPS:
        if not spec.is_list:
            out.append(
                (
                    "strategy.rules.op_type",
                    {"where": where, "op": op, "field": path, "type": spec.type},
                )
            )
            return
        if op == "nonempty":
            if not isinstance(operand, bool):
                out.append(
                    (
                        "strategy.rules.bad_operand",
                        {"where": where, "op": op, "expected": "true | false"},
                    )
                )
            return
        items = [operand] if op == "contains" else operand
        if not isinstance(items, list):
            out.append(("strategy.rules.bad_operand", {"where": where, "op": op, "expected": "list"}))
            return
        _check_values(items, spec, where, out)
        return
    # scalar ops
    if spec.is_list:
        out.append(("strategy.rules.op_type", {"where": where, "op": op, "field": path, "type": spec.type}))
        return
    items = operand if op in ("in", "not_in") else [operand]
    if op in ("in", "not_in") and not isinstance(operand, list):
        out.append(("strategy.rules.bad_operand", {"where": where, "op": op, "expected": "list"}))
        return
    _check_values(items, spec, where, out)


def _check_values(items: list, spec: Field, where: str, out: list) -> None:
    choices = spec.choices
    for item in items:
        if choices and item not in choices:
            out.append(
                (
                    "strategy.rules.unknown_value",
                    {
                        "where": where,
                        "field": spec.path,
                        "value": item,
                        "allowed": ", ".join(str(c).lower() if isinstance(c, bool) else str(c) for c in choices),
                    },
                )
            )
        elif spec.is_numeric and (not isinstance(item, (int, float)) or isinstance(item, bool)):
            out.append(("strategy.rules.bad_operand", {"where": where, "op": "eq", "expected": "number"}))


# --- reachability -----------------------------------------------------------------


def satisfiable(cond: dict | None, fields: dict[str, Field]) -> bool:
    """False when no assignment of values can make ``cond`` true (an unreachable rule).

    Conservative: finite fields (enums, booleans) are reasoned about exactly, numbers by
    interval, lists by required/forbidden members; anything more complex is assumed
    reachable, so a ``False`` here is always a real contradiction.
    """
    if not cond:
        return True
    return _sat(cond, fields)


def _sat(cond: dict, fields: dict[str, Field]) -> bool:
    if "any" in cond:
        return any(_sat(c, fields) for c in cond["any"])
    if "not" in cond:
        return True
    atoms = _flatten_all(cond)
    domains: dict[str, Any] = {}
    for atom in atoms:
        if "field" not in atom:
            if not _sat(atom, fields):
                return False
            continue
        spec = fields.get(atom["field"])
        if spec is None:
            continue
        op = next(k for k in atom if k != "field")
        state = domains.setdefault(spec.path, _domain(spec))
        if not _narrow(state, spec, op, atom[op]):
            return False
    return True


def _flatten_all(cond: dict) -> list[dict]:
    """Nested ``all`` blocks are one conjunction: reason about their atoms together."""
    if "all" not in cond:
        return [cond]
    return [atom for child in cond["all"] for atom in _flatten_all(child)]


def _domain(spec: Field) -> dict:
    if spec.is_list:
        return {
            "kind": "list",
            "must": set(),
            "must_not": set(),
            "known": None,
            "values": set(spec.values),
        }
    if spec.is_numeric:
        return {
            "kind": "num",
            "low": spec.min if spec.min is not None else float("-inf"),
            "high": spec.max if spec.max is not None else float("inf"),
            "low_open": False,
            "high_open": False,
            "known": None,
        }
    if spec.choices:
        return {"kind": "enum", "values": set(spec.choices), "known": None}
    return {"kind": "open", "known": None}


def _narrow(d: dict, spec: Field, op: str, operand: Any) -> bool:
    if op == "known":
        if d["known"] is not None and d["known"] != bool(operand):
            return False
        d["known"] = bool(operand)
        return True
    if d["known"] is False:
        return False
    d["known"] = True
    kind = d["kind"]
    if kind == "enum":
        if op == "eq":
            d["values"] &= {operand}
        elif op == "ne":
            d["values"] -= {operand}
        elif op == "in":
            d["values"] &= set(operand)
        elif op == "not_in":
            d["values"] -= set(operand)
        return bool(d["values"])
    if kind == "num":
        if op in ("gt", "gte"):
            if operand > d["low"] or (operand == d["low"] and op == "gt"):
                d["low"], d["low_open"] = operand, op == "gt"
        elif op in ("lt", "lte"):
            if operand < d["high"] or (operand == d["high"] and op == "lt"):
                d["high"], d["high_open"] = operand, op == "lt"
        elif op == "eq":
            return _narrow(d, spec, "gte", operand) and _narrow(d, spec, "lte", operand)
        elif op == "in":
            return any(d["low"] <= v <= d["high"] for v in operand)
        if d["low"] > d["high"]:
            return False
        if d["low"] == d["high"] and (d["low_open"] or d["high_open"]):
            return False
        if spec.type == "integer" and d["high"] - d["low"] < 1:
            import math

            lo = math.floor(d["low"]) + 1 if d["low_open"] else math.ceil(d["low"])
            hi = math.ceil(d["high"]) - 1 if d["high_open"] else math.floor(d["high"])
            return lo <= hi
        return True
    if kind == "list":
        if op == "contains":
            d["must"].add(operand)
        elif op == "contains_all":
            d["must"].update(operand)
        elif op == "contains_any":
            if not (set(operand) - d["must_not"]):
                return False
        elif op == "nonempty":
            if not operand:
                d["must_not"].update(d["values"])
            elif not (d["values"] - d["must_not"]):
                return False
        return not (d["must"] & d["must_not"])
    return True


# --- fast evaluation (states only) ------------------------------------------------------


def _kleene(parts: list, decisive: str, otherwise: str):
    def combined(values: dict) -> str:
        unknown = False
        for part in parts:
            state = part(values)
            if state == decisive:
                return decisive
            unknown = unknown or state == UNKNOWN
        return UNKNOWN if unknown else otherwise

    return combined


def compile_state(cond: dict | None):
    """A closure ``values -> state`` without evidence tracking, for the what-if search,
    which re-evaluates the same rules hundreds of times and only needs the outcomes."""
    if not cond:
        return lambda values: TRUE
    if "all" in cond:  # Kleene logic: one false decides, else unknown if any is unknown
        return _kleene([compile_state(c) for c in cond["all"]], decisive=FALSE, otherwise=TRUE)
    if "any" in cond:  # one true decides, else unknown if any is unknown
        return _kleene([compile_state(c) for c in cond["any"]], decisive=TRUE, otherwise=FALSE)
    if "not" in cond:
        inner = compile_state(cond["not"])
        flip = {TRUE: FALSE, FALSE: TRUE, UNKNOWN: UNKNOWN}
        return lambda values: flip[inner(values)]
    path = cond["field"]
    op = next(k for k in cond if k != "field")
    operand = cond[op]
    if op == "known":
        want = bool(operand)
        return lambda values: TRUE if (values.get(path) is not None) == want else FALSE
    if op in ("in", "not_in", "contains_any", "contains_all"):
        operand = list(operand)

    def atom(values: dict) -> str:
        value = values.get(path)
        if value is None:
            return UNKNOWN
        return TRUE if _test(op, value, operand) else FALSE

    return atom
