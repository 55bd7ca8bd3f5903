"""A safe evaluator for the expressions that legal staff write into BPMN diagrams.

Gateway conditions, timer expressions and service-task parameter expressions are edited in a
browser, so they are untrusted. They are never handed to Python's eval/exec/compile. Instead
the source is parsed with ``ast.parse(mode="eval")``, checked against an allow-list of node
types, and the checked tree is turned, once, into a tree of small closures (one per node,
written here, never generated from the user's text). Evaluating an expression runs those
closures against the task data: it is a tree-walking interpreter whose dispatch on node type
happens at compile time rather than on every evaluation, which is what makes a gateway
condition cost a microsecond or two.

What an expression can do
-------------------------
* constants (str, int, float, bool, None), names of task-data variables, list/tuple/set/dict
  displays, f-strings without format specifications;
* ``and``/``or`` (short-circuit), ``not``, unary ``-``/``+``, ``+ - * / // % **``,
  comparisons including ``in``/``not in``/``is``/``is not`` and chains, ``x if c else y``;
* subscripts and simple slices on dicts, lists, tuples and strings;
* calls to allow-listed functions (``DEFAULT_FUNCTIONS`` plus those the caller supplies), with
  positional and keyword arguments;
* a few read-only methods/attributes on str, dict, list, tuple, date, datetime, timedelta
  (``_METHODS`` and ``_DATA_ATTRIBUTES`` below). No name or attribute may start with ``_``.

Functions and methods can only be called, never used as values, so no callable ever reaches
the expression (``sorted(xs, key=len)`` is refused).

Bounds (all refusals raise ``SandboxError``)
--------------------------------------------
* source at most 2000 characters, at most 500 expression nodes, nesting depth at most 100;
* ``**`` with an exponent above 100 in absolute value or a base above 10**6 in absolute value;
* integers of more than 4300 digits;
* strings, lists and tuples built by ``+``/``*``/``str()``/f-strings longer than 100 000
  characters or elements, or (lists and tuples) weighing more than 1 000 000 counted through
  nested containers, so that ``[[1]*10**5]*10**5`` is refused too;
* string ``%`` formatting, ``round`` with more than 100 digits, ``sum`` with a non-numeric start;
* a step budget: each evaluation may visit at most ``MAX_STEPS`` nodes (guaranteed statically,
  since there are no loops and a node is visited at most once: the node limit is far below it)
  and may do at most ``MAX_WORK`` units of bulk work (characters or elements produced by
  repetition, concatenation, f-strings and calls, or scanned by ``in``, str/list methods and
  min/max/sum/any/all/sorted); beyond it, "expression too expensive".
"""
from __future__ import annotations

import ast
import functools
import operator
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

__all__ = [
    "DEFAULT_FUNCTIONS",
    "Expression",
    "SandboxError",
    "compile_expression",
    "evaluate",
]

MAX_SOURCE_CHARS = 2000
MAX_NODES = 500
MAX_DEPTH = 100
MAX_STEPS = 10_000
MAX_WORK = 1_000_000
MAX_SEQUENCE = 100_000  # characters of a built string, elements of a built list or tuple
MAX_NESTED = 1_000_000  # the same, counted through nested containers (see _weight)
MAX_INT_DIGITS = 4300
MAX_EXPONENT = 100
MAX_POW_BASE = 10**6
MAX_ROUND_DIGITS = 100
_INT_LIMIT = 10**MAX_INT_DIGITS  # an int with more than 4300 digits is >= this in absolute value
_MESSAGE_CHARS = 300
_SNIPPET_CHARS = 80

assert MAX_NODES <= MAX_STEPS  # each node is visited at most once per evaluation


class SandboxError(Exception):
    """Raised for any refused or failed expression; str(err) is a one-line English message safe to show users."""

    def __init__(self, message: str):
        message = " ".join(str(message).split())
        if len(message) > _MESSAGE_CHARS:
            message = message[: _MESSAGE_CHARS - 1] + "…"
        super().__init__(message)


def _refuse(construct: str) -> SandboxError:
    return SandboxError(f"not allowed in an expression: {construct}")


# --------------------------------------------------------------------------- sizes and limits

def _weight(value: Any, limit: int = MAX_NESTED) -> int:
    """How big `value` is once written out, counted through nested containers (a shared
    element counts every time it appears): 1 per container, the length of strings, 1 per ~10
    digits of ints, 1 for anything else. Writing a value out as text takes at least this many
    characters. Stops counting as soon as the total exceeds `limit`, so it is cheap on huge values."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or kind is bytes:
            total += max(len(item), 1)
        elif kind is int:
            total += 1 + (item.bit_length() >> 5)
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 1
            if total + len(item) > limit:  # every element weighs at least 1
                return total + len(item)
            stack.extend(item)
        elif isinstance(item, Mapping):
            total += 1
            if total + 2 * len(item) > limit:
                return total + 2 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        else:
            total += 1
        if total > limit:
            return total
    return total


def _check_int(value: Any) -> Any:
    if type(value) is int and not -_INT_LIMIT < value < _INT_LIMIT:
        raise SandboxError(f"integer result has more than {MAX_INT_DIGITS} digits")
    return value


# Types whose size is what an operation on them costs: `x in big_list`, sorted(big_list), ...
_BULK = frozenset({str, bytes, list, tuple, dict, set, frozenset})

# Default functions that walk over their arguments; their arguments are charged as bulk work.
_SCANNING_FUNCTIONS = frozenset({"min", "max", "sum", "any", "all", "sorted"})


class _Context:
    """The state of one evaluation."""

    __slots__ = ("variables", "functions", "work")

    def __init__(self, variables: Mapping[str, Any], functions: Mapping[str, Callable] | None):
        self.variables = variables
        self.functions = functions
        self.work = MAX_WORK

    def charge(self, amount: int) -> None:
        self.work -= amount
        if self.work < 0:
            raise SandboxError("expression too expensive")


# --------------------------------------------------------------------------- default functions

def _safe_str(value: Any = "") -> str:
    if type(value) is str:
        return value
    if not isinstance(value, (int, float, date, timedelta)) and value is not None:
        if _weight(value, MAX_SEQUENCE) > MAX_SEQUENCE:
            raise SandboxError(f"value too large to convert to text (limit {MAX_SEQUENCE})")
    text = str(value)
    if len(text) > MAX_SEQUENCE:
        raise SandboxError(f"text longer than {MAX_SEQUENCE} characters")
    return text


def _safe_int(value: Any = 0, *args: Any, **kwargs: Any) -> int:
    if isinstance(value, (str, bytes)) and len(value) > MAX_INT_DIGITS + 10:
        raise SandboxError(f"integer text longer than {MAX_INT_DIGITS} digits")
    return _check_int(int(value, *args, **kwargs))


def _safe_round(number: Any, ndigits: Any = None) -> Any:
    if ndigits is None:
        return round(number)
    if not isinstance(ndigits, int) or abs(ndigits) > MAX_ROUND_DIGITS:
        raise SandboxError(f"round() digits must be an integer between -{MAX_ROUND_DIGITS} and {MAX_ROUND_DIGITS}")
    return round(number, ndigits)


def _safe_sum(iterable: Any, /, start: Any = 0) -> Any:
    if isinstance(start, bool) or not isinstance(start, (int, float)):
        raise SandboxError("sum() only adds numbers")
    return _check_int(sum(iterable, start))


def _safe_sorted(iterable: Any, /, *, reverse: bool = False) -> list:
    return sorted(iterable, reverse=bool(reverse))


def _safe_min(*args: Any, **kwargs: Any) -> Any:
    if "key" in kwargs:
        raise SandboxError("min() does not accept key=")
    return min(*args, **kwargs)


def _safe_max(*args: Any, **kwargs: Any) -> Any:
    if "key" in kwargs:
        raise SandboxError("max() does not accept key=")
    return max(*args, **kwargs)


for _function, _public in (
    (_safe_str, "str"), (_safe_int, "int"), (_safe_round, "round"), (_safe_sum, "sum"),
    (_safe_sorted, "sorted"), (_safe_min, "min"), (_safe_max, "max"),
):
    # so that Python's own messages ("sorted() got an unexpected keyword argument") read right
    _function.__name__ = _function.__qualname__ = _public
del _function, _public

DEFAULT_FUNCTIONS: dict[str, Callable] = {
    "len": len,
    "min": _safe_min,
    "max": _safe_max,
    "abs": abs,
    "round": _safe_round,
    "sum": _safe_sum,
    "any": any,
    "all": all,
    "str": _safe_str,
    "int": _safe_int,
    "float": float,
    "bool": bool,
    "sorted": _safe_sorted,
    "date": date,
    "datetime": datetime,
}

# --------------------------------------------------------------------------- methods and attributes

_STR_METHODS = frozenset({
    "lower", "upper", "casefold", "title", "capitalize",
    "strip", "lstrip", "rstrip", "startswith", "endswith",
    "isdigit", "isdecimal", "isnumeric", "isalpha", "isalnum", "isspace", "islower", "isupper",
    "split", "rsplit", "count", "find", "rfind",
})
# Deliberately absent: format/format_map (reach attributes), replace/join/zfill/center/ljust/
# rjust/expandtabs (unbounded output), encode, and everything that mutates.

_METHODS: dict[str, tuple[type, ...]] = {}
for _name in _STR_METHODS:
    _METHODS[_name] = (str,)
for _name in ("get", "keys", "values", "items"):
    _METHODS[_name] = (dict, Mapping)
for _name in ("isoformat", "weekday", "isoweekday"):
    _METHODS[_name] = (date,)  # datetime is a date
_METHODS["date"] = (datetime,)
_METHODS["total_seconds"] = (timedelta,)
for _name in ("count", "index"):
    _METHODS[_name] = _METHODS.get(_name, ()) + (list, tuple)
del _name

_DATA_ATTRIBUTES: dict[str, tuple[type, ...]] = {
    "year": (date,),
    "month": (date,),
    "day": (date,),
    "hour": (datetime,),
    "minute": (datetime,),
    "second": (datetime,),
    "microsecond": (datetime,),
    "days": (timedelta,),
    "seconds": (timedelta,),
    "microseconds": (timedelta,),
}

_SUBSCRIPTABLE = (dict, list, tuple, str, Mapping)

# --------------------------------------------------------------------------- static checks

_CONSTRUCT_NAMES: dict[type, str] = {
    ast.Lambda: "lambda",
    ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression",
    ast.NamedExpr: "assignment expression (:=)",
    ast.Starred: "star unpacking (*)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield from",
    ast.comprehension: "comprehension",
    ast.BitAnd: "& operator",
    ast.BitOr: "| operator",
    ast.BitXor: "^ operator",
    ast.LShift: "<< operator",
    ast.RShift: ">> operator",
    ast.MatMult: "@ operator",
    ast.Invert: "~ operator",
    ast.Store: "assignment",
    ast.Del: "deletion",
}

_ALLOWED_NODES = frozenset({
    ast.Expression, ast.Constant, ast.Name, ast.Load,
    ast.BoolOp, ast.And, ast.Or,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
    ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE,
    ast.In, ast.NotIn, ast.Is, ast.IsNot,
    ast.IfExp, ast.Call, ast.keyword, ast.Subscript, ast.Slice, ast.Attribute,
    ast.List, ast.Tuple, ast.Dict, ast.Set,
    ast.JoinedStr, ast.FormattedValue,
})

_CONSTANT_TYPES = (str, int, float, bool, type(None))


def _check_tree(tree: ast.Expression, allowed_functions: frozenset[str]) -> frozenset[str]:
    """Refuse anything outside the allow-list; return the free variable names."""
    # Pass 1: size, depth and node types, so that e.g. `(lambda: 1)()` is refused as a lambda.
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        kind = type(node)
        if kind not in _ALLOWED_NODES:
            raise _refuse(_CONSTRUCT_NAMES.get(kind, kind.__name__))
        if isinstance(node, (ast.expr, ast.keyword)):
            count += 1
            if count > MAX_NODES:
                raise SandboxError(f"expression too large (more than {MAX_NODES} parts)")
        if depth > MAX_DEPTH:
            raise SandboxError(f"expression nested too deeply (more than {MAX_DEPTH} levels)")
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + 1))

    # Pass 2: names, calls, attributes and the other rules that need context.
    free: set[str] = set()
    callee_names: set[int] = set()  # ids of Name nodes in call position
    method_nodes: set[int] = set()  # ids of Attribute nodes in call position
    nodes: list[ast.AST] = [tree]
    while nodes:
        node = nodes.pop()
        kind = type(node)
        if kind is ast.Constant:
            if type(node.value) not in _CONSTANT_TYPES:
                raise _refuse(f"constant of type {type(node.value).__name__}")
        elif kind is ast.Name:
            if node.id.startswith("_"):
                raise _refuse(f"name '{node.id}' (names starting with '_' are not allowed)")
            if id(node) in callee_names:
                if node.id not in allowed_functions:
                    raise _refuse(f"call to '{node.id}' (not an allowed function)")
            else:
                free.add(node.id)
        elif kind is ast.Attribute:
            if node.attr.startswith("_"):
                raise _refuse(f"attribute '{node.attr}' (names starting with '_' are not allowed)")
            if id(node) in method_nodes:
                if node.attr not in _METHODS:
                    raise _refuse(f"method '.{node.attr}()'")
            elif node.attr not in _DATA_ATTRIBUTES:
                if node.attr in _METHODS:
                    raise _refuse(f"method '.{node.attr}' used without calling it")
                raise _refuse(f"attribute '.{node.attr}'")
        elif kind is ast.Call:
            if isinstance(node.func, ast.Name):
                callee_names.add(id(node.func))
            elif isinstance(node.func, ast.Attribute):
                method_nodes.add(id(node.func))
            else:
                # e.g. f(x)(y), x[0](), which could call a value out of the data
                raise _refuse("calling the result of an expression")
        elif kind is ast.keyword:
            if node.arg is None:
                raise _refuse("keyword unpacking (**)")
            if node.arg.startswith("_"):
                raise _refuse(f"keyword '{node.arg}' (names starting with '_' are not allowed)")
        elif kind is ast.Dict:
            if any(key is None for key in node.keys):
                raise _refuse("dict unpacking (**)")
        elif kind is ast.FormattedValue:
            if node.format_spec is not None:
                raise _refuse("format specification in an f-string")
            if node.conversion not in (-1, ord("s")):
                raise _refuse(f"conversion !{chr(node.conversion)} in an f-string")
        elif kind is ast.BinOp and type(node.op) is ast.Mod:
            left = node.left
            if isinstance(left, ast.JoinedStr) or (isinstance(left, ast.Constant) and isinstance(left.value, str)):
                raise _refuse("string formatting with %")
        nodes.extend(ast.iter_child_nodes(node))
    return frozenset(free)


# --------------------------------------------------------------------------- compilation to closures

def _snippet(source: str, node: ast.AST) -> str:
    try:
        text = ast.get_source_segment(source, node) or ""
    except Exception:  # pragma: no cover - positions are always present from ast.parse
        text = ""
    text = " ".join(text.split())
    if len(text) > _SNIPPET_CHARS:
        text = text[: _SNIPPET_CHARS - 1] + "…"
    return text


def _short_repr(value: Any) -> str:
    try:
        text = repr(value) if isinstance(value, (str, int, float, bool, type(None))) else type(value).__name__
    except Exception:  # pragma: no cover
        text = "?"
    return text if len(text) <= 40 else text[:39] + "…"


def _runtime_error(source: str, node: ast.AST, exc: BaseException) -> SandboxError:
    """Turn an exception raised while evaluating `node` into a message for users."""
    if isinstance(exc, SandboxError):
        return exc
    where = f"'{_snippet(source, node)}'"
    if isinstance(exc, ZeroDivisionError):
        return SandboxError(f"division by zero in {where}")
    if isinstance(exc, KeyError):
        key = exc.args[0] if exc.args else "?"
        return SandboxError(f"missing key {_short_repr(key)} in {where}")
    if isinstance(exc, IndexError):
        return SandboxError(f"index out of range in {where}")
    if isinstance(exc, OverflowError):
        return SandboxError(f"number too large in {where}")
    if isinstance(exc, RecursionError):
        return SandboxError(f"expression nested too deeply in {where}")
    if isinstance(exc, MemoryError):
        return SandboxError(f"out of memory in {where}")
    if isinstance(exc, TypeError):
        return SandboxError(f"type error in {where}: {exc}")
    if isinstance(exc, ValueError):
        return SandboxError(f"invalid value in {where}: {exc}")
    return SandboxError(f"error in {where}: {type(exc).__name__}: {exc}")


def _pow(base: Any, exponent: Any) -> Any:
    if isinstance(exponent, (int, float)) and abs(exponent) > MAX_EXPONENT:
        raise SandboxError(f"exponent too large (limit {MAX_EXPONENT})")
    if isinstance(base, (int, float)) and abs(base) > MAX_POW_BASE:
        raise SandboxError(f"base of ** too large (limit {MAX_POW_BASE})")
    if not isinstance(exponent, (int, float)) or not isinstance(base, (int, float)):
        raise TypeError(
            f"unsupported operand type(s) for **: '{type(base).__name__}' and '{type(exponent).__name__}'"
        )
    return _check_int(base**exponent)


_SEQUENCES = (str, bytes, list, tuple)
_NUMBERS = (int, float)  # bool is an int


def _too_large() -> SandboxError:
    return SandboxError(f"result too large (more than {MAX_SEQUENCE} characters or elements)")


def _repeat(ctx: _Context, seq: Any, times: Any) -> Any:
    if times <= 0:
        return seq * times
    size = len(seq) * times
    if size > MAX_SEQUENCE:
        raise _too_large()
    if not isinstance(seq, (str, bytes)):
        weight = _weight(seq, MAX_NESTED // times)
        if weight * times > MAX_NESTED:
            raise _too_large()
        ctx.charge(weight)  # what weighing it cost
    ctx.charge(size)
    return seq * times


def _mul(ctx: _Context, a: Any, b: Any) -> Any:
    if isinstance(a, _NUMBERS) and isinstance(b, _NUMBERS):
        return _check_int(a * b)
    if isinstance(a, _SEQUENCES) and isinstance(b, int):
        return _repeat(ctx, a, b)
    if isinstance(b, _SEQUENCES) and isinstance(a, int):
        return _repeat(ctx, b, a)
    return _check_int(a * b)


def _add(ctx: _Context, a: Any, b: Any) -> Any:
    if isinstance(a, _NUMBERS) and isinstance(b, _NUMBERS):
        return _check_int(a + b)
    if isinstance(a, (str, bytes)) and isinstance(b, (str, bytes)):
        size = len(a) + len(b)
        if size > MAX_SEQUENCE:
            raise _too_large()
    elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        size = len(a) + len(b)
        if size > MAX_SEQUENCE:
            raise _too_large()
        weight = _weight(a) + _weight(b)
        if weight > MAX_NESTED:
            raise _too_large()
        ctx.charge(weight)  # what weighing them cost
    else:
        return _check_int(a + b)
    ctx.charge(size)
    return a + b


def _mod(ctx: _Context, a: Any, b: Any) -> Any:
    if isinstance(a, (str, bytes)):
        raise SandboxError("string formatting with % is not allowed")
    return _check_int(a % b)


def _sub(ctx: _Context, a: Any, b: Any) -> Any:
    return _check_int(a - b)


def _floordiv(ctx: _Context, a: Any, b: Any) -> Any:
    return a // b


def _truediv(ctx: _Context, a: Any, b: Any) -> Any:
    return a / b


def _powop(ctx: _Context, a: Any, b: Any) -> Any:
    return _pow(a, b)


_BINOPS: dict[type, Callable[[_Context, Any, Any], Any]] = {
    ast.Add: _add,
    ast.Sub: _sub,
    ast.Mult: _mul,
    ast.Div: _truediv,
    ast.FloorDiv: _floordiv,
    ast.Mod: _mod,
    ast.Pow: _powop,
}

_CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}

_Evaluator = Callable[[_Context], Any]


class _Compiler:
    """Turns a checked tree into closures. Each closure takes the evaluation context."""

    def __init__(self, source: str):
        self.source = source

    def compile(self, node: ast.AST) -> _Evaluator:
        method = getattr(self, "_" + type(node).__name__)
        return method(node)

    # -- leaves

    def _Constant(self, node: ast.Constant) -> _Evaluator:
        value = node.value

        def constant(ctx: _Context) -> Any:
            return value

        constant.constant = value  # type: ignore[attr-defined]
        return constant

    def _Name(self, node: ast.Name) -> _Evaluator:
        name = node.id

        def variable(ctx: _Context) -> Any:
            try:
                return ctx.variables[name]
            except KeyError:
                raise SandboxError(f"unknown name: {name}") from None

        return variable

    # -- operators

    def _BoolOp(self, node: ast.BoolOp) -> _Evaluator:
        parts = tuple(self.compile(value) for value in node.values)
        if isinstance(node.op, ast.And):
            if len(parts) == 2:
                first, second = parts

                def and2(ctx: _Context) -> Any:
                    value = first(ctx)
                    return second(ctx) if value else value

                return and2

            def and_(ctx: _Context) -> Any:
                for part in parts:
                    value = part(ctx)
                    if not value:
                        return value
                return value

            return and_

        if len(parts) == 2:
            first, second = parts

            def or2(ctx: _Context) -> Any:
                value = first(ctx)
                return value if value else second(ctx)

            return or2

        def or_(ctx: _Context) -> Any:
            for part in parts:
                value = part(ctx)
                if value:
                    return value
            return value

        return or_

    def _BinOp(self, node: ast.BinOp) -> _Evaluator:
        left = self.compile(node.left)
        right = self.compile(node.right)
        op = _BINOPS[type(node.op)]
        source = self.source

        def binop(ctx: _Context) -> Any:
            a = left(ctx)
            b = right(ctx)
            try:
                return op(ctx, a, b)
            except SandboxError:
                raise
            except Exception as exc:
                raise _runtime_error(source, node, exc) from exc

        return binop

    def _UnaryOp(self, node: ast.UnaryOp) -> _Evaluator:
        operand = self.compile(node.operand)
        source = self.source
        if isinstance(node.op, ast.Not):

            def not_(ctx: _Context) -> Any:
                return not operand(ctx)

            return not_
        op = operator.neg if isinstance(node.op, ast.USub) else operator.pos
        if hasattr(operand, "constant") and isinstance(operand.constant, _NUMBERS):
            # -5 is parsed as -(5): fold it so that negative literals cost nothing
            value = op(operand.constant)

            def constant(ctx: _Context) -> Any:
                return value

            constant.constant = value  # type: ignore[attr-defined]
            return constant

        def unary(ctx: _Context) -> Any:
            a = operand(ctx)
            try:
                return op(a)
            except Exception as exc:
                raise _runtime_error(source, node, exc) from exc

        return unary

    def _Compare(self, node: ast.Compare) -> _Evaluator:
        left = self.compile(node.left)
        source = self.source
        steps = []
        for op_node, comparator in zip(node.ops, node.comparators):
            right = self.compile(comparator)
            op = _CMPOPS[type(op_node)]
            scans = isinstance(op_node, (ast.In, ast.NotIn))
            if scans and hasattr(right, "constant"):
                right = self._membership_constant(right)
                scans = False  # bounded by the source length
            steps.append((op, right, scans))

        if len(steps) == 1:
            ((op, right, scans),) = steps
            if scans:

                def compare_in(ctx: _Context) -> Any:
                    a = left(ctx)
                    b = right(ctx)
                    if type(b) in _BULK:
                        ctx.charge(len(b))
                    try:
                        return op(a, b)
                    except Exception as exc:
                        raise _runtime_error(source, node, exc) from exc

                return compare_in

            def compare(ctx: _Context) -> Any:
                a = left(ctx)
                b = right(ctx)
                try:
                    return op(a, b)
                except Exception as exc:
                    raise _runtime_error(source, node, exc) from exc

            return compare

        chain = tuple(steps)

        def compare_chain(ctx: _Context) -> Any:
            a = left(ctx)
            for op, right, scans in chain:
                b = right(ctx)
                if scans and type(b) in _BULK:
                    ctx.charge(len(b))
                try:
                    result = op(a, b)
                except Exception as exc:
                    raise _runtime_error(source, node, exc) from exc
                if not result:
                    return result
                a = b
            return result

        return compare_chain

    @staticmethod
    def _membership_constant(right: _Evaluator) -> _Evaluator:
        """`x in ("a", "b")`: test against a frozenset when the probe is hashable."""
        container = right.constant  # type: ignore[attr-defined]
        if not isinstance(container, tuple):
            return right
        try:
            as_set = frozenset(container)
        except TypeError:  # pragma: no cover - constant tuples hold only hashable constants
            return right

        class _Members:
            __slots__ = ()

            def __contains__(self, item: Any) -> bool:
                try:
                    return item in as_set
                except TypeError:  # unhashable probe: fall back to equality, like a tuple
                    return item in container

        members = _Members()

        def constant(ctx: _Context) -> Any:
            return members

        return constant

    def _IfExp(self, node: ast.IfExp) -> _Evaluator:
        test = self.compile(node.test)
        body = self.compile(node.body)
        orelse = self.compile(node.orelse)

        def ifexp(ctx: _Context) -> Any:
            return body(ctx) if test(ctx) else orelse(ctx)

        return ifexp

    # -- containers

    def _Tuple(self, node: ast.Tuple) -> _Evaluator:
        items = tuple(self.compile(elt) for elt in node.elts)
        if all(hasattr(item, "constant") for item in items):
            value = tuple(item.constant for item in items)  # type: ignore[attr-defined]

            def constant(ctx: _Context) -> Any:
                return value

            constant.constant = value  # type: ignore[attr-defined]
            return constant

        def tuple_(ctx: _Context) -> Any:
            return tuple([item(ctx) for item in items])

        return tuple_

    def _List(self, node: ast.List) -> _Evaluator:
        items = tuple(self.compile(elt) for elt in node.elts)

        def list_(ctx: _Context) -> Any:
            return [item(ctx) for item in items]

        return list_

    def _Set(self, node: ast.Set) -> _Evaluator:
        items = tuple(self.compile(elt) for elt in node.elts)
        source = self.source

        def set_(ctx: _Context) -> Any:
            values = [item(ctx) for item in items]
            try:
                return set(values)
            except Exception as exc:
                raise _runtime_error(source, node, exc) from exc

        return set_

    def _Dict(self, node: ast.Dict) -> _Evaluator:
        pairs = tuple((self.compile(k), self.compile(v)) for k, v in zip(node.keys, node.values))
        source = self.source

        def dict_(ctx: _Context) -> Any:
            result = {}
            for key, value in pairs:
                k = key(ctx)
                v = value(ctx)
                try:
                    result[k] = v
                except Exception as exc:
                    raise _runtime_error(source, node, exc) from exc
            return result

        return dict_

    def _JoinedStr(self, node: ast.JoinedStr) -> _Evaluator:
        parts = tuple(self.compile(value) for value in node.values)
        source = self.source

        def fstring(ctx: _Context) -> Any:
            pieces = []
            size = 0
            for part in parts:
                piece = part(ctx)
                size += len(piece)
                if size > MAX_SEQUENCE:
                    raise SandboxError(f"text longer than {MAX_SEQUENCE} characters in '{_snippet(source, node)}'")
                pieces.append(piece)
            ctx.charge(size)
            return "".join(pieces)

        return fstring

    def _FormattedValue(self, node: ast.FormattedValue) -> _Evaluator:
        value = self.compile(node.value)
        source = self.source

        def formatted(ctx: _Context) -> Any:
            v = value(ctx)
            try:
                return _safe_str(v)
            except SandboxError:
                raise
            except Exception as exc:
                raise _runtime_error(source, node, exc) from exc

        return formatted

    # -- access

    def _Subscript(self, node: ast.Subscript) -> _Evaluator:
        target = self.compile(node.value)
        index = self.compile(node.slice)
        source = self.source

        def subscript(ctx: _Context) -> Any:
            container = target(ctx)
            key = index(ctx)
            if not isinstance(container, _SUBSCRIPTABLE):
                raise SandboxError(
                    f"cannot index a value of type {type(container).__name__} in '{_snippet(source, node)}'"
                )
            try:
                return container[key]
            except Exception as exc:
                raise _runtime_error(source, node, exc) from exc

        return subscript

    def _Slice(self, node: ast.Slice) -> _Evaluator:
        lower = self.compile(node.lower) if node.lower else None
        upper = self.compile(node.upper) if node.upper else None
        step = self.compile(node.step) if node.step else None

        def slice_(ctx: _Context) -> Any:
            return slice(
                lower(ctx) if lower else None,
                upper(ctx) if upper else None,
                step(ctx) if step else None,
            )

        return slice_

    def _Attribute(self, node: ast.Attribute) -> _Evaluator:
        """A data attribute (d.year); method calls are compiled by _Call."""
        target = self.compile(node.value)
        name = node.attr
        types = _DATA_ATTRIBUTES[name]
        source = self.source

        def attribute(ctx: _Context) -> Any:
            obj = target(ctx)
            if not isinstance(obj, types):
                raise SandboxError(
                    f"attribute '.{name}' is not available on a value of type {type(obj).__name__}"
                    f" in '{_snippet(source, node)}'"
                )
            return getattr(obj, name)

        return attribute

    def _Call(self, node: ast.Call) -> _Evaluator:
        args = tuple(self.compile(arg) for arg in node.args)
        kwargs = tuple((kw.arg, self.compile(kw.value)) for kw in node.keywords)
        source = self.source

        if isinstance(node.func, ast.Attribute):
            receiver = self.compile(node.func.value)
            name = node.func.attr
            types = _METHODS[name]

            def method_call(ctx: _Context) -> Any:
                obj = receiver(ctx)
                if not isinstance(obj, types):
                    raise SandboxError(
                        f"method '.{name}()' is not available on a value of type {type(obj).__name__}"
                        f" in '{_snippet(source, node)}'"
                    )
                positional = [arg(ctx) for arg in args]
                keywords = {key: value(ctx) for key, value in kwargs}
                if type(obj) in _BULK:  # str and list methods scan the receiver
                    ctx.charge(len(obj))
                try:
                    result = getattr(obj, name)(*positional, **keywords)
                except Exception as exc:
                    raise _runtime_error(source, node, exc) from exc
                if type(result) in _BULK:  # split() and friends
                    ctx.charge(len(result))
                return result

            return method_call

        name = node.func.id  # type: ignore[union-attr]
        scans = name in _SCANNING_FUNCTIONS

        def call(ctx: _Context) -> Any:
            function = None
            supplied = ctx.functions
            if supplied is not None:
                function = supplied.get(name)
            if function is None:
                function = DEFAULT_FUNCTIONS.get(name)
                if function is None:
                    raise SandboxError(f"function not supplied: {name}")
            positional = [arg(ctx) for arg in args]
            keywords = {key: value(ctx) for key, value in kwargs}
            if scans:
                for value in positional:
                    if type(value) in _BULK:
                        ctx.charge(len(value))
            try:
                result = function(*positional, **keywords)
            except SandboxError:
                raise
            except Exception as exc:
                raise _runtime_error(source, node, exc) from exc
            if type(result) in _BULK:
                ctx.charge(len(result))
            return result

        return call


# --------------------------------------------------------------------------- public API

@dataclass(frozen=True)
class Expression:
    """A parsed and checked expression, ready to be evaluated any number of times."""

    source: str
    _tree: ast.Expression = field(repr=False, compare=False)
    _run: _Evaluator = field(repr=False, compare=False)
    _names: frozenset[str] = field(repr=False, compare=False)
    _function_names: frozenset[str] = field(repr=False, compare=False, default=frozenset())

    def evaluate(self, variables: Mapping[str, Any], functions: Mapping[str, Callable] | None = None) -> Any:
        """Evaluate against `variables` (task data). `functions` adds to or overrides DEFAULT_FUNCTIONS."""
        try:
            return self._run(_Context(variables, functions or None))
        except SandboxError:
            raise
        except Exception as exc:  # a safety net: every failure must come out as SandboxError
            raise SandboxError(f"evaluation failed: {type(exc).__name__}: {exc}") from exc

    def names(self) -> set[str]:
        """free variable names used (not function names), for validation"""
        return set(self._names)


def compile_expression(source: str, function_names: Iterable[str] = ()) -> Expression:
    """Parse and statically check; raise SandboxError on syntax error or refused construct.
    `function_names`: names of extra callables that will be supplied at evaluate time, so that static checks
    can accept calls to them. Calls to names that are neither default functions nor in function_names are refused."""
    if not isinstance(source, str):
        raise SandboxError(f"an expression must be text, not {type(source).__name__}")
    if len(source) > MAX_SOURCE_CHARS:
        raise SandboxError(f"expression too long ({len(source)} characters, limit {MAX_SOURCE_CHARS})")
    text = source.strip()
    if not text:
        raise SandboxError("empty expression")
    indent = len(source) - len(source.lstrip())
    try:
        with warnings.catch_warnings():
            # "invalid decimal literal", "invalid escape sequence": not worth a log line per diagram
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        message = exc.msg or "invalid syntax"
        lines = text.splitlines() or [""]
        lineno = min(max(exc.lineno or 1, 1), len(lines))
        # offset is 1-based; CPython reports 0 when the expression ends too early
        column = exc.offset if exc.offset and exc.offset > 0 else len(lines[lineno - 1]) + 1
        if lineno == 1:
            column += indent
        where = f"line {lineno}, column {column}" if lineno > 1 else f"column {column}"
        raise SandboxError(f"syntax error at {where}: {message}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise SandboxError(f"syntax error: {type(exc).__name__}") from None
    functions = frozenset(function_names)
    free = _check_tree(tree, functions | DEFAULT_FUNCTIONS.keys())
    try:
        run = _Compiler(text).compile(tree.body)
    except RecursionError:  # pragma: no cover - depth is bounded by MAX_DEPTH
        raise SandboxError(f"expression nested too deeply (more than {MAX_DEPTH} levels)") from None
    return Expression(source, tree, run, free, functions)


@functools.lru_cache(maxsize=4096)
def _compile_cached(source: str, function_names: frozenset[str]) -> Expression:
    return compile_expression(source, function_names)


_NO_FUNCTIONS: frozenset[str] = frozenset()


def evaluate(source: str, variables: Mapping[str, Any], functions: Mapping[str, Callable] | None = None) -> Any:
    """compile_expression + evaluate; cache compiled expressions with functools.lru_cache keyed by (source, frozenset(function names))."""
    if not isinstance(source, str):
        raise SandboxError(f"an expression must be text, not {type(source).__name__}")
    names = frozenset(functions) if functions else _NO_FUNCTIONS
    return _compile_cached(source, names).evaluate(variables, functions)
