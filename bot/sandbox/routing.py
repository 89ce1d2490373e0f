"""How a collaborator declares the Bot API methods it implements, and the one table of them all.

A method is declared where it is written: :func:`api` marks a coroutine method as the Bot API
method named after it in camelCase (``send_message`` serves ``sendMessage``); :func:`api_each`
marks one implementation as several Bot API methods, each bound to its own argument.
:func:`route_table` finds the declarations on the collaborators it is given and refuses two
collaborators claiming the same method name, so no method is declared in a second place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from bot.sandbox.params import ApiMethod, JSONDict

_Impl = TypeVar("_Impl", bound=Callable[..., Any])

# Set on a declared function: the Bot API names it serves, each with the extra arguments it is
# called with after the request's parameters.
_DECLARED = "_bot_api_methods"


def api(impl: _Impl) -> _Impl:
    """Declare ``impl`` (``async def name(self, p)``) as the Bot API method ``name``, in
    camelCase."""
    return _declare(impl, {impl.__name__: ()})


def api_each(variants: Mapping[str, object]) -> Callable[[_Impl], _Impl]:
    """Declare ``impl`` (``async def impl(self, p, value)``) once per snake_case name in
    ``variants``: the Bot API method of that name in camelCase calls ``impl`` with its value."""

    def declare(impl: _Impl) -> _Impl:
        return _declare(impl, {name: (value,) for name, value in variants.items()})

    return declare


def route_table(*collaborators: object) -> dict[str, ApiMethod]:
    """Telegram's method names to the bound implementations the collaborators declare."""
    table: dict[str, ApiMethod] = {}
    claimed: set[str] = set()  # Telegram reads a method name in any letter case
    for collaborator in collaborators:
        for attribute in vars(type(collaborator)).values():
            declared: dict[str, tuple[object, ...]] = getattr(attribute, _DECLARED, {})
            for name, args in declared.items():
                method = camel_case(name)
                if method.lower() in claimed:
                    raise ValueError(f"Bot API method {method} is declared twice")
                claimed.add(method.lower())
                table[method] = _bind(attribute.__get__(collaborator), args)
    return table


def camel_case(name: str) -> str:
    """``send_video_note`` → ``sendVideoNote``: Telegram's spelling of a method name."""
    first, *rest = name.split("_")
    return first + "".join(word.title() for word in rest)


def _bind(method: Callable[..., Awaitable[Any]], args: tuple[object, ...]) -> ApiMethod:
    """``method`` called with the request's parameters, then ``args``."""
    if not args:
        return method

    async def call(p: JSONDict) -> Any:
        return await method(p, *args)

    return call


def _declare(impl: _Impl, names: dict[str, tuple[object, ...]]) -> _Impl:
    setattr(impl, _DECLARED, {**getattr(impl, _DECLARED, {}), **names})
    return impl
