"""Whether a supervisor's template text is safe and sound to save: one line naming the problem.

The sandbox already refuses Python internals while rendering; this refuses them before the
text is ever stored, by walking the parsed template: no attribute or key starting with `_`, no
calls at all (filters do what a message needs), only the filters listed here (none that turns
autoescaping off or builds huge strings), no `*`, `**` or `%`, no loops or `set` (a text that
doubles itself a few hundred times would exhaust memory), and includes only of shipped files
by their literal name. Then the text is rendered for a sample in the sandbox with undefined
variables refused, so a message that would fail for a real booking fails here first.
"""

from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any

from dispatch_desktop.notify import templates

if TYPE_CHECKING:
    from jinja2 import nodes

ALLOWED_FILTERS = frozenset(
    {
        "abs",
        "capitalize",
        "d",
        "default",
        "e",
        "escape",
        "first",
        "int",
        "last",
        "length",
        "lower",
        "round",
        "string",
        "striptags",
        "title",
        "trim",
        "truncate",
        "upper",
        "wordcount",
    }
)
_TAGS = {"For": "for", "Assign": "set", "AssignBlock": "set", "With": "with", "Macro": "macro"}
MAX_LENGTH = 20_000  # characters of one part's template text


class TemplateProblem(Exception):
    """What is wrong with a template text, as the one line a person reads."""


def check(source: str, part: str, variables: Iterable[str], sample: dict[str, Any], language: str) -> str:
    """The text rendered for `sample`; TemplateProblem with the one line when it may not be saved."""
    from jinja2 import TemplateSyntaxError, meta

    if len(source) > MAX_LENGTH:
        raise TemplateProblem(f"the template is {len(source)} characters; at most {MAX_LENGTH}")
    environment = templates._environment(language)
    try:
        tree = environment.parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(f"line {exc.lineno}: {exc.message}") from None
    _refuse_unsafe(tree, language)
    allowed = tuple(variables)
    unknown = meta.find_undeclared_variables(tree) - set(allowed)
    if unknown:
        line, name = min(_first_use(tree, unknown))
        raise TemplateProblem(
            f"line {line}: unknown variable '{name}'; this message may use: {', '.join(allowed)}"
        )
    try:
        template = templates.compiled(source, part, language)
    except TemplateSyntaxError as exc:  # an unknown filter or test shows only when compiled
        raise TemplateProblem(f"line {exc.lineno}: {exc.message}") from None
    try:
        return template.render(**sample).strip()
    except Exception as exc:
        line = _template_line(exc.__traceback__, templates.override_name(part))
        raise TemplateProblem(f"line {line}: {exc}") from None


def _first_use(tree: "nodes.Template", names: set[str]) -> Iterator[tuple[int, str]]:
    from jinja2 import nodes

    for node in tree.find_all(nodes.Name):
        if node.name in names and node.ctx == "load":
            yield node.lineno, node.name


def _refuse_unsafe(tree: "nodes.Template", language: str) -> None:
    from jinja2 import nodes

    for node in tree.find_all(nodes.Node):
        problem = None
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            problem = f"'{node.attr}' is not allowed: a message may not reach Python internals"
        elif isinstance(node, nodes.Getitem) and not _plain_key(node.arg):
            problem = "only a written-out key not starting with '_' is allowed, such as x['name']"
        elif isinstance(node, nodes.Call | nodes.CallBlock):
            problem = f"calling {_callee(node)} is not allowed in a message; use filters such as |upper"
        elif isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
            problem = (
                f"the filter '{node.name}' is not allowed; these are: {', '.join(sorted(ALLOWED_FILTERS))}"
            )
        elif isinstance(node, nodes.For | nodes.Assign | nodes.AssignBlock | nodes.With | nodes.Macro):
            problem = f"'{{% {_TAGS[type(node).__name__]} %}}' is not allowed in a message"
        elif isinstance(node, nodes.Mul | nodes.Pow | nodes.Mod):
            problem = f"'{node.operator}' is not allowed in a message"
        elif isinstance(node, nodes.Include | nodes.Extends | nodes.Import | nodes.FromImport):
            problem = _shipped_name_problem(node.template, language)
        if problem:
            raise TemplateProblem(f"line {node.lineno}: {problem}")


def _plain_key(node: "nodes.Expr") -> bool:
    from jinja2 import nodes

    return isinstance(node, nodes.Const) and not (isinstance(node.value, str) and node.value.startswith("_"))


def _callee(node: "nodes.Call | nodes.CallBlock") -> str:
    from jinja2 import nodes

    target = node.call.node if isinstance(node, nodes.CallBlock) else node.node
    if isinstance(target, nodes.Getattr):
        return f"'{target.attr}'"
    if isinstance(target, nodes.Name):
        return f"'{target.name}'"
    return "a function"


def _shipped_name_problem(template: "nodes.Expr", language: str) -> str | None:
    from jinja2 import nodes

    name = template.value if isinstance(template, nodes.Const) else None
    if isinstance(name, str) and templates.shipped_source(name, language) is not None:
        return None
    return "a message may include only a shipped file by its name, such as '_booking.txt'"


def _template_line(trace: TracebackType | None, name: str) -> int:
    """The template line a render failed on (jinja2 rewrites the traceback to name it), else 1."""
    line = 1
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == name:
            line = trace.tb_lineno
        trace = trace.tb_next
    return line
