"""A mypy plugin that tells mypy three things Reflex does at run time (see pyproject.toml).

1. A state's base var read on the class (`FeedState.posts`, in page and component code) is a Var,
   not the value its annotation names: Reflex's state metaclass puts a `Field` descriptor there,
   whose `__get__` gives a `StringVar` for a `str`, a `NumberVar` for an `int`, an `ArrayVar` for a
   list, an `ObjectVar` for a row, and so on. Reflex types that for fields declared as
   `rx.Field[...]` only; ours are declared the usual way (`posts: list[PostRow] = []`), so the
   plugin gives each class-level read the type that `Field.__get__` gives (in
   reflex_base/vars/base.py), and the checker sees `FeedState.posts.length()` or
   `rx.cond(PopupState.card.is_self, ...)` as what they are. Reads on an instance (`self.posts` in
   a handler) keep the annotated type.
2. A method decorated with `@rx.event` (or `@rx.event(background=True)`), read on the class
   (`FeedState.load_home`, `UserPopupState.open_card(username)`), is an `EventHandler`, which
   is what Reflex's state metaclass puts there. Reflex types it as an `EventCallback` with
   variadic generics that mypy cannot resolve (it makes the handler Any).
3. `rx.event.EventSpec` in an annotation is the class `EventSpec`: `rx.event` is a class whose
   attributes alias Reflex's event classes, which mypy takes for variables, not types.

Anything else, a misspelt state var or handler included, is checked as usual.
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.nodes import CallExpr, Decorator, MypyFile, RefExpr, TypeInfo
from mypy.nodes import Var as VarNode
from mypy.plugin import AnalyzeTypeContext, AttributeContext, Plugin
from mypy.types import Instance, NoneType, Type, UnionType, get_proper_type

STATE_BASE = "reflex.state.BaseState"
EVENT_MODULE = "reflex_base.event"
EVENT_DECORATOR = f"{EVENT_MODULE}.EventNamespace"
EVENT_HANDLER = f"{EVENT_MODULE}.EventHandler"
EVENT_CALLBACK = f"{EVENT_MODULE}.EventCallback"
EVENT_DECORATOR_NAME = f"{EVENT_MODULE}.event"  # `event = EventNamespace`, exported as rx.event
VARS = "reflex_base.vars"
# The modules whose classes the plugin names; loaded for every module of the project.
VAR_MODULES = tuple(f"{VARS}.{name}" for name in ("base", "number", "sequence", "object"))


class ReflexPlugin(Plugin):
    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        if not file.fullname.startswith("microblog"):
            return []
        return [(10, module, -1) for module in (*VAR_MODULES, "reflex_base.event")]

    def get_class_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        owner, _, name = fullname.rpartition(".")
        info = self._state_class(owner)
        if info is None or name.startswith("_"):
            return None
        node = info.get(name)
        if node is not None and isinstance(node.node, Decorator) and _is_handler(node.node):
            return self._event_handler
        if node is None or not isinstance(node.node, VarNode) or node.node.is_classvar:
            return None  # a computed var, a method or a ClassVar: typed by Reflex
        return self._field_var

    def get_type_analyze_hook(self, fullname: str) -> Callable[[AnalyzeTypeContext], Type] | None:
        owner, _, name = fullname.rpartition(".")
        if owner != EVENT_DECORATOR:
            return None
        target = f"{EVENT_MODULE}.{name}"
        sym = self.lookup_fully_qualified(target)
        if sym is None or not isinstance(sym.node, TypeInfo):
            return None

        def the_class(ctx: AnalyzeTypeContext) -> Type:
            return ctx.api.named_type(target, [ctx.api.analyze_type(arg) for arg in ctx.type.args])

        return the_class

    def _state_class(self, fullname: str) -> TypeInfo | None:
        sym = self.lookup_fully_qualified(fullname)
        if sym is None or not isinstance(sym.node, TypeInfo):
            return None
        return sym.node if any(base.fullname == STATE_BASE for base in sym.node.mro) else None

    def _instance(self, fullname: str, args: list[Type]) -> Instance:
        sym = self.lookup_fully_qualified(fullname)
        assert sym is not None and isinstance(sym.node, TypeInfo), fullname
        return Instance(sym.node, args)

    def _field_var(self, ctx: AttributeContext) -> Type:
        """The Var that `Field.__get__(None, owner)` gives for a field of this type."""
        declared = get_proper_type(ctx.default_attr_type)
        if isinstance(declared, UnionType):  # `T | None` reads as T's Var, as in Field's overloads
            items = [get_proper_type(item) for item in declared.items]
            not_none = [item for item in items if not isinstance(item, NoneType)]
            if len(not_none) == 1:
                declared = not_none[0]
        if isinstance(declared, NoneType):
            return self._instance(f"{VARS}.base.NoneVar", [])
        if isinstance(declared, Instance):
            name = declared.type.fullname
            if name == "builtins.bool":
                return self._instance(f"{VARS}.number.BooleanVar", [])
            if name in ("builtins.int", "builtins.float"):
                return self._instance(f"{VARS}.number.NumberVar", [declared])
            if name == "builtins.str":
                return self._instance(f"{VARS}.sequence.StringVar", [declared])
            if declared.type.has_base("typing.Sequence"):
                return self._instance(f"{VARS}.sequence.ArrayVar", [declared])
            return self._instance(f"{VARS}.object.ObjectVar", [declared])
        return self._instance(f"{VARS}.base.Var", [ctx.default_attr_type])

    def _event_handler(self, ctx: AttributeContext) -> Type:
        return self._instance(EVENT_HANDLER, [])


def _is_handler(decorated: Decorator) -> bool:
    """Decorated with `@rx.event` or `@rx.event(...)`: seen in the decorators of a module being
    checked, or in the decorated type (an EventCallback) of one read from mypy's cache, which
    keeps no decorator expressions."""
    for decorator in decorated.original_decorators:
        target = decorator.callee if isinstance(decorator, CallExpr) else decorator
        if isinstance(target, RefExpr) and target.fullname == EVENT_DECORATOR_NAME:
            return True
    declared = get_proper_type(decorated.var.type)
    return isinstance(declared, Instance) and declared.type.fullname == EVENT_CALLBACK


def plugin(version: str) -> type[Plugin]:
    return ReflexPlugin
