"""Modal screens: confirmations, prompts, the upload picker and the help screen.

Every string shown here that came from a bucket arrives as ``rich.text.Text`` built by
:mod:`tui.render`, so no name is ever parsed as markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, Label, Static

__all__ = [
    "ConfirmScreen",
    "HelpScreen",
    "OverwriteScreen",
    "PromptScreen",
    "TypeToConfirmScreen",
    "UploadScreen",
]


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question whose default (focused) answer is No."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,n", "answer(False)", "No", id="confirm.no", tooltip="Keep everything as it is"
        ),
        Binding(
            "left,right,h,l",
            "app.focus_next",
            "Switch",
            show=False,
            id="confirm.switch",
            tooltip="Move between No and Yes",
        ),
    ]

    def __init__(
        self, title: str, question: Text, *, yes: str = "Yes", danger: bool = True
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.question = question
        self.yes = yes
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text, "bold"), classes="dialog-title")
            yield Static(self.question, classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("No", id="no", variant="primary")
                yield Button(self.yes, id="yes", variant="error" if self.danger else "success")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class OverwriteScreen(ModalScreen[str]):
    """Some targets exist already: cancel (the default), skip those, or overwrite them.

    Dismisses with ``"cancel"``, ``"skip"`` or ``"overwrite"``.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,n",
            "answer('cancel')",
            "Cancel",
            id="overwrite.cancel",
            tooltip="Change nothing",
        ),
        Binding(
            "left,h",
            "app.focus_previous",
            "Previous",
            show=False,
            id="overwrite.previous",
            tooltip="The button to the left",
        ),
        Binding(
            "right,l",
            "app.focus_next",
            "Next",
            show=False,
            id="overwrite.next",
            tooltip="The button to the right",
        ),
    ]

    def __init__(self, title: str, question: Text, *, allow_skip: bool) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.question = question
        self.allow_skip = allow_skip

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text, "bold"), classes="dialog-title")
            yield Static(self.question, classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel", variant="primary")
                if self.allow_skip:
                    yield Button("Skip existing", id="skip", variant="default")
                yield Button("Overwrite", id="overwrite", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "cancel")

    def action_answer(self, value: str) -> None:
        self.dismiss(value)


class TypeToConfirmScreen(ModalScreen[bool]):
    """A dangerous action confirmed only by typing the exact text (e.g. a prefix's name)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            id="typeconfirm.cancel",
            tooltip="Keep everything as it is",
        ),
    ]

    def __init__(self, title: str, question: Text, expected: str, *, yes: str = "Delete") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.question = question
        self.expected = expected
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text, "bold"), classes="dialog-title")
            yield Static(self.question, classes="dialog-body")
            yield Input(placeholder=self.expected, id="confirm-input", select_on_focus=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="no", variant="primary")
                yield Button(self.yes, id="yes", variant="error", disabled=True)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#yes", Button).disabled = event.value != self.expected

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value == self.expected:
            self.dismiss(True)
        else:
            self.app.bell()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_cancel(self) -> None:
        self.dismiss(False)


class PromptScreen(ModalScreen["str | None"]):
    """One line of input (a destination, a glob, a local path), prefilled, Enter to accept."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "cancel", "Cancel", id="prompt.cancel", tooltip="Close without doing anything"
        ),
    ]

    def __init__(
        self,
        title: str,
        detail: Text | None = None,
        *,
        value: str = "",
        placeholder: str = "",
        action: str = "OK",
        select_all: bool = False,
    ) -> None:
        super().__init__(classes="dialog-screen")
        #: Typing replaces the suggestion (go to, search) instead of editing it (copy, move).
        self.select_all = select_all
        self.title_text = title
        self.detail = detail
        self.initial = value
        self.placeholder = placeholder
        self.action = action

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text, "bold"), classes="dialog-title")
            if self.detail is not None:
                yield Static(self.detail, classes="dialog-body")
            yield Input(
                value=self.initial,
                placeholder=self.placeholder,
                id="prompt-input",
                select_on_focus=self.select_all,
            )
            yield Label(
                Text(f"enter: {self.action.lower()}   escape: cancel", "dim"), classes="dialog-hint"
            )

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if value:
            self.dismiss(value)
        else:
            self.app.bell()

    def action_cancel(self) -> None:
        self.dismiss(None)


class LocalTree(DirectoryTree):
    """The local file picker; its root shows the folder's name, not the whole path."""

    def on_mount(self) -> None:
        path = Path(self.path)
        self.root.set_label(Text(f"{path.name or path}/"))


class UploadScreen(ModalScreen["Path | None"]):
    """Pick a local file or folder to upload: type a path, or browse with the tree."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "cancel", "Cancel", id="upload.cancel", tooltip="Close without uploading"
        ),
        Binding(
            "ctrl+s", "submit", "Upload", id="upload.submit", tooltip="Upload the path in the box"
        ),
    ]

    def __init__(self, destination: Text, start: Path) -> None:
        super().__init__(classes="dialog-screen")
        self.destination = destination
        self.start = start

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-tall"):
            yield Label(Text("Upload", "bold"), classes="dialog-title")
            body = Text("Into ")
            body.append_text(self.destination)
            body.append(".  A folder is uploaded with everything in it.", "dim")
            yield Static(body, classes="dialog-body")
            yield Input(
                placeholder="a file or folder (relative to the folder below, or absolute)",
                id="upload-input",
                select_on_focus=False,
            )
            yield LocalTree(self.start, id="upload-tree")
            yield Label(
                Text("enter: upload   tab: browse   ctrl+s: upload   escape: cancel", "dim"),
                classes="dialog-hint",
            )

    def _relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.start).as_posix() or "."
        except ValueError:
            return str(path)

    @on(DirectoryTree.NodeHighlighted)
    def _highlighted(self, event: DirectoryTree.NodeHighlighted[object]) -> None:
        data = event.node.data
        path = getattr(data, "path", None)
        if isinstance(path, Path) and not event.node.is_root:
            self.query_one("#upload-input", Input).value = self._relative(path)

    @on(DirectoryTree.FileSelected)
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#upload-input", Input).value = self._relative(event.path)
        self.action_submit()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        value = self.query_one("#upload-input", Input).value.strip()
        if not value:
            self.app.bell()
            return
        path = Path(value).expanduser()
        self.dismiss(path if path.is_absolute() else self.start / path)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """Every key of the browser, as currently mapped."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,q,question_mark", "close", "Close", id="help.close", tooltip="Close the help"
        ),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__(classes="dialog-screen")
        self.rows = rows

    def compose(self) -> ComposeResult:
        table = Table(box=None, padding=(0, 2), show_header=True, header_style="bold")
        table.add_column("Key", style="bold #7aa2f7", no_wrap=True)
        table.add_column("Action", no_wrap=True)
        table.add_column("What it does", style="dim")
        for key, action, tooltip in self.rows:
            table.add_row(key, action, tooltip)
        with Vertical(classes="dialog dialog-help"):
            yield Label(Text("Keys", "bold"), classes="dialog-title")
            with VerticalScroll():
                yield Static(table)
            yield Label(
                Text(
                    "escape or ? closes this. Keys can be remapped by binding id (see the README).",
                    "dim",
                ),
                classes="dialog-hint",
            )

    def action_close(self) -> None:
        self.dismiss(None)
