"""Every change of state goes through an action: a test that walks the source tree.

The rule (docs/architecture.md): only ``services/actions/`` writes the domain's models, and a
channel's own models (calls, counter tickets) are written only by that channel's actions
module. Views, webhooks, tasks and the outbound dispatcher call actions. This test reads every
module of the project with ``ast`` and fails on a new direct write, so the rule cannot quietly
erode. It is a heuristic, tuned to be able to fail (see the planted violations below):

* ``<Model>.objects….create/update/delete/get_or_create/update_or_create/bulk_create/
  bulk_update(…)`` anywhere, ``<Model>`` being a model of ``services`` or of a channel;
* ``….filter(…).update(…)`` / ``.delete()`` (a queryset method's result updated or deleted)
  and any ``.save(…)`` / ``.delete(…)`` call, in a module that imports such a model — which
  also catches ``<Model>(…)`` built and then saved.

The allow-list is deliberately short; each entry says why.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("portal", "desk", "services", "channels", "search", "reports", "api")

WRITE_METHODS = frozenset(
    {
        "create",
        "update",
        "delete",
        "get_or_create",
        "update_or_create",
        "bulk_create",
        "bulk_update",
    }
)
# Queryset methods whose result, updated or deleted, is a write to the model's table.
QUERYSET_METHODS = frozenset(
    {
        "all",
        "filter",
        "exclude",
        "select_for_update",
        "select_related",
        "prefetch_related",
        "order_by",
        "only",
        "defer",
        "annotate",
        "distinct",
        "none",
    }
)

# Where writes are allowed, by owner: the owner's models may be written there (and only there).
# Module paths relative to the repository root; a trailing "/" means "anything under it".
ALLOWED_WRITERS: dict[str, tuple[str, ...]] = {
    "services": ("services/actions/",),
    "channels.voice": ("channels/voice/actions.py", "channels/voice/agents.py"),
    "channels.counter": ("channels/counter/queue.py",),  # the counter's queue actions
    # The SMS inbox: the webhooks' one insert (inbox.py) and the filing worker's bookkeeping.
    "channels.sms": ("channels/sms/actions.py", "channels/sms/inbox.py"),
    "api": ("api/feeds.py",),  # the event feeds' outbox: recorded and sent there only
}

# Modules that may write any model, and why. Keep this short.
ALLOW_LIST: dict[str, str] = {
    # The model definitions themselves: save()/delete() overrides (timeline append-only,
    # catalogue cache invalidation) call super().
    "services/models/": "model definitions (save/delete overrides)",
    "channels/voice/models.py": "model definitions",
    "channels/counter/models.py": "model definitions",
    "channels/sms/models.py": "model definitions",
    # Demonstration data: a loader that builds a whole catalogue at once, never run in answer
    # to a resident or a member of staff. (generate_cases writes through actions and SQL.)
    "portal/demo/": "demo data loader (manage.py load_demo)",
    "channels/counter/management/commands/counter_desks.py": (
        "sets up a one-stop shop's numbered desks (configuration, run by an administrator)"
    ),
    "services/management/commands/load_message_templates.py": (
        "loads the editors' message templates from the shipped files (catalogue data)"
    ),
}


@dataclass(frozen=True)
class Write:
    line: int
    model: str
    what: str

    def __str__(self) -> str:
        return f"l.{self.line}: {self.what}" + (f" ({self.model})" if self.model else "")


def tracked_models() -> dict[str, str]:
    """Model class name → owner ("services", "channels.voice", …)."""
    import services.models  # noqa: F401 - the registry must hold them

    owners = {}
    for label, owner in (
        ("services", "services"),
        ("voice", "channels.voice"),
        ("counter", "channels.counter"),
        ("sms", "channels.sms"),
        ("api", "api"),
    ):
        for model in apps.get_app_config(label).get_models():
            owners[model.__name__] = owner
    return owners


def _model_modules(owner: str) -> tuple[str, ...]:
    return (f"{owner}.models",) if owner != "services" else ("services.models",)


def imported_models(tree: ast.AST, models: dict[str, str], module: str = "") -> set[str]:
    """The tracked models a module imports by name (absolute or relative)."""
    found = set()
    package = module.rsplit(".", 1)[0] if module else ""
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        source = node.module or ""
        if node.level:
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            source = ".".join([*base, source] if source else base)
        for alias in node.names:
            owner = models.get(alias.name)
            if owner and any(
                source == m or source.startswith(m + ".") for m in _model_modules(owner)
            ):
                found.add(alias.name)
            if alias.name == "models" and source in ("services", *[o for o in models.values()]):
                found.add("*")
    return found


def _objects_model(node: ast.AST, models: dict[str, str]) -> str | None:
    """For ``Model.objects.a(…).b(…)``, the model's name (walking down the chain)."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            if node.attr in ("objects", "_default_manager", "_base_manager"):
                target = node.value
                name = (
                    target.id
                    if isinstance(target, ast.Name)
                    else target.attr
                    if isinstance(target, ast.Attribute)
                    else None
                )
                return name if name in models else None
            node = node.value
        else:
            return None


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _classify(node: ast.AST | None, models: dict[str, str]) -> bool | None:
    """Whether an expression is (True) or is not (False) one of our model instances; None when
    it cannot be told."""
    if node is None:
        return None
    verdict = None
    for part in ast.walk(node):
        name = None
        if isinstance(part, ast.Attribute) and part.attr == "objects":
            target = part.value
            name = target.id if isinstance(target, ast.Name) else None
        elif isinstance(part, ast.Call) and isinstance(part.func, ast.Name):
            if part.func.id == "get_object_or_404" and part.args:
                first = part.args[0]
                while isinstance(first, ast.Call) and isinstance(first.func, ast.Attribute):
                    first = first.func.value
                while isinstance(first, ast.Attribute):
                    first = first.value
                name = first.id if isinstance(first, ast.Name) else None
            elif part.func.id[:1].isupper():
                name = part.func.id
        elif isinstance(part, ast.Name) and part is node and part.id[:1].isupper():
            name = part.id  # an annotation
        if name is None:
            continue
        if name in models:
            return True
        if name[:1].isupper():
            verdict = False
    return verdict


def _bindings(scope: ast.AST, models: dict[str, str]) -> dict[str, bool]:
    """Local names of a function (or module) known to hold, or not hold, our instances."""
    known: dict[str, bool] = {}

    def bind(target, verdict):
        if isinstance(target, ast.Name) and verdict is not None:
            known[target.id] = known.get(target.id, False) or verdict

    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        arguments = scope.args
        for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            if arg.annotation is not None:
                bind(ast.Name(arg.arg), _classify(arg.annotation, models) or False)
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                bind(target, _classify(node.value, models))
        elif isinstance(node, ast.AnnAssign):
            bind(node.target, _classify(node.annotation, models) or False)
        elif isinstance(node, ast.For):
            bind(node.target, _classify(node.iter, models))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                name = (alias.asname or alias.name).split(".")[0]
                if name not in models:
                    known[name] = False
    return known


def _chain_base(node: ast.AST, models: dict[str, str]) -> bool | None:
    """For ``a.b(…).c(…)``: True when it starts from our model's manager, False from another
    model's, None when it starts from something else (a function returning a queryset)."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            if node.attr == "objects":
                target = node.value
                name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
                return name in models
            node = node.value
        else:
            return None


def _looks_like_ours(receiver: ast.AST, known: dict[str, bool], snakes: set[str]) -> bool:
    """Whether ``receiver.save()`` / ``.delete()`` writes one of our models."""
    if isinstance(receiver, ast.Name):
        if receiver.id in known:
            return known[receiver.id]
        name = receiver.id
    elif isinstance(receiver, ast.Attribute):
        name = receiver.attr
    else:
        return False
    return name in snakes or any(name.endswith("_" + snake) for snake in snakes)


def writes(source: str, models: dict[str, str], module: str = "") -> list[Write]:
    """Every direct write to a tracked model in ``source``."""
    tree = ast.parse(source)
    imports_models = bool(imported_models(tree, models, module))
    snakes = {_snake(name) for name in models}
    module_names = _bindings(tree, models)
    scopes = [
        node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    owner_of: dict[int, dict[str, bool]] = {}
    for scope in scopes:  # inner functions come later in the walk and win
        known = {**module_names, **_bindings(scope, models)}
        for node in ast.walk(scope):
            owner_of[id(node)] = known
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        method = node.func.attr
        receiver = node.func.value
        if method in WRITE_METHODS:
            model = _objects_model(receiver, models)
            if model:
                found.append(Write(node.lineno, model, f"{model}.objects….{method}()"))
                continue
        if method not in ("save", "delete", "update"):
            continue
        if (
            isinstance(receiver, ast.Call)
            and isinstance(receiver.func, ast.Attribute)
            and receiver.func.attr in QUERYSET_METHODS
        ):
            # A queryset's update/delete: ours unless it starts from another model's manager.
            if _chain_base(receiver, models) is not False:
                found.append(Write(node.lineno, "", f"….{receiver.func.attr}(…).{method}()"))
        elif (
            method in ("save", "delete")
            and imports_models
            and _looks_like_ours(receiver, owner_of.get(id(node), module_names), snakes)
        ):
            found.append(Write(node.lineno, "", f".{method}()"))
    return sorted(set(found), key=lambda w: (w.line, w.what))


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _listed(relative: str, prefixes) -> bool:
    return any(
        relative == prefix or (prefix.endswith("/") and relative.startswith(prefix))
        for prefix in prefixes
    )


def source_files():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts or "tests" in path.parts:
                continue
            yield path


def violations(path: Path, models: dict[str, str]) -> list[Write]:
    relative = _relative(path)
    if _listed(relative, ALLOW_LIST):
        return []
    module = relative.removesuffix(".py").replace("/", ".")
    found = []
    for write in writes(path.read_text(), models, module):
        owners = [models[write.model]] if write.model else sorted(set(models.values()))
        # A write the checker cannot tie to one model is allowed where some owner may write.
        if not any(_listed(relative, ALLOWED_WRITERS[owner]) for owner in owners):
            found.append(write)
    return found


# --- the checker can fail ------------------------------------------------------------------

PLANTED = """
from services.models import Case, Message, Resident
from channels.voice.models import Call


def webhook(data, case):
    Message.objects.create(channel="sms", body=data)
    Message.objects.filter(pk=1).select_for_update().update(status="failed")
    Resident.objects.get_or_create(phone="+447400123456")
    case.status = "closed"
    case.save(update_fields=["status"])
    Case.objects.filter(pk=case.pk).delete()
    resident = Resident(phone="+447400123456")
    resident.save()
    case.timeline.filter(kind="note").update(body="")
    Call.objects.bulk_create([])
    mapping = {}
    mapping.update(a=1)
    return Case.objects.filter(pk=case.pk).first()
"""

CLEAN = """
from services.actions import intake
from services.models import Case


def webhook(data):
    metadata = {}
    metadata.update(a=1)
    return Case.objects.filter(pk=1).exists() and intake(data)
"""

FAKE_MODELS = {
    "Case": "services",
    "Message": "services",
    "Resident": "services",
    "Call": "channels.voice",
}


def test_the_checker_finds_planted_writes():
    found = [str(w) for w in writes(PLANTED, FAKE_MODELS, "channels.sms.views")]
    assert found == [
        "l.7: Message.objects….create() (Message)",
        "l.8: Message.objects….update() (Message)",
        "l.9: Resident.objects….get_or_create() (Resident)",
        "l.11: .save()",
        "l.12: Case.objects….delete() (Case)",
        "l.14: .save()",
        "l.15: ….filter(…).update()",
        "l.16: Call.objects….bulk_create() (Call)",
    ]


def test_the_checker_passes_reads_and_plain_dicts():
    assert writes(CLEAN, FAKE_MODELS, "channels.sms.views") == []


def test_a_channel_may_write_only_its_own_models(tmp_path, monkeypatch):
    source = "from channels.voice.models import Call\nCall.objects.create()\n"
    path = ROOT / "channels" / "voice" / "actions.py"
    assert writes(source, FAKE_MODELS, "channels.voice.actions")
    models = {**FAKE_MODELS}
    # In the voice channel's actions, a Call write is its own business …
    assert not [
        w
        for w in writes(source, models, "channels.voice.actions")
        if not _listed(_relative(path), ALLOWED_WRITERS[models[w.model]])
    ]
    # … and a Message write is not.
    source = "from services.models import Message\nMessage.objects.create()\n"
    assert [
        w
        for w in writes(source, models, "channels.voice.actions")
        if not _listed(_relative(path), ALLOWED_WRITERS[models[w.model]])
    ]


def test_the_real_models_are_found():
    models = tracked_models()
    assert {"Case", "Message", "Resident", "TimelineEvent", "AuditEntry"} <= set(models)
    assert models["Call"] == "channels.voice"


# --- the tree ------------------------------------------------------------------------------


@pytest.mark.parametrize("package", PACKAGES)
def test_only_actions_write_models(package):
    if not (ROOT / package).is_dir():
        pytest.skip(f"{package}/ does not exist")
    models = tracked_models()
    problems = [
        f"{_relative(path)} {write}"
        for path in source_files()
        if _relative(path).split("/")[0] == package
        for write in violations(path, models)
    ]
    assert problems == [], (
        "write through an action in services/actions/ (or the channel's own actions):\n"
        + "\n".join(problems)
    )


def test_every_allowed_place_exists():
    """An allow-list entry for a file that has moved or gone would silently allow a newcomer."""
    for prefix in [*ALLOW_LIST, *(p for ps in ALLOWED_WRITERS.values() for p in ps)]:
        assert (ROOT / prefix).exists(), prefix
