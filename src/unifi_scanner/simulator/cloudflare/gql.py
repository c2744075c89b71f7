"""The GraphQL Analytics API of the local Cloudflare API: a query document run against a scenario.

The document is parsed by ``graphql-core``; what it asks for is then answered here, field by
field, the way Cloudflare's analytics API answers: only the fields asked for (aliases and
fragments honoured), datasets filtered (``datetime_geq``/``_gt``/``_leq``/``_lt``, ``_in``,
``_neq``, ``_like``…, ``AND``/``OR``), ordered and limited, plan limits enforced as ``quota``
errors, missing permissions as ``authz`` errors, all inside an HTTP 200 answer whose
``errors[]`` carry ``message``, ``path`` and ``extensions.code``. Nothing later than the clock
is ever served.
"""

from __future__ import annotations

import fnmatch
import functools
import operator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, TypeAlias, TypeVar

from graphql import GraphQLError, Undefined, parse
from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
)
from graphql.utilities import value_from_ast_untyped

from unifi_scanner.simulator.cloudflare.config import (
    ACCOUNT_ANALYTICS_READ,
    ZONE_ANALYTICS_READ,
)
from unifi_scanner.simulator.cloudflare.dns import DNS_DIMENSIONS, dimension, group
from unifi_scanner.simulator.cloudflare.waf import WAF_FIELDS
from unifi_scanner.simulator.cloudflare.wire import JsonObject, parse_time, rfc3339

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from graphql.language import SelectionSetNode

    from unifi_scanner.simulator.cloudflare.config import CloudflareConfig, PlanLimits
    from unifi_scanner.simulator.cloudflare.series import Series, Timed
    from unifi_scanner.simulator.cloudflare.world import Account, World, Zone

    Resolver: TypeAlias = Callable[["GraphQLContext", FieldNode, list[object]], Any]
    """``(context, field, answer path) -> value``: one field of an object type."""

__all__ = ["GraphQLContext", "execute", "graphql_error"]

_ZONE_DATASETS: Final = ("firewallEventsAdaptive", "firewallEventsAdaptiveGroups")
_ACCOUNT_DATASETS: Final = ("gatewayResolverQueriesAdaptiveGroups",)
_COMPARISONS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "_geq": operator.ge,
    "_gt": operator.gt,
    "_leq": operator.le,
    "_lt": operator.lt,
    "_neq": operator.ne,
    "_in": lambda have, want: have in want,
    "_notin": lambda have, want: have not in want,
    "_like": lambda have, want: _like(have, want),  # noqa: PLW0108 - defined below
    "_notlike": lambda have, want: not _like(have, want),
}
_UNIT_ORDER: Final = ("ASC", "DESC")
_T = TypeVar("_T")


class _InvalidQueryError(Exception):
    """The document is not valid for the schema: the whole answer is ``data: null``."""


class _FieldError(Exception):
    """One field cannot be answered: it is ``null`` and its error is listed."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def graphql_error(
    message: str, now: datetime, *, code: str | None = None, path: Sequence[object] | None = None
) -> JsonObject:
    """One entry of ``errors[]`` as Cloudflare writes it.

    Args:
        message: the message.
        now: the clock's time (``extensions.timestamp``).
        code: ``extensions.code`` (``quota``, ``budget``, ``authz``…), if any.
        path: the answer path of the failed field.

    Returns:
        ``{message, path, extensions{code?, timestamp}}``.
    """
    extensions: JsonObject = {"timestamp": rfc3339(now)}
    if code is not None:
        extensions["code"] = code
    return {"message": message, "path": list(path) if path else None, "extensions": extensions}


@dataclass(slots=True)
class GraphQLContext:
    """What one query runs against.

    Args:
        config: the local API's configuration (plan limits).
        world: accounts and zones.
        waf: firewall events by zone id.
        dns: Gateway DNS queries by account id.
        permissions: the token's permissions.
        now: the clock's time of this request.
        quota: answer every dataset field with a ``quota`` error (a fault).
        quota_message: that error's message.
    """

    config: CloudflareConfig
    world: World
    waf: Series
    dns: Series
    permissions: frozenset[str]
    now: datetime
    quota: bool = False
    quota_message: str = "query exceeds the quota: the time range is too large"
    errors: list[JsonObject] = field(default_factory=list)
    variables: JsonObject = field(default_factory=dict)
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)
    datasets_read: int = 0
    rows_served: int = 0

    @property
    def now_s(self) -> int:
        """The clock in whole epoch seconds."""
        return int(self.now.timestamp())


def execute(context: GraphQLContext, body: object) -> JsonObject:
    """Answer one ``POST /graphql`` body.

    Args:
        context: the scenario, the token's permissions and the clock.
        body: the decoded JSON body (``{query, variables, operationName}``).

    Returns:
        ``{data, errors}``: ``errors`` is ``null`` when there are none.
    """
    try:
        query, variables, operation_name = _request(body)
        document = parse(query)
        operation = _operation(document.definitions, operation_name)
        context.variables = variables
        context.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        data = _object(context, operation.selection_set, [], {"viewer": _viewer})
    except GraphQLError as err:
        return {
            "data": None,
            "errors": [graphql_error(f"error parsing query: {err.message}", context.now)],
        }
    except _InvalidQueryError as err:
        return {"data": None, "errors": [graphql_error(str(err), context.now)]}
    return {"data": data, "errors": context.errors or None}


def _request(body: object) -> tuple[str, JsonObject, str | None]:
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        raise _InvalidQueryError("the request body must be a JSON object with a 'query' string")
    variables = body.get("variables") or {}
    if not isinstance(variables, dict):
        raise _InvalidQueryError("'variables' must be a JSON object")
    name = body.get("operationName")
    return body["query"], variables, name if isinstance(name, str) and name else None


def _operation(definitions: Iterable[object], name: str | None) -> OperationDefinitionNode:
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        operations = [o for o in operations if o.name is not None and o.name.value == name]
    if len(operations) != 1:
        raise _InvalidQueryError(
            f"unknown operation {name!r}"
            if name
            else "the document must hold exactly one operation"
        )
    if operations[0].operation.value != "query":
        raise _InvalidQueryError(
            f"{operations[0].operation.value} is not supported: only queries are"
        )
    return operations[0]


def _fields(context: GraphQLContext, selection_set: SelectionSetNode | None) -> Iterator[FieldNode]:
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(context, selection.selection_set)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = context.fragments.get(selection.name.value)
            if fragment is None:
                raise _InvalidQueryError(f'unknown fragment "{selection.name.value}"')
            yield from _fields(context, fragment.selection_set)


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def _arguments(context: GraphQLContext, node: FieldNode) -> JsonObject:
    values: JsonObject = {}
    for argument in node.arguments or ():
        value = value_from_ast_untyped(argument.value, context.variables)
        if value is not Undefined and value is not None:
            values[argument.name.value] = value
    return values


def _object(
    context: GraphQLContext,
    selection_set: SelectionSetNode | None,
    path: list[object],
    resolvers: dict[str, Resolver],
    typename: str = "Query",
) -> JsonObject:
    out: JsonObject = {}
    for node in _fields(context, selection_set):
        name = node.name.value
        if name == "__typename":
            out[_key(node)] = typename
            continue
        resolver = resolvers.get(name)
        if resolver is None:
            raise _InvalidQueryError(f'unknown field "{name}" on {typename}')
        where = [*path, _key(node)]
        try:
            out[_key(node)] = resolver(context, node, where)
        except _FieldError as err:
            context.errors.append(
                graphql_error(err.message, context.now, code=err.code, path=where)
            )
            out[_key(node)] = None
    return out


def _leaf_object(
    context: GraphQLContext, node: FieldNode, values: JsonObject, typename: str
) -> JsonObject:
    out: JsonObject = {}
    for child in _fields(context, node.selection_set):
        name = child.name.value
        if name == "__typename":
            out[_key(child)] = typename
        elif name in values:
            out[_key(child)] = values[name]
        else:
            raise _InvalidQueryError(f'unknown field "{name}" on {typename}')
    return out


def _viewer(context: GraphQLContext, node: FieldNode, path: list[object]) -> JsonObject:
    return _object(
        context, node.selection_set, path, {"zones": _zones, "accounts": _accounts}, "viewer"
    )


def _tags(filter_: object, name: str) -> list[str]:
    if not isinstance(filter_, dict):
        raise _InvalidQueryError(f"a {name} filter is required")
    if name in filter_:
        return [str(filter_[name])]
    if f"{name}_in" in filter_ and isinstance(filter_[f"{name}_in"], list):
        return [str(tag) for tag in filter_[f"{name}_in"]]
    raise _InvalidQueryError(f"a {name} filter is required")


def _zones(context: GraphQLContext, node: FieldNode, path: list[object]) -> list[JsonObject]:
    zones = _scoped(context, node, "zoneTag", context.world.zone, "zone")
    return [_zone(context, child, zone, [*path, n]) for n, (child, zone) in enumerate(zones)]


def _accounts(context: GraphQLContext, node: FieldNode, path: list[object]) -> list[JsonObject]:
    accounts = _scoped(context, node, "accountTag", context.world.account, "account")
    return [_account(context, c, account, [*path, n]) for n, (c, account) in enumerate(accounts)]


def _scoped(
    context: GraphQLContext, node: FieldNode, tag: str, find: Callable[[str], _T | None], scope: str
) -> list[tuple[FieldNode, _T]]:
    """The zones or accounts a ``filter: {zoneTag…}`` names; one the token cannot see fails all."""
    found = []
    for value in _tags(_arguments(context, node).get("filter"), tag):
        item = find(value)
        if item is None or not context.permissions:
            raise _FieldError(f"not authorized for that {scope}", "authz")
        found.append((node, item))
    return found


def _zone(context: GraphQLContext, node: FieldNode, zone: Zone, path: list[object]) -> JsonObject:
    limits = context.config.limits(zone.plan)
    datasets = {"firewallEventsAdaptive": limits, "firewallEventsAdaptiveGroups": limits}
    resolvers: dict[str, Resolver] = {
        "zoneTag": lambda *_: zone.id,
        "settings": lambda ctx, child, _: _settings(ctx, child, ZONE_ANALYTICS_READ, datasets),
        "firewallEventsAdaptive": lambda ctx, child, _: _events(ctx, child, zone, limits),
        "firewallEventsAdaptiveGroups": lambda ctx, child, _: _groups(
            ctx, child, ctx.waf, zone.id, limits, ZONE_ANALYTICS_READ, _waf_value
        ),
    }
    return _object(context, node.selection_set, path, resolvers, "zone")


def _account(
    context: GraphQLContext, node: FieldNode, account: Account, path: list[object]
) -> JsonObject:
    limits = context.config.gateway_limits
    datasets = {"gatewayResolverQueriesAdaptiveGroups": limits}

    def dns(ctx: GraphQLContext, child: FieldNode, _: list[object]) -> list[JsonObject]:
        if not account.zero_trust:
            raise _FieldError(f"account '{account.id}' does not have access to the path", "authz")
        return _groups(ctx, child, ctx.dns, account.id, limits, ACCOUNT_ANALYTICS_READ, _dns_value)

    resolvers: dict[str, Resolver] = {
        "accountTag": lambda *_: account.id,
        "settings": lambda ctx, child, _: _settings(
            ctx, child, ACCOUNT_ANALYTICS_READ, datasets, enabled=account.zero_trust
        ),
        "gatewayResolverQueriesAdaptiveGroups": dns,
    }
    return _object(context, node.selection_set, path, resolvers, "account")


def _need(context: GraphQLContext, permission: str, scope: str) -> None:
    if permission not in context.permissions:
        raise _FieldError(f"not authorized for that {scope}", "authz")


def _settings(
    context: GraphQLContext,
    node: FieldNode,
    permission: str,
    datasets: dict[str, PlanLimits],
    *,
    enabled: bool = True,
) -> JsonObject:
    _need(context, permission, "zone" if permission == ZONE_ANALYTICS_READ else "account")
    out: JsonObject = {}
    for child in _fields(context, node.selection_set):
        limits = datasets.get(child.name.value)
        if limits is None:
            raise _InvalidQueryError(f'unknown field "{child.name.value}" on settings')
        out[_key(child)] = _leaf_object(
            context,
            child,
            {
                "enabled": enabled and limits.enabled,
                "maxPageSize": limits.max_page_size,
                "maxDuration": limits.max_duration_s,
                "notOlderThan": limits.not_older_than_s,
                "availableFields": list(
                    WAF_FIELDS if permission == ZONE_ANALYTICS_READ else DNS_DIMENSIONS
                ),
            },
            "settings",
        )
    return out


def _dataset_start(context: GraphQLContext, permission: str) -> None:
    _need(context, permission, "zone" if permission == ZONE_ANALYTICS_READ else "account")
    context.datasets_read += 1
    if context.quota:
        raise _FieldError(context.quota_message, "quota")


def _range(context: GraphQLContext, filter_: JsonObject, limits: PlanLimits) -> tuple[int, int]:
    """The ``[start, end)`` a dataset filter asks for, checked against the plan limits."""
    start: int | None = None
    end: int | None = None
    bounds = {"datetime_geq": 0, "datetime_gt": 1, "datetime_leq": 1, "datetime_lt": 0}
    for key, shift in bounds.items():
        if key not in filter_:
            continue
        moment = parse_time(filter_[key])
        if moment is None:
            raise _InvalidQueryError(f"{key}: {filter_[key]!r} is not an RFC 3339 time")
        seconds = int(moment.timestamp()) + shift
        if key in {"datetime_geq", "datetime_gt"}:
            start = seconds if start is None else max(start, seconds)
        else:
            end = seconds if end is None else min(end, seconds)
    now_s = context.now_s
    if start is None:
        raise _FieldError("a datetime_geq or datetime_gt filter is required", "quota")
    end = now_s + 1 if end is None else end
    if end - start > limits.max_duration_s + 1:
        raise _FieldError(
            f"the time range is wider than the {limits.max_duration_s}s this dataset allows "
            "(maxDuration)",
            "quota",
        )
    if start < now_s - limits.not_older_than_s:
        raise _FieldError(
            f"cannot request data older than {limits.not_older_than_s}s (notOlderThan)", "quota"
        )
    return start, min(end, now_s + 1)


def _limit(arguments: JsonObject, limits: PlanLimits) -> int:
    limit = arguments.get("limit")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise _InvalidQueryError("limit must be a non-negative integer")
    if limit > limits.max_page_size:
        raise _FieldError(
            f"limit must be less than or equal to {limits.max_page_size} (maxPageSize)", "quota"
        )
    return limit


def _like(have: object, pattern: object) -> bool:
    translated = str(pattern).replace("*", "[*]").replace("?", "[?]")
    return fnmatch.fnmatchcase(str(have), translated.replace("%", "*").replace("_", "?"))


def _split(key: str) -> tuple[str, Callable[[Any, Any], bool]]:
    for suffix in sorted(_COMPARISONS, key=len, reverse=True):
        if key.endswith(suffix):
            return key.removesuffix(suffix), _COMPARISONS[suffix]
    return key, operator.eq


def _coerce(name: str, have: object, want: object) -> object:
    if isinstance(want, list):
        return [_coerce(name, have, item) for item in want]
    if name.startswith("datetime"):
        moment = parse_time(want)
        if moment is None:
            raise _InvalidQueryError(f"{name}: {want!r} is not an RFC 3339 time")
        return int(moment.timestamp())
    if isinstance(have, int) and not isinstance(want, bool):
        try:
            return int(str(want))
        except ValueError as err:
            raise _InvalidQueryError(f"{name}: {want!r} is not a number") from err
    return want


def _matches(
    filter_: JsonObject,
    moment: int,
    row: JsonObject,
    value_of: Callable[[int, JsonObject, str], Any],
) -> bool:
    for key, want in filter_.items():
        if key in {"AND", "OR"}:
            parts = want if isinstance(want, list) else [want]
            results = (_matches(p, moment, row, value_of) for p in parts if isinstance(p, dict))
            if not (all(results) if key == "AND" else any(results)):
                return False
            continue
        name, compare = _split(key)
        have = moment if name.startswith("datetime") else value_of(moment, row, name)
        if isinstance(have, list):
            have = tuple(have)
        if not compare(have, _coerce(name, have, want)):
            return False
    return True


def _waf_value(moment: int, row: JsonObject, name: str) -> Any:  # noqa: ANN401 - a JSON value
    if name not in row:
        raise _InvalidQueryError(f'unknown field "{name}" on firewallEventsAdaptive')
    return row[name] if name != "datetime" else rfc3339(datetime.fromtimestamp(moment, UTC))


def _dns_value(moment: int, row: JsonObject, name: str) -> Any:  # noqa: ANN401 - a JSON value
    if name not in DNS_DIMENSIONS:
        raise _InvalidQueryError(f'unknown field "{name}" on gatewayResolverQueriesAdaptiveGroups')
    return dimension(moment, row, name)


_FIELDS_OF: Final[dict[Callable[[int, JsonObject, str], Any], frozenset[str]]] = {
    _waf_value: frozenset(WAF_FIELDS),
    _dns_value: frozenset(DNS_DIMENSIONS),
}
"""The fields a dataset's filter may name, by the function that reads them."""


def _check_filter(filter_: JsonObject, fields: frozenset[str]) -> None:
    """Refuse a filter naming a field the dataset does not have (before any row is read)."""
    for key, value in filter_.items():
        if key in {"AND", "OR"}:
            for part in value if isinstance(value, list) else [value]:
                if isinstance(part, dict):
                    _check_filter(part, fields)
            continue
        name, _ = _split(key)
        if not name.startswith("datetime") and name not in fields:
            raise _InvalidQueryError(f'unknown filter field "{key}"')


def _select(  # noqa: PLR0917 - the query's parts, each named at the two call sites
    context: GraphQLContext,
    series: Series,
    key: str,
    arguments: JsonObject,
    limits: PlanLimits,
    value_of: Callable[[int, JsonObject, str], Any],
    *,
    descending: bool,
) -> Iterator[Timed]:
    filter_ = arguments.get("filter") or {}
    if not isinstance(filter_, dict):
        raise _InvalidQueryError("filter must be an input object")
    _check_filter(filter_, _FIELDS_OF[value_of])
    start, end = _range(context, filter_, limits)
    for moment, row in series.scan(key, start, end, descending=descending):
        if _matches(filter_, moment, row, value_of):
            yield moment, row


def _order(arguments: JsonObject, default: str) -> list[tuple[str, bool]]:
    order = arguments.get("orderBy") or [default]
    order = order if isinstance(order, list) else [order]
    keys: list[tuple[str, bool]] = []
    for item in order:
        name, _, direction = str(item).rpartition("_")
        if direction not in _UNIT_ORDER or not name:
            raise _InvalidQueryError(f"orderBy: {item!r} is not <field>_ASC or <field>_DESC")
        keys.append((name, direction == "DESC"))
    return keys


def _events(
    context: GraphQLContext, node: FieldNode, zone: Zone, limits: PlanLimits
) -> list[JsonObject]:
    _dataset_start(context, ZONE_ANALYTICS_READ)
    arguments = _arguments(context, node)
    limit = _limit(arguments, limits)
    order = _order(arguments, "datetime_ASC")
    if [name for name, _ in order] != ["datetime"]:
        raise _InvalidQueryError("firewallEventsAdaptive can be ordered by datetime only here")
    wanted = [(child, child.name.value) for child in _fields(context, node.selection_set)]
    for _child, name in wanted:
        if name not in WAF_FIELDS and name != "__typename":
            raise _InvalidQueryError(f'unknown field "{name}" on firewallEventsAdaptive')
    rows: list[JsonObject] = []
    for _moment, row in _select(
        context, context.waf, zone.id, arguments, limits, _waf_value, descending=order[0][1]
    ):
        if len(rows) >= limit:
            break
        rows.append(
            {
                _key(child): "firewallEventsAdaptive" if name == "__typename" else row[name]
                for child, name in wanted
            }
        )
    context.rows_served += len(rows)
    return rows


def _sort_key(name: str, item: JsonObject) -> int | str:
    return int(item["count"]) if name == "count" else str(item["dimensions"][name])


def _groups(  # noqa: PLR0917 - one builder for the zone's and the account's groups
    context: GraphQLContext,
    node: FieldNode,
    series: Series,
    key: str,
    limits: PlanLimits,
    permission: str,
    value_of: Callable[[int, JsonObject, str], Any],
) -> list[JsonObject]:
    _dataset_start(context, permission)
    arguments = _arguments(context, node)
    limit = _limit(arguments, limits)
    dimensions: list[FieldNode] = []
    outputs: list[FieldNode] = []
    for child in _fields(context, node.selection_set):
        if child.name.value == "dimensions":
            dimensions.extend(_fields(context, child.selection_set))
        elif child.name.value not in {"count", "__typename"}:
            raise _InvalidQueryError(f'unknown field "{child.name.value}" on {node.name.value}')
        outputs.append(child)
    names = [d.name.value for d in dimensions]
    unknown = [name for name in names if name not in _FIELDS_OF[value_of]]
    if unknown:
        raise _InvalidQueryError(f'unknown field "{unknown[0]}" on {node.name.value} dimensions')
    grouped = group(
        _select(context, series, key, arguments, limits, value_of, descending=False),
        names,
        value_of,
    )
    for name, descending in reversed(_order(arguments, "count_DESC")):
        if name != "count" and name not in names:
            raise _InvalidQueryError(f"orderBy: {name} is neither count nor a dimension asked for")
        grouped.sort(key=functools.partial(_sort_key, name), reverse=descending)
    rows = []
    for item in grouped[:limit]:
        row: JsonObject = {}
        for child in outputs:
            if child.name.value == "dimensions":
                row[_key(child)] = {
                    _key(d): item["dimensions"][d.name.value]
                    for d in _fields(context, child.selection_set)
                }
            else:
                row[_key(child)] = item["count"] if child.name.value == "count" else node.name.value
        rows.append(row)
    context.rows_served += len(rows)
    return rows
