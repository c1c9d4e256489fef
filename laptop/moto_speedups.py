"""moto's DynamoDB with the same answers for less CPU: the local stack's and the tests' biggest cost.

A sign-in's three conditional UpdateItems cost moto about 18 ms of CPU (the triggers' own code about
5 ms), because for every request moto
- parses the UpdateExpression and the ConditionExpression again (the same few strings every time);
- rebuilds each tree walker's dispatch table at every node it visits;
- re-checks the clause counts and overlapping paths at every nested level of the update, which is
  quadratic in the clauses (an issue write sets ten attributes).

It also loads the user pools' signing key once (moto imports the same bundled RSA key for every
pool, and recovering its primes was most of the CPU of starting a local stack), and keeps botocore's
service models across moto's sessions: each mock starts a new default boto3 session, whose clients
would otherwise parse the same model files again.

`faster_moto()` caches the parsed trees (moto never changes them: its validators work on a deep
copy, and the condition's values are filled in per request) and checks the update's clauses once, at
the root, whose clauses include every nested one's: an expression is refused exactly when moto refuses
it, though when it breaks two rules at once the error may name the other one.

It patches private code of one moto release (PINNED_MOTO); with any other, moto runs unpatched.
tests/integration/test_moto_speedups.py sends the same requests with and without it and compares
every answer, error and stored item.
"""

from __future__ import annotations

import copy
import functools
import importlib
import json
import threading
import types
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from importlib.metadata import version
from typing import Any

import botocore.loaders
import botocore.session
from joserfc import jwk as joserfc_jwk
from moto.dynamodb import comparisons
from moto.dynamodb.parsing import validators

# moto marks these two modules as untyped (a file-level type: ignore), so mypy sees no attributes.
ast_nodes: Any = importlib.import_module("moto.dynamodb.parsing.ast_nodes")
expressions: Any = importlib.import_module("moto.dynamodb.parsing.expressions")
_BASE_CHILD_HOOK = ast_nodes.DepthFirstTraverser.pre_processing_of_child

# requirements-dev.txt's moto. When that changes, test_moto_speedups fails until this follows it, which
# is the moment to check the patched functions against the new release.
PINNED_MOTO = "5.2.5"
_CACHED_EXPRESSIONS = 512
_LOCK = threading.Lock()
# ConditionExpressionParser.parse's steps after lexing, in its order.
_CONDITION_STEPS = (
    "_parse_paths",
    "_apply_functions",
    "_apply_comparator",
    "_apply_in",
    "_apply_between",
    "_apply_parens_and_booleans",
)


@contextmanager
def faster_moto() -> Iterator[bool]:
    """Patch moto until the block ends; yields whether it did (only on PINNED_MOTO)."""
    if version("moto") != PINNED_MOTO:
        yield False
        return
    with ExitStack() as undo:
        _cache_update_expressions(undo)
        _cache_condition_syntax(undo)
        _walk_trees_cheaper(undo)
        _check_clauses_at_the_root(undo)
        _load_the_pool_key_once(undo)
        _share_service_models(undo)
        yield True


def _patch(undo: ExitStack, owner: Any, name: str, replacement: Any) -> None:  # noqa: ANN401 - moto's classes
    if name in owner.__dict__:
        undo.callback(setattr, owner, name, owner.__dict__[name])
    else:  # inherited: removing ours uncovers it again
        undo.callback(delattr, owner, name)
    setattr(owner, name, replacement)


def _patch_module(undo: ExitStack, module: Any, name: str, replacement: Any) -> None:  # noqa: ANN401
    undo.callback(setattr, module, name, getattr(module, name))
    setattr(module, name, replacement)


def _share_service_models(undo: ExitStack) -> None:
    """New botocore sessions read their models through one loader, which caches what it has parsed.
    The models are data botocore never changes once loaded."""
    _patch_module(undo, botocore.session, "create_loader", _shared_loader)


@functools.lru_cache(maxsize=4)
def _shared_loader(search_path: str | None = None) -> botocore.loaders.Loader:
    return botocore.loaders.create_loader(search_path)


def _load_the_pool_key_once(undo: ExitStack) -> None:
    """Every pool gets the key object the first one imported. moto reads the same file each time, a
    key object is never changed after import, and signing with one is safe from many threads."""
    models: Any = importlib.import_module("moto.cognitoidp.models")
    _patch_module(undo, models, "jwk", types.SimpleNamespace(RSAKey=_OnceImportedRSAKey))


@functools.lru_cache(maxsize=4)
def _imported_key(document: str) -> Any:  # noqa: ANN401 - joserfc's key
    return joserfc_jwk.RSAKey.import_key(json.loads(document))


class _OnceImportedRSAKey:
    @staticmethod
    def import_key(value: Any) -> Any:  # noqa: ANN401 - joserfc's own types
        return _imported_key(json.dumps(value, sort_keys=True))


def _cache_update_expressions(undo: ExitStack) -> None:
    parser = expressions.UpdateExpressionParser
    make = parser.make  # bound to the class

    @functools.lru_cache(maxsize=_CACHED_EXPRESSIONS)
    def parsed(expression: str) -> Any:  # noqa: ANN401
        return make(expression)

    _patch(undo, parser, "make", classmethod(lambda _cls, expression: parsed(expression)))


def _cache_condition_syntax(undo: ExitStack) -> None:
    """Cache the syntax tree per (expression, names); build the condition from it with this request's
    values. moto's own parse runs for the first sight of an expression and for any request whose values
    do not cover the expression's placeholders (so its error is moto's own)."""
    parser_class = comparisons.ConditionExpressionParser
    original_parse = parser_class.parse
    original_operand = parser_class._make_operand
    trees: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[Any, list[str], list[str]]] = {}

    def syntax(parser: Any) -> tuple[Any, list[str], list[str]]:  # noqa: ANN401
        # moto's parse, step for step, stopping before the values are turned into a condition.
        nodes = parser._lex_condition_expression()
        for step in _CONDITION_STEPS:
            nodes = getattr(parser, step)(nodes)
        node = nodes[0]
        parser._assert_no_redundant_parentheses(node)
        return node, parser._find_literals(node), parser._find_expr_attr_values(node)

    def parse(parser: Any) -> Any:  # noqa: ANN401
        if not parser.condition_expression:
            return original_parse(parser)
        key = (parser.condition_expression, tuple(sorted((parser.expression_attribute_names or {}).items())))
        tree = trees.get(key)
        if tree is None:
            op = original_parse(parser)  # raises moto's own error for a bad expression
            with _LOCK:
                if len(trees) >= _CACHED_EXPRESSIONS:
                    trees.clear()
                trees[key] = syntax(parser_class(*_parser_inputs(parser)))
            return op
        node, names_found, values_found = tree
        if not all(value in (parser.expression_attribute_values or {}) for value in values_found):
            return original_parse(parser)
        parser.expr_attr_names_found.extend(names_found)
        parser.expr_attr_values_found.extend(values_found)
        return parser._make_op_condition(node)

    def make_operand(parser: Any, node: Any) -> Any:  # noqa: ANN401
        # The cached tree holds the values of the request that first parsed it: use this request's.
        if node.kind == parser_class.Kind.EXPRESSION_ATTRIBUTE_VALUE:
            return comparisons.AttributeValue(parser.expression_attribute_values[node.text])
        return original_operand(parser, node)

    _patch(undo, parser_class, "parse", parse)
    _patch(undo, parser_class, "_make_operand", make_operand)


def _parser_inputs(parser: Any) -> tuple[Any, Any, Any]:  # noqa: ANN401
    return parser.condition_expression, parser.expression_attribute_names, parser.expression_attribute_values


def _walk_trees_cheaper(undo: ExitStack) -> None:
    """Three costs of moto's tree walking, each for every node of every update:
    - the walkers call `_processing_map()` (a new dict of bound methods) twice per node and test the
      node against each entry: look each node type up once per walker instead (the first entry the
      type is an instance of wins, as in moto);
    - `isinstance(x, Node)` goes through ABCMeta: remember the answer per type;
    - each validator `copy.deepcopy`s the whole tree through the generic protocol: copy the nodes
      directly (their own attributes shallowly, anything else under them with deepcopy)."""
    _patch(undo, ast_nodes.DepthFirstTraverser, "traverse_node_recursively", _traverse_node_recursively)
    _patch_module(undo, validators, "deepcopy", _deepcopy)


_NODE_TYPES: dict[type, bool] = {}
# Leaves of moto's trees that are no nodes: nothing to walk into, nothing to copy.
_ATOMS = frozenset({str, int, float, bool, type(None)})


def _is_node(value: object) -> bool:
    kind = type(value)
    known = _NODE_TYPES.get(kind)
    if known is None:
        known = _NODE_TYPES[kind] = isinstance(value, ast_nodes.Node)
    return known


def _processor_for(walker: Any, node_type: type) -> Callable[[Any], Any] | None:  # noqa: ANN401
    table: dict[type, Callable[[Any], Any] | None] = walker.__dict__.setdefault("_by_type", {})
    if node_type not in table:
        processors = walker._processing_map().items()
        table[node_type] = next((p for kind, p in processors if issubclass(node_type, kind)), None)
    return table[node_type]


def _child_hook(walker: Any) -> Callable[[Any, int], None] | None:  # noqa: ANN401
    """The walker's pre_processing_of_child, or None where it keeps the base class's, which does nothing."""
    if "_child_hook" not in walker.__dict__:
        overridden = type(walker).pre_processing_of_child is not _BASE_CHILD_HOOK
        walker.__dict__["_child_hook"] = walker.pre_processing_of_child if overridden else None
    hook: Callable[[Any, int], None] | None = walker.__dict__["_child_hook"]
    return hook


def _traverse_node_recursively(walker: Any, node: Any, child_id: int = -1) -> Any:  # noqa: ANN401
    if not _is_node(node):
        return node
    parent = node.parent
    children = node.children
    if children is not None:
        hook = _child_hook(walker)
        for index, child in enumerate(children):
            if hook is not None:
                hook(node, index)
            if type(child) not in _ATOMS:
                _traverse_node_recursively(walker, child, index)
    process = _processor_for(walker, type(node))
    if process is not None:
        node = process(node)
        node.parent = parent
        if parent:
            parent.children[child_id] = node
    return node


def _clone(node: Any, parent: Any) -> Any:  # noqa: ANN401
    copied = object.__new__(type(node))
    copied.__dict__ = {**node.__dict__, "parent": parent}
    children = node.children
    if children is not None:
        copied.children = [
            c if type(c) in _ATOMS else _clone(c, copied) if _is_node(c) else copy.deepcopy(c)
            for c in children
        ]
    return copied


def _deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:  # noqa: ANN401
    if _is_node(value) and value.parent is None:  # a whole tree: what the validators copy
        return _clone(value, None)
    return copy.deepcopy(value, memo)


def _check_clauses_at_the_root(undo: ExitStack) -> None:
    for validator, check in (
        (validators.ActionCountValidator, "verify_action_counts"),
        (validators.OverlappingPathsValidator, "check_for_overlapping_paths"),
    ):
        _patch(undo, validator, "traverse", _at_the_root(check))


def _at_the_root(check: str) -> Callable[[Any, Any], Any]:
    def traverse(walker: Any, node: Any) -> Any:  # noqa: ANN401
        if isinstance(node, ast_nodes.UpdateExpression):
            getattr(walker, check)(node)
            return node
        return ast_nodes.DepthFirstTraverser.traverse(walker, node)

    return traverse
