"""The fast YAML builder gives exactly what yaml.safe_load gives, or the same error."""

from __future__ import annotations

import pytest
import yaml

from satchel.openapi.yaml_events import load_yaml

from .conftest import SPECS


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: 1\nb: -2\nc: 0x1F\nd: 1_000\ne: 0o17\n", id="integers"),
        pytest.param("a: 1.5\nb: .inf\nc: -.Inf\nd: 1e3\n", id="floats"),
        pytest.param("a: yes\nb: No\nc: true\nd: off\n", id="yaml-1.1-booleans"),
        pytest.param("a: ~\nb: null\nc:\nd: Null\n", id="nulls"),
        pytest.param("a: 2020-01-02\nb: 2020-01-02T03:04:05Z\n", id="timestamps"),
        pytest.param(
            "a: '1'\nb: \"true\"\nc: |\n  text\nd: >\n  folded\n", id="quoted-and-block"
        ),
        pytest.param("200: ok\n'404': missing\n3.0: version\n", id="non-string-keys"),
        pytest.param("- 1\n- - 2\n  - {x: [y, {z: 0}]}\n- {}\n- []\n", id="nesting"),
        pytest.param("a: &A {k: v}\nb: *A\nc: &S text\nd: *S\n", id="anchors"),
        pytest.param("base: &b {a: 1}\nd:\n  <<: *b\n  c: 2\n", id="merge-key"),
        pytest.param("a: !!str 12\nb: !!float 1\n", id="explicit-tags"),
        pytest.param("plain scalar\n", id="scalar-document"),
        pytest.param("", id="empty"),
        pytest.param("a: 1\na: 2\n", id="duplicate-keys"),
        pytest.param("a: ''\nb: :x\nc: a - b\nd: 0.5.1\n", id="odd-strings"),
    ],
)
def test_matches_safe_load(text: str):
    """Values, types and aliases equal yaml.safe_load's for each YAML feature."""
    assert load_yaml(text) == yaml.safe_load(text)


def test_aliases_are_shared_objects():
    """An alias refers to the anchored object itself, as with PyYAML."""
    data = load_yaml("a: &A {k: v}\nb: *A\n")
    assert data["a"] is data["b"]


@pytest.mark.parametrize(
    "name", ["petstore-3.0.yaml", "petstore-3.1.yaml", "petstore-2.0.yaml"]
)
def test_fixture_specs_match_safe_load(name: str):
    """Real specs load identically."""
    text = (SPECS / name).read_text()
    assert load_yaml(text) == yaml.safe_load(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: [1\n", id="unclosed-flow"),
        pytest.param("? [a]\n: 1\n", id="unhashable-key"),
        pytest.param("a: !!python/object:os.system x\n", id="unsafe-tag"),
        pytest.param("a: !!python/dict {b: 1}\n", id="unsafe-mapping-tag"),
        pytest.param("x: &A [1]\n? *A\n: 2\n", id="alias-as-complex-key"),
    ],
)
def test_errors_match_safe_load(text: str):
    """Malformed or unsafe YAML raises the YAMLError safe_load raises."""
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.safe_load(text)
    with pytest.raises(type(expected.value)):
        load_yaml(text)
