"""Bounded JSON: size, depth and item limits, checked before a document is decoded (#11)."""

from __future__ import annotations

import json
import random

import pytest

from unifi_scanner._json import (
    CONTROLLER_ANSWER,
    EXPORTED_FILE,
    MAX_DEPTH,
    WEBSOCKET_FRAME,
    WEBSOCKET_MESSAGE_CEILING,
    JsonLimits,
    check_nesting,
    decode_json,
)
from unifi_scanner.errors import InputLimitError

SMALL = JsonLimits(max_bytes=1_000, max_items=3, max_depth=4)


def arrays(depth: int) -> str:
    """``depth`` arrays, one inside the other."""
    return "[" * depth + "]" * depth


def objects(depth: int) -> str:
    """``depth`` objects, one inside the other, with a number innermost."""
    return '{"a":' * depth + "1" + "}" * depth


def depth_of(value: object) -> int:
    """How deep arrays and objects nest in a decoded value (``[]`` is 1)."""
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    return 0


def widest(value: object) -> int:
    """The most items in one array or members in one object of a decoded value."""
    children = value.values() if isinstance(value, dict) else value
    if not isinstance(value, dict | list):
        return 0
    return max([len(value), *map(widest, children)])


def limit_of(document: str, limits: JsonLimits = SMALL) -> str | None:
    """Which limit ``document`` breaks (``None``: it decodes)."""
    try:
        decode_json(document.encode(), limits)
    except InputLimitError as err:
        return err.limit
    return None


@pytest.mark.parametrize(
    ("document", "limit"),
    [
        ("1", None),
        ('"text"', None),
        (arrays(4), None),
        (arrays(5), "depth"),
        (objects(4), None),
        (objects(5), "depth"),
        ('[{"a":[{"b":1}]}]', None),
        ('[{"a":[{"b":[]}]}]', "depth"),
        ("[[],[[],[[],[]]]]", None),
        ("[[],[[],[[],[[]]]]]", "depth"),
        ('[1,[2,[3,[4,"x"]]]]', None),
        ("[1,[2,[3,[4,[5]]]]]", "depth"),
        # brackets, braces, commas and escaped quotes inside strings are text
        ('["[[[[[[", "]]]]]]", "{{{{{{{"]', None),
        ('[["\\"[[[[[[", "\\\\"], "x"]', None),
        ('[["\\\\", [[[]]]]]', "depth"),
        ('[["\\\\\\"[[[["]]', None),
        ('{"k[[[[[[":"v]]]]]]]"}', None),
        ('["\\u005b\\u005b\\u005b\\u005b\\u005b"]', None),
        ("[1,2,3]", None),
        ("[1,2,3,4]", "items"),
        ('{"a":1,"b":2,"c":3}', None),
        ('{"a":1,"b":2,"c":3,"d":4}', "items"),
        ("[[1,2,3],[1,2,3],[1,2,3]]", None),
        ("[[1,2,3],[1,2,3,4],[1,2,3]]", "items"),
        ('[[[], {"a":[]}, [[]]], [1,2,3,4]]', "items"),
        ('["a,b,c,d,e", ",,,,,", 3]', None),
        ("[]", None),
        ("{}", None),
    ],
)
def test_limits_table(document, limit):
    """Exactly at a limit decodes; one level deeper or one item more is refused."""
    assert limit_of(document) == limit


@pytest.mark.parametrize("shape", [arrays, objects])
def test_the_real_depth_limit_is_exact(shape):
    """At the real limit (64) a document decodes; one level deeper it is refused."""
    assert decode_json(shape(MAX_DEPTH), CONTROLLER_ANSWER) is not None
    with pytest.raises(InputLimitError, match="nested deeper than the limit of 64 levels"):
        decode_json(shape(MAX_DEPTH + 1), CONTROLLER_ANSWER)


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_thousands_deep_is_a_limit_error_not_a_recursion_error(depth):
    """Regression (#11): JSON nested 1,000 deep raised RecursionError from the decoder."""
    for document in (arrays(depth), objects(depth), arrays(depth)[: depth + 3]):
        with pytest.raises(InputLimitError) as info:
            decode_json(document, EXPORTED_FILE)
        assert (info.value.limit, info.value.maximum) == ("depth", MAX_DEPTH)


@pytest.mark.parametrize(
    "document",
    [
        "[" * 40 + "[]," * 30 + "[" * 40,  # never closed, open ones beyond the limit
        "]]]" + "[" * 70,  # closers first
    ],
)
def test_broken_deep_documents_are_refused_before_decoding(document):
    """Bytes that are not JSON but would open more than the limit are refused as too deep."""
    with pytest.raises(InputLimitError, match="nested deeper"):
        decode_json(document, CONTROLLER_ANSWER)


@pytest.mark.parametrize("document", ["[[[", "]]]", '{"a":[}', '["abc', "[1,]"])
def test_broken_shallow_documents_are_decode_errors(document):
    """Bytes that are not JSON and stay within the limits fail as the decoder says."""
    with pytest.raises(ValueError, match=r".") as info:
        decode_json(document, CONTROLLER_ANSWER)
    assert not isinstance(info.value, InputLimitError)


def test_item_limit_counts_one_array_not_the_document():
    """Many items spread over arrays pass; one array over the limit is refused."""
    spread = json.dumps([[0] * 50_000, [0] * 50_000, [0] * 50_000])
    assert decode_json(spread, CONTROLLER_ANSWER)
    at_limit = json.dumps({"data": [{}] * 100_000})
    assert decode_json(at_limit, CONTROLLER_ANSWER)
    with pytest.raises(InputLimitError, match="more than the limit of 100,000 items") as info:
        decode_json(json.dumps({"data": [[], {}] * 50_000 + [{}]}), CONTROLLER_ANSWER)
    assert (info.value.limit, info.value.maximum) == ("items", 100_000)


def test_size_limit_is_exact_for_bytes_and_text():
    """A document of exactly ``max_bytes`` decodes; one byte more is refused, unread."""
    limits = JsonLimits(max_bytes=10, max_items=10)
    assert decode_json(b'"12345678"', limits) == "12345678"
    assert decode_json('"12345678"', limits) == "12345678"
    with pytest.raises(InputLimitError, match="larger than the limit") as info:
        decode_json(b'"123456789"', limits)
    assert (info.value.limit, info.value.maximum) == ("bytes", 10)
    with pytest.raises(InputLimitError, match="larger than the limit"):
        decode_json('"1234567é"', limits)  # 10 characters, 11 bytes


def test_a_utf8_bom_is_allowed():
    """A UTF-8 byte order mark before the document is skipped."""
    assert decode_json(b'\xef\xbb\xbf{"a":[1]}', SMALL) == {"a": [1]}


def test_the_limits_of_each_kind_of_document():
    """Controller answers, websocket frames and exported files have documented bounds."""
    mib = 1024 * 1024
    assert (CONTROLLER_ANSWER.max_bytes, CONTROLLER_ANSWER.max_items) == (64 * mib, 100_000)
    assert (WEBSOCKET_FRAME.max_bytes, WEBSOCKET_FRAME.max_items) == (4 * mib, 100_000)
    assert WEBSOCKET_FRAME.max_bytes < WEBSOCKET_MESSAGE_CEILING, "over-limit frames can be read"
    assert (EXPORTED_FILE.max_bytes, EXPORTED_FILE.max_items) == (256 * mib, 1_000_000)
    kinds = (CONTROLLER_ANSWER, WEBSOCKET_FRAME, EXPORTED_FILE)
    assert {limits.max_depth for limits in kinds} == {MAX_DEPTH}


def _random_value(rng: random.Random, depth: int) -> object:
    text = 'ab[]{}",:\\\n\té'
    roll = rng.random()
    if depth and roll < 0.3:
        return [_random_value(rng, depth - 1) for _ in range(rng.randrange(5))]
    if depth and roll < 0.6:
        return {
            "".join(rng.choices(text, k=rng.randrange(4))): _random_value(rng, depth - 1)
            for _ in range(rng.randrange(5))
        }
    if roll < 0.9:
        return "".join(rng.choices(text, k=rng.randrange(6)))
    return rng.choice([1, -2.5, True, None])


@pytest.mark.parametrize("seed", range(5))
def test_the_scan_agrees_with_the_decoded_value(seed):
    """On random documents full of quotes, escapes and brackets in strings, the scan is exact."""
    rng = random.Random(seed)  # noqa: S311 - test data
    for _ in range(400):
        value = _random_value(rng, rng.randrange(9))
        depth, items = depth_of(value), widest(value)
        for encoded in (json.dumps(value), json.dumps(value, ensure_ascii=False)):
            data = encoded.encode()
            fits = JsonLimits(max_bytes=10**6, max_items=max(items, 1), max_depth=depth)
            check_nesting(data, fits)
            if depth:
                tight = JsonLimits(max_bytes=10**6, max_items=10**6, max_depth=depth - 1)
                with pytest.raises(InputLimitError, match="nested deeper"):
                    check_nesting(data, tight)
            if items > 1:
                tight = JsonLimits(max_bytes=10**6, max_items=items - 1, max_depth=depth)
                with pytest.raises(InputLimitError, match="items"):
                    check_nesting(data, tight)
