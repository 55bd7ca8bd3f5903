"""The operation registry: a diagram's service task names an operation, the runtime calls it.

An operation is `fn(ctx, **params) -> dict | None`; `ctx` is the engine's StepContext (session,
case, actor, clock), and the returned dict lands in the task's result variable.
"""
from __future__ import annotations

from typing import Callable

OPERATIONS: dict[str, Callable] = {}


def operation(name: str, *, required: tuple[str, ...] = ()) -> Callable[[Callable], Callable]:
    def register(fn: Callable) -> Callable:
        if name in OPERATIONS:
            raise ValueError(f"operation '{name}' is registered twice")
        fn.required_params = required
        fn.operation_name = name
        OPERATIONS[name] = fn
        return fn

    return register
