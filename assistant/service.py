"""``Assistant``: the entry point every channel calls — ``handle(msg)`` or ``stream(msg)``.

One turn: check the verified identity (an unlinked one gets a reason and no tool runs), open the thread's
conversation and store the message, then either act without a model (a button, an explicit "yes"/"no" to
the newest proposal, a thread a human owns) or run the agent with tools bound to the server-side context.
Every message gets an answer or a reason — a timeout, an error, a refusal — never silence. No database
transaction is held while a model generates. A passing database outage is answered with the error code
``storage_unavailable``, so a queued channel can run the turn again later instead of sending the apology.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Generator, Iterator
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from langchain_core.language_models import BaseChatModel

import prompts
from assistant import citing, nps, onboarding, pending, prompting, replies, routing, shown
from assistant.actions import ActionHandler
from assistant.agent import Agent, AgentResult, ToolRun
from assistant.executors import CANCELLERS, EXECUTORS
from assistant.framing import frame
from assistant.grounding import withhold_invented
from assistant.messages import InboundMessage, OutboundReply, ToolCallView
from assistant.summary import Summariser
from network import conversations
from network.actor import Actor
from network.db import Database
from network.ids import utcnow
from network.models import Conversation, PendingAction, PendingActionState, Profile, Subscriber
from network.outage import is_transient
from network.pending import PendingActions, view
from network.pending import newest as newest_action
from tools import phrases
from tools.base import ToolEnv
from tools.context import Advice, ToolContext, TurnEffects
from tools.ports import Ports
from tools.registry import build_tools

logger = logging.getLogger(__name__)
ACTIVITY_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True)
class Options:
    operator: str = "your telecom operator"
    currency: str = "GBP"
    tool_rounds: int = 1
    turn_timeout_s: float | None = 120.0
    max_chars: int = 4000
    answer_max_tokens: int | None = 200  # the model's own answers are chat: one or two sentences
    summarise_in_background: bool = False  # the server does; tests summarise inline to read the result
    tenant: str = "default"
    # at most one NPS survey per subscriber in this period; None: never asked (the settings give 90 days)
    nps_period: timedelta | None = None


class Assistant:
    def __init__(
        self, db: Database, model: BaseChatModel, ports: Ports | None = None, options: Options | None = None
    ) -> None:
        self.db = db
        self.ports = ports or Ports()
        self.options = options or Options()
        self.agent = Agent(
            model,
            tool_rounds=self.options.tool_rounds,
            timeout_s=self.options.turn_timeout_s,
            answer_max_tokens=self.options.answer_max_tokens,
        )
        self.pending = PendingActions(db, EXECUTORS, CANCELLERS, pending.WORDING)
        self.actions = ActionHandler(db, self.pending, self.ports)
        self.summariser = Summariser(db, model)

    def handle(self, msg: InboundMessage) -> OutboundReply:
        """The whole reply at once."""
        final = replies.text(phrases.MODEL_ERROR, error_code="internal_error")
        for part in self.stream(msg):
            if isinstance(part, OutboundReply):
                final = part
        return final

    def stream(self, msg: InboundMessage) -> Iterator[str | OutboundReply]:
        """Text chunks as the model writes them, then exactly one final :class:`OutboundReply`."""
        try:
            reply = yield from self._turn(msg)
        except Exception as error:
            if is_transient(error):  # the records are unreachable for now: a queued turn runs again later
                logger.warning("turn on %s met a database outage (%s)", msg.channel, type(error).__name__)
                reply = replies.text(phrases.STORAGE_ERROR, error_code="storage_unavailable")
            else:
                logger.exception("turn failed on %s", msg.channel)
                reply = replies.text(phrases.STORAGE_ERROR, error_code="internal_error")
        yield reply

    # --- the turn ----------------------------------------------------------------------------------------
    def _turn(self, msg: InboundMessage) -> Generator[str, None, OutboundReply]:
        if msg.subscriber_id is None:
            return replies.text(phrases.NOT_LINKED, error_code="not_linked")
        ctx, mode = self._open(msg, msg.subscriber_id)
        if ctx is None:
            return replies.text(phrases.UNKNOWN_SUBSCRIBER, error_code="unknown_subscriber")
        text = (msg.text or "").strip()
        runs: list[ToolRun] = []
        if msg.action is not None:
            reply = self.actions.handle(ctx, msg.action)
        elif mode == "handed_off":
            reply = replies.text(phrases.HANDED_OFF)
        elif not text:
            reply = replies.text(phrases.EMPTY_MESSAGE, error_code="empty_message")
        elif len(text) > self.options.max_chars:
            reply = replies.text(phrases.TOO_LONG, error_code="too_long")
        else:
            answer = nps.typed(self.db, ctx, text) or self._explicit_answer(ctx, text)
            if answer is not None:
                reply = answer
            else:
                reply, runs = yield from self._model_turn(ctx, msg, text)
        self._save(ctx, reply, runs)
        if runs or msg.action is None:
            self._summarise(ctx)
        return reply

    def _open(self, msg: InboundMessage, subscriber_id: str) -> tuple[ToolContext | None, str]:
        """Check the subscriber, open the thread's conversation and store the incoming message."""
        with self.db.transaction(Actor.subscriber(subscriber_id)) as session:
            subscriber = session.get(Subscriber, subscriber_id)
            if subscriber is None or subscriber.status != "active":
                return None, ""
            now = utcnow()
            if subscriber.last_active_at is None or now - subscriber.last_active_at > ACTIVITY_RESOLUTION:
                subscriber.last_active_at = now  # coarse on purpose: each change is an audited write
            conversation = conversations.open_conversation(
                session, msg.channel, msg.thread_key, subscriber_id
            )
            content = msg.text if msg.action is None else f"[button: {msg.action.kind}]"
            # once per channel message: a turn run again (its worker died, the database dropped) finds it
            conversations.add_inbound(session, conversation, content, external_id=msg.message_id)
            said = conversations.said(session, conversation)
            ctx = ToolContext(
                subscriber_id=subscriber_id,
                tenant=subscriber.tenant,
                channel=msg.channel,
                conversation_id=conversation.id,
                thread_key=conversation.thread_key,
                user_text=said,
                currency=self.options.currency,
            )
            return ctx, conversation.mode

    def _explicit_answer(self, ctx: ToolContext, text: str) -> OutboundReply | None:
        """A typed yes/no settles the newest proposal — only if the last reply asked for exactly that."""
        yes, no = pending.is_yes(text), pending.is_no(text)
        if not (yes or no) or ctx.conversation_id is None:
            return None
        with self.db.read() as session:
            asked = conversations.proposed_action(conversations.last_assistant(session, ctx.conversation_id))
            newest = newest_action(session, ctx.subscriber_id, ctx.conversation_id)
            newest_id = newest.id if newest is not None else None
        if asked is None or newest_id != asked:
            return None
        return self.actions.confirm(ctx, asked) if yes else self.actions.cancel(ctx, asked)

    def _model_turn(
        self, ctx: ToolContext, msg: InboundMessage, text: str
    ) -> Generator[str, None, tuple[OutboundReply, list[ToolRun]]]:
        with self.db.read() as session:
            subscriber = session.get(Subscriber, ctx.subscriber_id)
            conversation = session.get(Conversation, ctx.conversation_id)
            assert subscriber is not None and conversation is not None
            messages = prompting.turn_messages(
                session,
                subscriber,
                conversation,
                text,
                operator=self.options.operator,
                today=utcnow().date(),
                thread=msg.context,
            )
            last = conversations.last_assistant(session, conversation.id)
            last_reply = last.content if last is not None else None
            # what the conversation already showed the person (contact details of an accepted introduction):
            # the prompt only tells it in short, so grounding reads the stored messages themselves
            earlier = [m.content for m in conversations.recent(session, conversation)]
            new = onboarding.is_new(session.get(Profile, ctx.subscriber_id))
        effects = TurnEffects()
        small = routing.small_talk(text, last_reply)
        if not small and self._asks_about_layer8(text, last_reply):
            return self._compose(ctx, AgentResult(text=self._about(new), spoken=True), effects), []
        if not small and self._asks_live(text, last_reply):
            live = prompts.render("reply_live")
            return self._compose(ctx, AgentResult(text=live, spoken=True), effects), []
        chat = small or self._chat(text, last_reply)
        tools = [] if chat else build_tools(ToolEnv(ctx, self.db, self.ports, effects))
        try:
            result = yield from self.agent.stream(messages, tools)
            if chat and not small and shown.names_a_tool(result.text):
                # the router kept the tools from a message the model answered with a call written out, or
                # with prose explaining which tool to use ("you can use the `find_introductions` function"):
                # the router was wrong, so the turn runs again with the tools (the web chat replaces any
                # text it streamed with the final reply)
                logger.info("the model named a tool on a turn routed as chat; running it with the tools")
                tools = build_tools(ToolEnv(ctx, self.db, self.ports, effects))
                result = yield from self.agent.stream(messages, tools)
        except Exception as exc:
            if is_transient(exc):  # a tool met a database outage: the whole turn says so (see stream)
                raise
            timeout = _is_timeout(exc)
            logger.warning("model turn failed (%s)", type(exc).__name__, exc_info=not timeout)
            text = phrases.MODEL_TIMEOUT if timeout else phrases.MODEL_ERROR
            result = AgentResult(text=text)
            reply = self._compose(ctx, result, effects)
            reply.error_code = "model_timeout" if timeout else "model_error"
            return reply, []
        if result.spoken and effects.advice is not None:
            result.text = yield from self._framed(ctx, result.text, effects.advice)
        grounded = [str(m.content) for m in messages] + [r.content for r in result.runs] + earlier
        result.text, invented = withhold_invented(result.text, grounded)
        if invented:
            logger.info("withheld %d contact detail(s) that nothing on record gave the model", invented)
        return self._compose(ctx, result, effects), result.runs

    def _framed(self, ctx: ToolContext, steps: str, advice: Advice) -> Generator[str, None, str]:
        """The server's playbook steps, then the model's short framing of them for this business."""
        with self.db.read() as session:
            subscriber = session.get(Subscriber, ctx.subscriber_id)
            business = subscriber.business_name if subscriber is not None else "their business"
        yield "\n\n"
        framing = yield from frame(
            self.agent.model, advice, business=business, operator=self.options.operator
        )
        if not framing or shown.names_a_tool(framing) or shown.written_call(framing):
            return steps
        return f"{steps}\n\n{framing}"

    def _asks_about_layer8(self, text: str, last_reply: str | None) -> bool:
        router = self.ports.router.get()
        return router is not None and router.is_about(text, last_reply)

    def _asks_live(self, text: str, last_reply: str | None) -> bool:
        router = self.ports.router.get()
        return router is not None and router.is_live(text, last_reply)

    def _about(self, new: bool) -> str:
        """What Layer8 is and does, in the server's words; a new subscriber is asked the interview's first
        question."""
        following = phrases.ABOUT_NEW if new else phrases.ABOUT_NEXT
        return prompts.render("reply_about", operator=self.options.operator, next=following)

    def _chat(self, text: str, last_reply: str | None) -> bool:
        """Whether the chat router (when there is one) says ``text`` needs no tools."""
        router = self.ports.router.get()
        return router is not None and router.is_chat(text, last_reply)

    def _compose(self, ctx: ToolContext, result: AgentResult, effects: TurnEffects) -> OutboundReply:
        body = phrases.REFUSED if result.refused else (result.text or phrases.MODEL_EMPTY)
        shown_body = shown.shown_text(body)
        if shown_body != body:
            # a small model sometimes writes a tool call as text where no tool could run (after a result,
            # or when the router kept the tools away), or reads its instructions back: never show either
            logger.info("the model's answer was a written call or its instructions; replaced")
            body = shown_body
        if not result.refused and body != phrases.MODEL_EMPTY:
            body = citing.with_sources(body, effects.sources)
        reply = OutboundReply(text=body, error_code="refused" if result.refused else None)
        reply.tool_calls = [ToolCallView(r.name, r.args) for r in result.runs]
        reply.items = replies.list_items(effects.items)
        reply.buttons = replies.effect_buttons(effects.buttons)
        if effects.handed_off and phrases.HANDOFF_DONE not in reply.text:
            reply.text = f"{reply.text}\n\n{phrases.HANDOFF_DONE}"
        action_id, question = effects.pending_action_id, None
        if action_id is None and not effects.handed_off:
            action_id = self._ask_consent_if_due(ctx)
            question = phrases.CONSENT_QUESTION if action_id else None
        if action_id is not None:
            with self.db.read() as session:
                action = session.get(PendingAction, action_id)
                if action is not None and action.state == PendingActionState.PENDING.value:
                    replies.ask_to_confirm(reply, view(action), question=question)
        else:  # the NPS survey only after a plain answer, never in the middle of a flow
            self._survey_if_due(ctx, reply, effects.handed_off or bool(result.runs) or result.refused)
        return reply

    def _survey_if_due(self, ctx: ToolContext, reply: OutboundReply, busy: bool) -> None:
        period = self.options.nps_period
        if period is None or busy or reply.items or reply.buttons or reply.error_code:
            return
        nps.ask_if_due(self.db, ctx, reply, operator=self.options.operator, period=period)

    def _ask_consent_if_due(self, ctx: ToolContext) -> str | None:
        """Onboarding's consent question, once the profile is confirmed (read first: usually not due)."""
        with self.db.read() as session:
            if not onboarding.ready_for_consent(session, ctx):
                return None
        with self.db.transaction(ctx.actor) as session:
            if not onboarding.ready_for_consent(session, ctx):
                return None
            return onboarding.propose_consent(session, ctx)

    def _save(self, ctx: ToolContext, reply: OutboundReply, runs: list[ToolRun]) -> None:
        calls: list[dict[str, Any]] = [_stored(r) for r in runs]
        if reply.pending_action:
            calls.append({"pending_action_id": reply.pending_action["id"]})
        if reply.items:  # so a page can redraw the suggestions it showed (web chat history)
            calls.append({"items": [asdict(item) for item in reply.items]})
        with self.db.transaction(ctx.actor) as session:
            conversation = session.get(Conversation, ctx.conversation_id)
            if conversation is not None:
                conversations.add_message(session, conversation, "assistant", reply.text, tool_calls=calls)

    def _summarise(self, ctx: ToolContext) -> None:
        if ctx.conversation_id is None:
            return
        if self.options.summarise_in_background:
            # a summary is a model call over the older turns (seconds on a slow CPU): the person should
            # not wait for it, so it runs after the reply, while they read and type
            threading.Thread(
                target=self.summariser.maybe_summarise, args=(ctx.conversation_id,), daemon=True
            ).start()
        else:
            try:  # the reply is stored: a summary that fails now is made on a later turn
                self.summariser.maybe_summarise(ctx.conversation_id)
            except Exception as error:
                logger.warning("summary of the conversation put off (%s)", type(error).__name__)


def _stored(run: ToolRun) -> dict[str, Any]:
    stored: dict[str, Any] = {"name": run.name, "args": run.args}
    if run.artifact and "error" in run.artifact:
        stored["error"] = run.artifact["error"]
    return stored


def _is_timeout(exc: BaseException) -> bool:
    return (
        isinstance(exc, TimeoutError)
        or "timeout" in type(exc).__name__.lower()
        or (getattr(exc, "code", "") == "model_timeout")
    )
