"""The shape of the code: dependencies run one way (languages ← countries ← structures ← news ←
site-wide code), no two modules import each other, even through others, and no import is hidden
inside a function to break a cycle. Read from the source with `ast`, so it needs no database."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each app may import its own modules and those of the layers before it, never one after it.
LAYERS = [
    {"languages"}, {"countries"}, {"structures"}, {"news"}, {"alerts"}, {"sampledata", "osceportal"}
]  # fmt: skip
LAYER_OF = {app: index for index, apps in enumerate(LAYERS) for app in apps}
# The only function where importing the project's own modules is the norm: Django calls it once
# every app is loaded, to connect signals.
IMPORTS_ALLOWED_IN = {"ready"}


def product_modules():
    """{dotted name: path} of every module of the project's apps, migrations and tests aside."""
    modules = {}
    for app in LAYER_OF:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


MODULES = product_modules()


def resolve(module, node):
    """The project modules an import statement of `module` names (a package's submodule too)."""
    is_package = MODULES[module].name == "__init__.py"
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".") if is_package else module.split(".")[:-1]
            anchor = package[: len(package) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
    return {name for name in names if name in MODULES}


def imports(module):
    """(module-level imports, imports inside functions other than IMPORTS_ALLOWED_IN) of the
    project's modules, as {name} sets."""
    tree = ast.parse(MODULES[module].read_text(), filename=str(MODULES[module]))
    at_top, hidden = set(), set()

    def visit(node, function=None):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, function or child.name)
            elif isinstance(child, ast.Import | ast.ImportFrom):
                found = resolve(module, child) - {module}
                if function is None:
                    at_top.update(found)
                elif function not in IMPORTS_ALLOWED_IN:
                    hidden.update(found)
            else:
                visit(child, function)

    visit(tree)
    return at_top, hidden


GRAPH = {module: imports(module) for module in MODULES}


def app_of(module):
    return module.split(".")[0]


def test_the_apps_are_found():
    assert {"news.models", "news.publishing", "countries.models", "osceportal.views"} <= set(
        MODULES
    )
    assert "news.querysets" in GRAPH["news.models.items"][0]  # the reading of imports works


@pytest.mark.parametrize("module", sorted(MODULES))
def test_dependencies_run_one_way(module):
    wrong = {
        imported
        for imported in GRAPH[module][0] | GRAPH[module][1]
        if LAYER_OF[app_of(imported)] > LAYER_OF[app_of(module)]
        or (app_of(imported) != app_of(module) and LAYER_OF[app_of(imported)] == len(LAYERS) - 1)
    }
    assert not wrong, f"{module} imports {sorted(wrong)}, which come after it"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_is_hidden_inside_a_function(module):
    assert not GRAPH[module][1], f"{module} imports {sorted(GRAPH[module][1])} inside a function"


def test_no_modules_import_each_other():
    """No cycle in the graph of module-level imports (Tarjan's strongly connected components)."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def connect(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in GRAPH[module][0]:
            if imported not in index:
                connect(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            connect(module)
    assert not cycles, f"modules that import each other: {cycles}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_product_module_is_over_450_lines(module):
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= 450, f"{module} has {lines} lines: split it along a seam (STYLE.md 13)"
