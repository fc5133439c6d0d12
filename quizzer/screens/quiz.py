"""The quiz: choose what to be asked (setup), answer one question at a time, then see the score (summary)."""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static
from textual.worker import get_current_worker

from quizzer.errors import UserError
from quizzer.messages import AnswerRecorded, OpenDemo
from quizzer.session import DEFAULT_COUNT, KINDS, Filters, QuizSession, format_answer
from quizzer.widgets.answers import AnswerInput
from quizzer.widgets.feedback import AnswerFeedback
from quizzer.widgets.key_numbers import KeyNumbers
from quizzer.widgets.number_input import NumberInput
from quizzer.widgets.question import QuestionView, QuizProgress

ANY = "any"


class QuizSetupScreen(Screen):
    """Topic, difficulty, kind and length of the next quiz. A filter that matches nothing is a notice."""

    TITLE = "Quiz"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "start", "Start quiz")]
    #: The keyboard starts on the first choice list (the scrolling form itself would take it otherwise, and
    #: enter would do nothing).
    AUTO_FOCUS = "#topic"

    #: Keys the form's widgets handle themselves, for the help screen.
    OTHER_KEYS = (
        ("enter", "Open a list / choose in it"),
        ("tab shift+tab", "Next / previous field"),
    )

    def __init__(self, bank: Any) -> None:
        super().__init__()
        self.bank = bank

    def compose(self) -> ComposeResult:
        topics = sorted({q.topic for q in self.bank.questions})
        difficulties = sorted({str(q.difficulty) for q in self.bank.questions})
        yield Header()
        with VerticalScroll(id="quiz-setup", can_focus=False):
            yield Static("Choose what to be asked, then Start (ctrl+s).", classes="pane-title")
            yield Static("enter opens a list and picks from it; tab moves to the next field.", classes="hint")
            with Horizontal(classes="field"):
                yield Label("Topic", classes="field-label")
                yield Select([(t, t) for t in topics], prompt="all topics", id="topic")
            with Horizontal(classes="field"):
                yield Label("Difficulty", classes="field-label")
                yield Select([(d, d) for d in difficulties], prompt="any difficulty", id="difficulty")
            with Horizontal(classes="field"):
                yield Label("Kind", classes="field-label")
                yield Select([(k, k) for k in KINDS], prompt="any kind", id="kind")
            with Horizontal(classes="field"):
                yield Label("Questions", classes="field-label")
                yield NumberInput(str(DEFAULT_COUNT), type="integer", id="count")
            yield Button("Start", id="start", variant="primary")
        yield Footer()

    def filters(self) -> Filters:
        def chosen(selector: str) -> tuple[str, ...]:
            value = self.query_one(selector, Select).value
            return () if value is Select.NULL else (str(value),)

        count_text = self.query_one("#count", Input).value.strip()
        return Filters(
            topics=chosen("#topic"),
            difficulties=chosen("#difficulty"),
            kinds=chosen("#kind"),
            count=int(count_text) if count_text else DEFAULT_COUNT,
        )

    @on(Button.Pressed, "#start")
    @on(Input.Submitted, "#count")
    def action_start(self) -> None:
        try:
            session = QuizSession.select(self.bank, self.filters())
        except UserError as err:
            self.notify(str(err), title="No quiz", severity="error")
            return
        self.app.push_screen(QuizScreen(session))


class QuizScreen(Screen):
    """One question at a time: answer, read the verdict and explanation, then move on."""

    TITLE = "Quiz"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next", "Next question"),
        Binding("enter", "next", "Next question", show=False),
        Binding("d", "demo", "Open demo"),
    ]

    #: Keys the answer widgets handle themselves, for the help screen.
    OTHER_KEYS = (
        ("↑ ↓ enter", "Choose with the arrows"),
        ("space", "Toggle (several answers)"),
    )

    #: The question on screen has been answered (its feedback is showing).
    answered: var[bool] = var(False)

    def __init__(self, session: QuizSession) -> None:
        super().__init__()
        self.session = session
        self._feedback_worker = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield QuizProgress(id="progress")
        yield VerticalScroll(id="question-area")
        yield Footer()

    def on_mount(self) -> None:
        self.show_question()

    @property
    def question(self) -> Any:
        return self.query_one(QuestionView).question

    def show_question(self) -> None:
        """Replace whatever is in the question area with the session's current question."""
        area = self.query_one("#question-area", VerticalScroll)
        area.remove_children()
        view = QuestionView(self.session.current)
        area.mount(view)
        progress = self.query_one(QuizProgress)
        progress.total = self.session.total
        progress.position = self.session.position
        self.answered = False
        area.scroll_home(animate=False)
        self.call_after_refresh(lambda: view.answer_input.focus_input())

    def watch_answered(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next":
            return self.answered
        if action == "demo":
            return self.answered and self.query_one(QuestionView).question.demo is not None
        return True

    @on(AnswerInput.Answered)
    def _answered(self, event: AnswerInput.Answered) -> None:
        event.stop()
        if self.answered:
            return
        from question_bank import check_answer

        question = self.question
        if question.kind == "recall":
            correct = bool(event.response)
        else:
            correct = check_answer(question, event.response)
        self.session.record(correct, event.response)
        self.app.record_quiz_answer(question, correct)
        self.post_message(AnswerRecorded(question.id, correct))
        self.query_one(QuizProgress).results = tuple(a.correct for a in self.session.answers)

        view = self.query_one(QuestionView)
        view.answer_input.disabled = True
        feedback = AnswerFeedback(question, correct, event.response, id="feedback")
        view.mount(feedback)
        self.answered = True
        area = self.query_one("#question-area", VerticalScroll)
        area.focus()
        self.call_after_refresh(area.scroll_to_widget, feedback, top=True, animate=False)
        if question.demo is not None:
            self._feedback_worker = self.run_worker(
                partial(self._key_numbers, question.demo.name, dict(question.demo.args or {})),
                thread=True, exclusive=True, group="key-numbers", exit_on_error=False,
            )

    def _key_numbers(self, name: str, args: dict[str, object]) -> None:
        """Thread worker: run the linked demo and show its key numbers (a training stops if the worker is
        cancelled, for example by moving on)."""
        from quizzer.demos import registry

        worker = get_current_worker()
        try:
            demo = registry.get(name)
            result = demo.run(args, on_step=lambda *_: worker.is_cancelled)
            pairs = demo.key_numbers(result)
        except Exception as err:  # noqa: BLE001 - a demo bug must not take the quiz down: say so where the numbers would be
            if not worker.is_cancelled:
                self.app.call_from_thread(self._show_key_numbers, None, f"demo failed: {err}")
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_key_numbers, pairs, "")

    def _show_key_numbers(self, pairs: list[tuple[str, str]] | None, error: str) -> None:
        for widget in self.query(KeyNumbers):
            if pairs is None:
                widget.fail(error)
            else:
                widget.show(pairs)

    def action_next(self) -> None:
        self.workers.cancel_group(self, "key-numbers")
        if self.session.finished:
            self.app.switch_screen(QuizSummaryScreen(self.session))
        else:
            self.show_question()

    def action_demo(self) -> None:
        ref = self.question.demo
        if ref is not None:
            self.post_message(OpenDemo(ref.name, ref.args))


class QuizSummaryScreen(Screen):
    """The score per topic and the questions missed."""

    TITLE = "Quiz results"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Retry missed"),
        Binding("enter", "app.back", "Done"),
    ]

    def __init__(self, session: QuizSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        s = self.session
        yield Header()
        with VerticalScroll(id="summary"):
            percent = round(100 * s.score / s.total) if s.total else 0
            yield Static(Text(f"Score {s.score}/{s.total} ({percent}%)", style="bold"), id="summary-score")
            yield Static(self._topics_table(), id="summary-topics")
            missed = s.missed()
            if missed:
                yield Static(Text(f"Missed ({len(missed)}): now due for review", style="bold"))
                yield Static(self._missed_table(missed), id="summary-missed")
            else:
                yield Static(Text("Nothing missed.", style="green"), id="summary-missed")
        yield Footer()

    def _topics_table(self) -> Table:
        table = Table(box=None, header_style="bold", pad_edge=False)
        table.add_column("Topic")
        table.add_column("Right", justify="right")
        table.add_column("of", justify="right")
        for topic, (right, seen) in self.session.by_topic().items():
            table.add_row(Text(topic), str(right), str(seen), style=None if right == seen else "yellow")
        return table

    def _missed_table(self, missed: list[Any]) -> Table:
        table = Table(box=None, show_header=False, pad_edge=False, expand=True)
        table.add_column(ratio=2)
        table.add_column(ratio=1)
        for q in missed:
            prompt = Text(str(q.prompt).strip().splitlines()[0], overflow="ellipsis", no_wrap=True)
            table.add_row(prompt, Text(format_answer(q, q.answer), style="green", overflow="fold"))
        return table

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return bool(self.session.missed())
        return True

    def action_retry(self) -> None:
        self.app.switch_screen(QuizScreen(QuizSession(tuple(self.session.missed()))))
