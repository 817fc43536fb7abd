"""Every API schema class has its own name: django-ninja names OpenAPI components after the class, so two
classes called ``MeOut`` in two apps silently share one component and one of them documents the other's
answer (schemathesis then fails on a response that is right)."""

import ast
from collections import defaultdict
from pathlib import Path

import lianjian

SCHEMA_BASES = {"Schema", "ModelSchema", "FilterSchema"}


def _schema_classes() -> dict[str, list[str]]:
    root = Path(lianjian.__file__).parent
    found: dict[str, list[str]] = defaultdict(list)
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                bases = {getattr(b, "id", None) or getattr(b, "attr", None) for b in node.bases}
                if bases & SCHEMA_BASES or any(name in found and name.endswith(("In", "Out")) for name in bases):
                    found[node.name].append(str(path.relative_to(root)))
    return found


def test_schema_class_names_are_unique_across_apps():
    clashes = {name: paths for name, paths in _schema_classes().items() if len(paths) > 1}
    assert not clashes, f"API schema classes share a name (rename one): {clashes}"


def test_the_check_sees_schema_classes():
    names = _schema_classes()
    assert "RegistrationOut" in names and len(names) > 50
