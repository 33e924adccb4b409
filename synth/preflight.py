"""Start-up checks that read input, run before output.dir is touched (so a wrong path or an empty
prompt file leaves nothing behind, and the retry with the right input is not refused as "a different
config")."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from synth.plan import Rejection, WorkItem
from synth.prompts import PromptFileError


def check_prompt_source(plan: Callable[[], Iterator[WorkItem | Rejection]], source: str) -> None:
    """Raise PromptFileError when the prompt source is missing, unreadable or yields nothing to render.

    Reads the plan only up to its first work item (the whole of it when every prompt is rejected).

    :param plan: opens the run's plan afresh (RunParts.plan_factory).
    :param source: how to name the source in the message, e.g. "prompts.path=my.txt".
    """
    rejected, first_reason = 0, None
    try:
        for task in plan():
            if isinstance(task, WorkItem):
                return
            rejected += 1
            first_reason = first_reason or task.to_row().get("reason")
    except PromptFileError as exc:
        raise PromptFileError(f"{source}: {exc}") from exc
    detail = f": all {rejected} prompts were rejected (first: {first_reason})" if rejected else ": it holds no prompt"
    raise PromptFileError(f"{source} gives nothing to render{detail}")
