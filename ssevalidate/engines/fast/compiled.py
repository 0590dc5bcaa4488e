"""Each shape compiled into one Python function that runs all its components.

Calling one object per component per focus node costs more than most checks do: a record of
the core profile meets about 70 components, and each call built a list and called a method per
value. A component that can say what it accepts as a Python expression over ``value``
(:meth:`~ssevalidate.engines.fast.components.ValueCheck.condition`) or what it finds as
statements (``statements``) is written into the shape's function; any other is called as it is.
The functions are built once per plan, from the same component objects, so they give the same
results (the differential tests compare them with pySHACL's).

>>> check = compile_check(shape)  # doctest: +SKIP
>>> check(evaluation, focus, values, evaluation.violations.append)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from ssevalidate.engines.fast.components import Component
    from ssevalidate.engines.fast.datagraph import Term
    from ssevalidate.engines.fast.evaluation import Evaluation
    from ssevalidate.engines.fast.shapes import Shape

Check = Callable[["Evaluation", "Term", Sequence["Term"], Callable], None]
"""``check(evaluation, focus, values, append)``: appends (shape, component, focus, violation)."""
Accepts = Callable[["Evaluation", "Term"], bool]
Bind = Callable[[object], str]
"""Names a constant for generated code (:meth:`Namespace.bind`)."""


class Namespace:
    """The constants a generated function reads, each bound to a global name once."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {
            "Literal": ox.Literal,
            "NamedNode": ox.NamedNode,
            "BlankNode": ox.BlankNode,
        }
        self._names: dict[int, str] = {}

    def bind(self, value: object) -> str:
        name = self._names.get(id(value))
        if name is None:
            name = self._names[id(value)] = f"k{len(self._names)}"
            self.values[name] = value
        return name

    def define(self, source: str) -> Callable:
        """The one function ``source`` defines, reading the bound constants as globals."""
        defined: dict[str, Callable] = {}
        exec(compile(source, "<compiled shape>", "exec"), self.values, defined)
        [function] = defined.values()
        return function


def compile_check(shape: Shape) -> Check:
    """The function running the components of ``shape`` it evaluates one by one
    (:attr:`Shape.own`) on the value nodes of one focus node."""
    if shape.deactivated:
        return nothing
    namespace = Namespace()
    bind = namespace.bind
    components = shape.own
    lines = ["def check(ev, focus, values, append):"]
    on_empty = [c for c in components if c in shape.on_empty]
    lines.append("    if not values:")
    lines.extend("        " + line for c in on_empty for line in _statements(shape, c, bind))
    lines.append("        return")
    value_checks = [c for c in components if _is_value_check(c)]
    if value_checks:
        conditions = [(c, c.condition(bind)) for c in value_checks]
        lines.append("    for value in values:")
        lines.append("        if " + " and ".join(f"({text})" for _, text in conditions) + ":")
        lines.append("            continue")
        for component, text in conditions:
            lines.append(f"        if not ({text}):")
            lines.append(f"            append(({bind(shape)}, {bind(component)}, focus, value))")
    for component in components:
        if not _is_value_check(component):
            lines.extend("    " + line for line in _statements(shape, component, bind))
    return namespace.define("\n".join(lines) + "\n")


def compile_accepts(shape: Shape) -> Accepts | None:
    """``accepts(ev, value)``: whether a value conforms to a shape of value checks only (a
    :attr:`Shape.simple` one), without the memo and the result list; None for other shapes."""
    if not shape.simple:
        return None
    if shape.deactivated:
        return lambda ev, value: True
    namespace = Namespace()
    text = " and ".join(f"({c.condition(namespace.bind)})" for c in shape.components)
    return namespace.define(f"def accepts(ev, value):\n    return {text or True}\n")


def _is_value_check(component: Component) -> bool:
    return hasattr(component, "condition")


def _statements(shape: Shape, component: Component, bind: Bind) -> list[str]:
    """Lines appending the violations of a component that is not a value check."""
    own = component.statements(bind, f"{bind(shape)}, {bind(component)}")
    if own is not None:
        return own
    name = bind(component)
    return [
        f"for found in {name}.evaluate(ev, focus, values):",
        f"    append(({bind(shape)}, {name}, focus, found))",
    ]


def nothing(ev: Evaluation, focus: Term, values: Sequence[Term], append: Callable) -> None:
    """The check of a deactivated shape."""


__all__ = ["Bind", "Check", "Namespace", "compile_accepts", "compile_check", "nothing"]
