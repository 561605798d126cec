"""Safe YAML for the registry: size, alias expansion and duplicate keys checked on the node graph BEFORE building."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_ALIASES = (
    20_000  # *alias uses in the file: sites.yml uses one per site (~2,800 district portals at full scale)
)
MAX_EXPANDED_NODES = 2_000_000  # nodes after every alias is expanded (billion laughs: 10**9)
# libyaml's C parser when PyYAML was built with it (Debian/PyPI wheels are): 3,000 sites parse in a second.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlRefused(ValueError):
    """The file is not YAML, or is YAML the registry refuses (too big once expanded, duplicate keys)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _expanded_sizes(root: yaml.Node) -> int:
    """How many nodes the document has once every alias is expanded — computed on the shared node graph, so an
    alias bomb costs one visit per distinct node, never its expansion."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if not children_done and id(node) in visiting:
            raise YamlRefused("an alias refers to its own anchor (recursive)", node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            continue
        children = (
            [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
        )
        if children_done:
            sizes[id(node)] = 1 + sum(sizes.get(id(c), 0) for c in children)
        else:
            visiting.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def _check_duplicate_keys(root: yaml.Node) -> None:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen or isinstance(node, yaml.ScalarNode):
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                    if key.value in keys:
                        raise YamlRefused(
                            f"duplicate key '{key.value}' (first on line {keys[key.value]})",
                            key.start_mark.line + 1,
                        )
                    keys[key.value] = key.start_mark.line + 1
                stack.extend((key, value))
        else:
            stack.extend(node.value)


def _count_aliases(text: str) -> int:
    return sum(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=_Loader))


def _line_finder(root: yaml.Node) -> Callable[[tuple[Any, ...]], int | None]:
    def line(loc: tuple[Any, ...]) -> int | None:
        node: yaml.Node = root
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                match = [v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(part)]
                if not match:
                    break
                node = match[0]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
            else:
                break
        return node.start_mark.line + 1

    return line


def load_yaml(path: Path) -> tuple[Any, Callable[[tuple[Any, ...]], int | None]]:
    """(data, line-of(location)). Refuses files over MAX_FILE_BYTES, more than MAX_ALIASES aliases, documents
    that expand beyond MAX_EXPANDED_NODES nodes and duplicate mapping keys — all before any value is built."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise YamlRefused(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlRefused(f"cannot read: {exc}") from None
    try:
        aliases = _count_aliases(text)
        if aliases > MAX_ALIASES:
            raise YamlRefused(f"{aliases} aliases (*name); at most {MAX_ALIASES} are allowed")
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            if root is None:
                return None, lambda loc: None
            size = _expanded_sizes(root)
            if size > MAX_EXPANDED_NODES:
                raise YamlRefused(
                    f"expands to {size:,} nodes through aliases (limit {MAX_EXPANDED_NODES:,}); not built"
                )
            _check_duplicate_keys(root)
            return loader.construct_document(root), _line_finder(root)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlRefused(f"not valid YAML: {problem}", mark.line + 1 if mark else None) from None
