"""Route messages between agents with per-link delay, loss and exact accounting."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, cast

import simpy

from heron_simpy.broker.message import Message
from heron_simpy.engine import DELIVER, Call, Kernel, deliver, priority
from heron_simpy.exceptions import ConfigError, SimulationError
from heron_simpy.recording import DeliverRecord, DropRecord, SendRecord
from heron_simpy.timing import (
    DelayModel,
    FixedDelay,
    LossModel,
    generator,
    is_loss_model,
)
from heron_simpy.timing.checks import shown, to_float

__all__ = ["Broker", "LinkSpec"]

Sampler = Callable[[], float]
LossSampler = Callable[[], bool]


@dataclass(frozen=True)
class LinkSpec:
    """A per-link override of delay and/or loss (None keeps the default).

    Attributes:
        delay: Delay model (or fixed seconds) for this link instead of the
            sender's ``msg_delay``.
        loss: Loss model for this link instead of the broker's default.
    """

    delay: DelayModel | None = None
    loss: LossModel | None = None


class _Link:
    """Run-time state of one (sender, recipient) link."""

    __slots__ = ("delay", "last_at", "lost", "prio")

    def __init__(self, delay: Sampler, lost: LossSampler | None, prio: int) -> None:
        self.delay = delay
        self.lost = lost
        self.prio = prio
        self.last_at = -math.inf


class Broker:
    """Deliver messages into each agent's inbox ``simpy.Store`` after a delay.

    Every message is accounted for at every instant:
    ``sent == delivered + dropped + in_flight``. Loss is sampled when a message
    is sent (so the drop record carries the send time). Links are FIFO: a
    message never overtakes an earlier one on the same (sender, recipient)
    link, even when jitter draws it a shorter delay -- it is held until the
    earlier one has landed.

    Randomness is keyed: the loss stream of link (a, b) is
    ``generator(seed, "link", a, b, "loss")`` and an overridden link delay uses
    ``generator(seed, "link", a, b, "delay")``, so adding agents or links does
    not change the draws of the others.

    Args:
        kernel: The kernel whose clock, stats and recorder are used.
        seed: Master seed for link streams (None: fresh entropy).
        loss: Default loss model of every link (None: lossless).
    """

    def __init__(
        self, kernel: Kernel, seed: int | None = None, loss: LossModel | None = None
    ) -> None:
        self._kernel = kernel
        self._seed = seed
        self._loss = loss
        self._specs: dict[tuple[str, str], LinkSpec] = {}
        self._senders: dict[str, Sampler] = {}
        self._ranks: dict[str, int] = {}
        self._inboxes: dict[str, simpy.Store] = {}
        self._links: dict[tuple[str, str], _Link] = {}
        self._next_id = 0
        #: Active link outages: (sender pattern, recipient pattern, end, mode).
        self._outages: list[tuple[str, str, float, str]] = []

    # ----------------------------------------------------------- set-up
    def register(self, agent_id: str, rank: int, msg_delay: Sampler) -> simpy.Store:
        """Give ``agent_id`` an inbox; its messages default to ``msg_delay``.

        Returns:
            The agent's inbox store (a new one after every reset).
        """
        self._senders[agent_id] = msg_delay
        self._ranks[agent_id] = rank
        inbox = self._kernel.store()
        self._inboxes[agent_id] = inbox
        return inbox

    def set_link(
        self,
        sender: str,
        recipient: str,
        delay: float | DelayModel | None = None,
        loss: LossModel | None = None,
    ) -> None:
        """Override the delay and/or loss of one directed link.

        Args:
            sender: Sending agent id.
            recipient: Receiving agent id.
            delay: Seconds (finite, >= 0) or a delay model; None keeps the
                sender's ``msg_delay``.
            loss: A loss model; None keeps the broker default.

        Raises:
            ConfigError: A negative or non-finite delay.
        """
        if isinstance(delay, bool):
            raise TypeError(
                f"link {sender!r}->{recipient!r} delay must be seconds "
                f"or a delay model, got {delay!r}"
            )
        if loss is not None and not is_loss_model(loss):
            raise TypeError(
                f"link {sender!r}->{recipient!r} loss must be a LossModel or None, "
                f"got {loss!r}"
            )
        seconds = to_float(delay)
        model = None if seconds is not None else cast("DelayModel | None", delay)
        if seconds is not None:
            if not math.isfinite(seconds) or seconds < 0:
                raise ConfigError(
                    f"link {sender!r}->{recipient!r} delay must be a finite number "
                    f">= 0 s, got {shown(delay)}"
                )
            model = FixedDelay(seconds)
        self._specs[(sender, recipient)] = LinkSpec(delay=model, loss=loss)
        old = self._links.pop((sender, recipient), None)
        if old is not None:  # mid-episode: new samplers, same FIFO horizon
            self._open(sender, recipient, self._kernel.env.now).last_at = old.last_at

    def restart(self, seed: int | None) -> None:
        """Forget inboxes, links and message numbering for a new episode."""
        self._seed = seed
        self._senders.clear()
        self._ranks.clear()
        self._inboxes.clear()
        self._links.clear()
        self._next_id = 0
        self._outages.clear()

    # ----------------------------------------------------------- traffic
    def inbox(self, agent_id: str) -> simpy.Store:
        """Return the inbox store of ``agent_id``."""
        return self._inboxes[agent_id]

    @property
    def agent_ids(self) -> tuple[str, ...]:
        """The registered agent ids, in registration order."""
        return tuple(self._inboxes)

    def outage(self, sender: str, recipient: str, end: float, mode: str) -> Any:
        """Take links ``sender -> recipient`` (patterns) down until ``end``.

        While down, a message on a matching link is dropped (``mode="drop"``)
        or held and sent at ``end`` (``"queue"``). Loss and delay are still
        drawn for it, so other links' and later messages' draws do not change.

        Returns:
            A handle for :meth:`restore`.
        """
        entry = (sender, recipient, end, mode)
        self._outages.append(entry)
        return entry

    def restore(self, handle: Any) -> None:
        """End an outage started by :meth:`outage`."""
        self._outages.remove(handle)

    def send(
        self,
        sender: str,
        recipient: str,
        payload: Any,
        topic: str | None = None,
        stamp: float | None = None,
    ) -> Message:
        """Send one message now; it is delivered, held in flight, or dropped.

        Returns:
            The message as sent (with its ``msg_id``).

        Raises:
            SimulationError: ``recipient`` or ``sender`` is not registered.
        """
        kernel = self._kernel
        now = kernel.env.now
        link = self._links.get((sender, recipient))
        if link is None:
            link = self._open(sender, recipient, now)
        msg = Message(self._next_id, sender, recipient, payload, now, topic, stamp)
        self._next_id += 1
        stats = kernel.stats
        stats.messages_sent += 1
        keep = kernel.keep
        if keep:
            kernel.recorder.append(SendRecord(now, sender, recipient, msg.msg_id))
        lost = link.lost is not None and link.lost()
        down = self._down(sender, recipient) if self._outages else None
        if down is not None and not lost:
            delay = link.delay()  # drawn as without the outage: streams stay aligned
        if lost or (down is not None and down[3] == "drop"):
            stats.messages_dropped += 1
            if keep:
                kernel.recorder.append(DropRecord(now, sender, recipient, msg.msg_id))
            return msg
        if down is None:
            delay = link.delay()
        else:  # queued: sent when the link comes back
            delay += down[2] - now
        at = now + delay
        if at < link.last_at:  # FIFO: wait for the earlier message on this link
            delay = link.last_at - now
            while now + delay < link.last_at:
                delay = math.nextafter(delay, math.inf)
            at = now + delay
        link.last_at = at
        stats.messages_in_flight += 1
        Call(kernel.env, delay, link.prio, self._deliver, msg)
        return msg

    def _down(self, sender: str, recipient: str) -> tuple[str, str, float, str] | None:
        """The first active outage covering this link (drop before queue)."""
        hits = [
            o
            for o in self._outages
            if fnmatchcase(sender, o[0]) and fnmatchcase(recipient, o[1])
        ]
        if not hits:
            return None
        drops = [o for o in hits if o[3] == "drop"]
        return drops[0] if drops else max(hits, key=lambda o: o[2])

    def _deliver(self, call: Call) -> None:
        """Put a message into its recipient's inbox (timer callback)."""
        msg: Message = call.item
        kernel = self._kernel
        stats = kernel.stats
        stats.messages_in_flight -= 1
        stats.messages_delivered += 1
        if kernel.keep:
            kernel.recorder.append(
                DeliverRecord(
                    kernel.env.now, msg.recipient, msg.sender, msg.msg_id, msg.sent_at
                )
            )
        deliver(self._inboxes[msg.recipient], msg)

    def _open(self, sender: str, recipient: str, now: float) -> _Link:
        """Create the run-time state of a link on its first message."""
        if recipient not in self._inboxes or sender not in self._inboxes:
            bad = recipient if recipient not in self._inboxes else sender
            role = "recipient" if bad == recipient else "sender"
            raise SimulationError(
                f"agent {sender!r} at t={now:.3f}: message {role} {bad!r} is not a "
                f"registered agent; known: {', '.join(sorted(self._inboxes))}"
            )
        spec = self._specs.get((sender, recipient), LinkSpec())
        delay = (
            self._senders[sender]
            if spec.delay is None
            else spec.delay.sampler(
                generator(self._seed, "link", sender, recipient, "delay")
            )
        )
        loss_model = spec.loss if spec.loss is not None else self._loss
        lost = (
            None
            if loss_model is None
            else loss_model.sampler(
                generator(self._seed, "link", sender, recipient, "loss")
            )
        )
        link = _Link(delay, lost, priority(DELIVER, self._ranks[recipient]))
        self._links[(sender, recipient)] = link
        return link
