"""Evaluate HCL expressions as far as the files determine them.

Literals, variables with a default or a tfvars value, locals and a handful of
pure functions are computed; anything else (a variable with no value, a data
source, a resource attribute known only after apply) becomes an ``Unknown``
that carries the reason, so a rule can say "could not be determined" instead
of guessing.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from checker.loaders.hcl import Attribute, Expr
from checker.model import Reference, SourceLocation, Unknown

MAX_DEPTH = 64
_RESOURCE_ROOTS_NOT_RESOURCES = {"var", "local", "module", "data", "each", "count", "self", "path", "terraform"}


class EvalFailure(Exception):
    """A deterministic evaluation error (a missing key on a known map): what ``try()`` catches."""


@functools.lru_cache(maxsize=1 << 16)
def source_location(path: str, line: int) -> SourceLocation:
    """The place ``path:line``, shared: a module read once per caller would otherwise make the same place
    thousands of times."""
    return SourceLocation(path, line)


@dataclass(slots=True, unsafe_hash=True)  # not frozen, for speed: see checker.model
class Located:
    value: Any
    location: SourceLocation | None


class LocatedDict(dict[str, Any]):
    """An object written in a file, remembering where each of its keys was written.

    Values travel far from where they are written (an example passes a map to a
    module, which unpacks it in a ``dynamic`` block); the finding should point
    at the line that set the value, so objects carry their keys' lines along.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locations: dict[str, SourceLocation] = {}


class Scope:
    """What names mean while evaluating: variables, locals, iterators, and the file being read.

    Children made for an iterator or another file share the parent's memo of local
    values, so a local is computed once per module instance however often it is read.
    """

    __slots__ = ("variables", "locals", "iterators", "path", "_local_values", "_resolving", "_last_lookup")

    def __init__(
        self,
        variables: Mapping[str, Located] | None = None,
        locals: Mapping[str, tuple[Attribute, str]] | None = None,
        iterators: dict[str, Any] | None = None,
        path: str = "",
    ) -> None:
        self.variables: Mapping[str, Located] = {} if variables is None else variables
        self.locals: Mapping[str, tuple[Attribute, str]] = {} if locals is None else locals
        self.iterators: dict[str, Any] = {} if iterators is None else iterators
        self.path = path
        self._local_values: dict[str, Any] = {}
        self._resolving: set[str] = set()
        self._last_lookup: list[Any] = []

    def _child(self, iterators: dict[str, Any], path: str) -> Scope:
        child = Scope.__new__(Scope)
        child.variables, child.locals, child.iterators, child.path = self.variables, self.locals, iterators, path
        child._local_values, child._resolving, child._last_lookup = (
            self._local_values, self._resolving, self._last_lookup)
        return child

    def with_iterators(self, **bound: Any) -> Scope:
        return self._child({**self.iterators, **bound}, self.path)

    def at(self, path: str) -> Scope:
        if path == self.path:
            return self
        return self._child(self.iterators, path)

    def _looked_up(self, container: Any, key: str, value: Any) -> None:
        if isinstance(container, LocatedDict) and key in container.locations:
            self._last_lookup[:] = [value, container.locations[key]]


def evaluate(expr: Expr, scope: Scope, path: str | None = None) -> Any:
    """Value of ``expr``, or an ``Unknown`` explaining why it cannot be known."""
    return evaluate_located(expr, scope, path)[0]


def evaluate_located(expr: Expr, scope: Scope, path: str | None = None) -> tuple[Any, SourceLocation | None]:
    """The value, and where it was really written when it was passed through from elsewhere."""
    kind = expr.kind
    if kind == "literal":
        return expr.args[0], None
    if path is not None and path != scope.path:
        scope = scope.at(path)
    last = scope._last_lookup
    last.clear()
    handler = _KINDS.get(kind)
    try:
        value = handler(expr, scope, 0) if handler is not None else _eval(expr, scope, 0)
    except EvalFailure as exc:
        value = Unknown(f"evaluation error: {exc}", expr.text)
    except RecursionError:
        value = Unknown("expression nested too deeply", expr.text[:200])
    looked_up = last[1] if last and last[0] is value and kind in _PASSING_THROUGH else None
    return value, looked_up or (origin(expr, scope) if kind == "traversal" else None)


_PASSING_THROUGH = frozenset(("traversal", "apply", "call"))


def origin(expr: Expr, scope: Scope, depth: int = 0) -> SourceLocation | None:
    """Where a value that is only passed through (``var.x``, ``local.y``) was really written."""
    if depth > MAX_DEPTH or expr.kind != "traversal" or len(expr.args) < 2 or not isinstance(expr.args[1], str):
        return None
    root, name = expr.args[0], expr.args[1]
    if root == "var" and name in scope.variables:
        return scope.variables[name].location
    if root == "local" and name in scope.locals and len(expr.args) == 2:
        attribute, path = scope.locals[name]
        return origin(attribute.expr, scope, depth + 1) or source_location(path, attribute.line)
    return None


def _eval(expr: Expr, scope: Scope, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise RecursionError
    kind = expr.kind
    if kind == "literal":
        return expr.args[0]
    handler = _KINDS.get(kind)
    if handler is None:
        return Unknown(f"unsupported expression ({expr.args[0]})", expr.text)
    return handler(expr, scope, depth)


def _tuple(expr: Expr, scope: Scope, depth: int) -> Any:
    return [_eval(item, scope, depth + 1) for item in expr.args]


def _object(expr: Expr, scope: Scope, depth: int) -> Any:
    result = LocatedDict()
    for key_expr, value_expr in expr.args:
        key = _eval(key_expr, scope, depth + 1)
        if isinstance(key, Unknown):
            return Unknown(f"object key is not known ({key.reason})", expr.text)
        text = _to_string(key)
        result[text] = _eval(value_expr, scope, depth + 1)
        if scope.path:
            result.locations[text] = source_location(scope.path, value_expr.line)
    return result


def _apply(expr: Expr, scope: Scope, depth: int) -> Any:
    base = _eval(expr.args[0], scope, depth + 1)
    return _steps(base, expr.args[1], scope, depth, expr)


def _unary(expr: Expr, scope: Scope, depth: int) -> Any:
    operand = _eval(expr.args[1], scope, depth + 1)
    if isinstance(operand, Unknown):
        return operand
    if expr.args[0] == "!":
        return not _truthy(operand, expr)
    return -_number(operand, expr)


def _template(expr: Expr, scope: Scope, depth: int) -> Any:
    if len(expr.args) == 1 and isinstance(expr.args[0], Expr):
        return _eval(expr.args[0], scope, depth + 1)
    pieces: list[str] = []
    for part in expr.args:
        if isinstance(part, str):
            pieces.append(part)
            continue
        value = _eval(part, scope, depth + 1)
        if isinstance(value, Unknown):
            return Unknown(value.reason, expr.text)
        pieces.append(_to_string(value))
    return "".join(pieces)


def _traversal(expr: Expr, scope: Scope, depth: int) -> Any:
    steps = expr.args
    root = steps[0]
    if root in scope.iterators:
        return _steps(scope.iterators[root], steps[1:], scope, depth, expr)
    if root == "var" and len(steps) >= 2:
        name = steps[1]
        if name not in scope.variables:
            return Unknown(f"variable `{name}` is not declared", expr.text)
        value = scope.variables[name].value
        return value if len(steps) == 2 else _steps(value, steps[2:], scope, depth, expr)
    if root == "local" and len(steps) >= 2:
        value = _local(str(steps[1]), scope, depth, expr)
        return value if len(steps) == 2 else _steps(value, steps[2:], scope, depth, expr)
    if root == "data":
        return Unknown("read from a data source at plan time", expr.text)
    if root == "module":
        return Unknown("output of a module call", expr.text)
    if root in ("each", "count", "self", "path", "terraform"):
        return Unknown(f"`{root}` is known only per instance or at run time", expr.text)
    if len(steps) >= 2 and isinstance(steps[1], str) and root not in _RESOURCE_ROOTS_NOT_RESOURCES:
        attribute = ""
        for step in steps[2:]:
            if isinstance(step, str):
                attribute = step
                break
        target = f"{root}.{steps[1]}"
        return Reference(f"refers to {target}", expr.text, target=target, attribute=attribute)
    return Unknown(f"unknown name `{root}`", expr.text)


def _local(name: str, scope: Scope, depth: int, expr: Expr) -> Any:
    if name in scope._local_values:
        return scope._local_values[name]
    if name not in scope.locals:
        return Unknown(f"local `{name}` is not declared", expr.text)
    if name in scope._resolving:
        return Unknown(f"local `{name}` refers to itself", expr.text)
    scope._resolving.add(name)
    attribute, path = scope.locals[name]
    try:
        value = _eval(attribute.expr, Scope(scope.variables, scope.locals, path=path), depth + 1)
    except EvalFailure as exc:
        value = Unknown(f"evaluation error: {exc}", expr.text)
    finally:
        scope._resolving.discard(name)
    scope._local_values[name] = value
    return value


def _steps(value: Any, steps: list[Any] | tuple[Any, ...], scope: Scope, depth: int, expr: Expr) -> Any:
    for position, step in enumerate(steps):
        if isinstance(value, Unknown):
            return value if isinstance(value, Reference) else Unknown(value.reason, expr.text)
        if isinstance(step, tuple) and step and step[0] == "splat":
            return _splat(value, list(steps[position + 1 :]), scope, depth, expr)
        key = _eval(step, scope, depth + 1) if isinstance(step, Expr) else step
        if isinstance(key, Unknown):
            return Unknown(f"index is not known ({key.reason})", expr.text)
        container, value = value, _index(value, key)
        if isinstance(container, LocatedDict):
            scope._looked_up(container, _to_string(key), value)
    return value


def _splat(value: Any, rest: list[Any], scope: Scope, depth: int, expr: Expr) -> Any:
    items = value if isinstance(value, list) else ([] if value is None else [value])
    return [_steps(item, rest, scope, depth, expr) for item in items]


def _index(value: Any, key: Any) -> Any:
    if isinstance(value, (dict, Mapping)):
        text = _to_string(key)
        if text not in value:
            raise EvalFailure(f"no key `{text}`")
        return value[text]
    if isinstance(value, list):
        if isinstance(key, bool) or not isinstance(key, (int, float, str)):
            raise EvalFailure("list index must be a number")
        try:
            position = int(key)
        except ValueError:
            raise EvalFailure(f"list index `{key}` is not a number") from None
        if not 0 <= position < len(value):
            raise EvalFailure(f"index {position} out of range")
        return value[position]
    raise EvalFailure(f"cannot index a {type(value).__name__}")


def _conditional(expr: Expr, scope: Scope, depth: int) -> Any:
    condition = _eval(expr.args[0], scope, depth + 1)
    if isinstance(condition, Unknown):
        yes, no = _eval(expr.args[1], scope, depth + 1), _eval(expr.args[2], scope, depth + 1)
        if not isinstance(yes, Unknown) and yes == no:
            return yes
        return Unknown(f"condition is not known ({condition.reason})", expr.text)
    branch = expr.args[1] if _truthy(condition, expr) else expr.args[2]
    return _eval(branch, scope, depth + 1)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: bool(a < b),
    "<=": lambda a, b: bool(a <= b),
    ">": lambda a, b: bool(a > b),
    ">=": lambda a, b: bool(a >= b),
}
_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "%": lambda a, b: a % b,
}


def _binary(expr: Expr, scope: Scope, depth: int) -> Any:
    op, left_expr, right_expr = expr.args
    left = _eval(left_expr, scope, depth + 1)
    if op in ("&&", "||") and not isinstance(left, Unknown):
        if (op == "&&") != _truthy(left, expr):
            return op == "||"
        right = _eval(right_expr, scope, depth + 1)
        return right if isinstance(right, Unknown) else _truthy(right, expr)
    right = _eval(right_expr, scope, depth + 1)
    if op in ("&&", "||") and isinstance(left, Unknown) and not isinstance(right, Unknown):
        if (op == "&&") != _truthy(right, expr):
            return op == "||"
    for side in (left, right):
        if isinstance(side, Unknown):
            return Unknown(side.reason, expr.text)
    if op == "==":
        return _normal(left) == _normal(right)
    if op == "!=":
        return _normal(left) != _normal(right)
    if op in _COMPARE:
        return _COMPARE[op](_number(left, expr), _number(right, expr))
    if op in _ARITHMETIC:
        try:
            return _ARITHMETIC[op](_number(left, expr), _number(right, expr))
        except ZeroDivisionError:
            raise EvalFailure("division by zero") from None
    return Unknown(f"unsupported operator `{op}`", expr.text)


def _normal(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    if isinstance(value, (int, float)):
        return float(value)
    return value


def _truthy(value: Any, expr: Expr) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise EvalFailure(f"`{expr.text[:60]}` is not a bool")


def _number(value: Any, expr: Expr) -> int | float:
    if isinstance(value, bool):
        raise EvalFailure(f"`{expr.text[:60]}` is not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise EvalFailure(f"`{value[:40]}` is not a number") from None
        return int(number) if number.is_integer() else number
    raise EvalFailure(f"`{expr.text[:60]}` is not a number")


def _to_string(value: Any) -> str:
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, str)):
        return str(value)
    if value is None:
        raise EvalFailure("null in a string")
    raise EvalFailure(f"a {type(value).__name__} is not a string")


def _for(expr: Expr, scope: Scope, depth: int) -> Any:
    names, collection_expr = expr.args[0], expr.args[1]
    collection = _eval(collection_expr, scope, depth + 1)
    if isinstance(collection, Unknown):
        return Unknown(collection.reason, expr.text)
    if isinstance(collection, Mapping):
        pairs = list(collection.items())
    elif isinstance(collection, list):
        pairs = list(enumerate(collection))
    else:
        raise EvalFailure("for expression over a value that is not a collection")
    condition = expr.args[4] if expr.kind == "for_object" else expr.args[3]
    tuple_out: list[Any] = []
    object_out: dict[str, Any] = {}
    for key, value in pairs:
        bound = {names[0]: value} if len(names) == 1 else {names[0]: key, names[1]: value}
        inner = scope.with_iterators(**bound)
        if condition is not None:
            keep = _eval(condition, inner, depth + 1)
            if isinstance(keep, Unknown):
                return Unknown(keep.reason, expr.text)
            if not _truthy(keep, expr):
                continue
        if expr.kind == "for_tuple":
            tuple_out.append(_eval(expr.args[2], inner, depth + 1))
            continue
        out_key = _eval(expr.args[2], inner, depth + 1)
        if isinstance(out_key, Unknown):
            return Unknown(out_key.reason, expr.text)
        out_value = _eval(expr.args[3], inner, depth + 1)
        if expr.args[5]:
            object_out.setdefault(_to_string(out_key), []).append(out_value)
        else:
            object_out[_to_string(out_key)] = out_value
    return tuple_out if expr.kind == "for_tuple" else object_out


def _call(expr: Expr, scope: Scope, depth: int) -> Any:
    name, arg_exprs = expr.args
    if name == "try":
        for arg in arg_exprs:
            try:
                return _eval(arg, scope, depth + 1)
            except EvalFailure:
                continue
        raise EvalFailure("no argument of try() could be evaluated")
    if name == "can":
        try:
            value = _eval(arg_exprs[0], scope, depth + 1)
        except EvalFailure:
            return False
        return value if isinstance(value, Unknown) else True
    function = _FUNCTIONS.get(name)
    if function is None:
        return Unknown(f"function `{name}()` is not evaluated", expr.text)
    values = [_eval(arg, scope, depth + 1) for arg in arg_exprs]
    if name == "coalesce":
        for value in values:
            if isinstance(value, Unknown):
                return Unknown(value.reason, expr.text)
            if value not in (None, ""):
                return value
        raise EvalFailure("coalesce() found no non-empty value")
    unknown = next((v for v in values if isinstance(v, Unknown)), None)
    if unknown is None and name not in _STRUCTURAL:
        unknown = _first_unknown(values)
    if unknown is not None:
        return Unknown(unknown.reason, expr.text)
    try:
        result = function(*values)
        if name == "lookup" and len(values) >= 2 and isinstance(values[1], str):
            scope._looked_up(values[0], values[1], result)
        return result
    except EvalFailure:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        raise EvalFailure(f"{name}(): {exc}") from None


def _first_unknown(value: Any) -> Unknown | None:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        for item in value:
            found = _first_unknown(item)
            if found is not None:
                return found
    if isinstance(value, Mapping):
        return _first_unknown(list(value.values()))
    return None


def _lookup(mapping: Mapping[str, Any], key: Any, *default: Any) -> Any:
    text = _to_string(key)
    if text in mapping:
        return mapping[text]
    if default:
        return default[0]
    raise EvalFailure(f"no key `{text}`")


def _flatten(value: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in value:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _merge(*maps: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mapping in maps:
        if mapping is None:
            continue
        out.update(mapping)
    return out


def _format(spec: str, *values: Any) -> str:
    pieces = iter(values)
    return re.sub(r"%[-+ #0-9.]*[sdvfqt%]", lambda m: "%" if m.group() == "%%" else _to_string(next(pieces)), spec)


_STRUCTURAL = {"lookup", "tolist", "tomap", "length", "concat", "merge", "flatten", "keys", "values"}
"""Functions that only rearrange collections, so an unknown item inside does not make the result unknown."""

_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "lookup": _lookup,
    "tolist": lambda v: list(v),
    "toset": lambda v: sorted(set(v), key=str),
    "tomap": lambda v: dict(v),
    "tostring": _to_string,
    "tonumber": lambda v: v if isinstance(v, (int, float)) else float(v),
    "tobool": lambda v: v if isinstance(v, bool) else {"true": True, "false": False}[v],
    "lower": lambda v: v.lower(),
    "upper": lambda v: v.upper(),
    "trimspace": lambda v: v.strip(),
    "length": len,
    "concat": lambda *lists: [item for items in lists for item in items],
    "merge": _merge,
    "coalesce": lambda *v: v,  # evaluated lazily in _call
    "flatten": _flatten,
    "keys": lambda m: sorted(m),
    "values": lambda m: [m[k] for k in sorted(m)],
    "contains": lambda collection, v: v in collection,
    "compact": lambda items: [i for i in items if i not in (None, "")],
    "join": lambda sep, items: sep.join(_to_string(i) for i in items),
    "split": lambda sep, text: text.split(sep),
    "format": _format,
    "min": min,
    "max": max,
    "distinct": lambda items: list(dict.fromkeys(items)),
}

_KINDS: dict[str, Callable[[Expr, Scope, int], Any]] = {
    "template": _template,
    "tuple": _tuple,
    "object": _object,
    "traversal": _traversal,
    "apply": _apply,
    "conditional": _conditional,
    "binary": _binary,
    "unary": _unary,
    "call": _call,
    "for_tuple": _for,
    "for_object": _for,
}
"""How each kind of expression is evaluated (``literal`` is handled inline, being most of them)."""



def convert(value: Any, type_expr: Expr, path: str = "") -> Any:
    """Convert a variable's value to its declared type, as Terraform does before a module sees it.

    What matters here is ``object({...})``: attributes the caller left out become
    null, or the default of ``optional(type, default)``, so a module reading
    ``var.x.attr`` sees what Terraform would instead of a missing key.
    """
    try:
        return _convert(value, type_expr, path, 0)
    except (EvalFailure, RecursionError):
        return value


def _convert(value: Any, type_expr: Expr, path: str, depth: int) -> Any:
    if depth > MAX_DEPTH or isinstance(value, Unknown) or type_expr.kind != "call":
        return value
    name, args = type_expr.args
    if not args:
        return value
    if name == "optional":
        if value is None and len(args) > 1:
            value = _eval(args[1], Scope(path=path), 0)
        return _convert(value, args[0], path, depth + 1)
    if name == "object" and args[0].kind == "object" and isinstance(value, Mapping):
        out = LocatedDict()
        if isinstance(value, LocatedDict):
            out.locations.update(value.locations)
        for key_expr, attr_type in args[0].args:
            key = key_expr.args[0] if key_expr.kind == "literal" else None
            if not isinstance(key, str):
                return value
            out[key] = _convert(value.get(key), attr_type, path, depth + 1)
        return out
    if name == "map" and isinstance(value, Mapping):
        converted = LocatedDict({k: _convert(v, args[0], path, depth + 1) for k, v in value.items()})
        if isinstance(value, LocatedDict):
            converted.locations.update(value.locations)
        return converted
    if name in ("list", "set") and isinstance(value, list):
        return [_convert(item, args[0], path, depth + 1) for item in value]
    return value
