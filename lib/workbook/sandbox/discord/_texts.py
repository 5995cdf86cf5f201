"""What the Midjourney bot says: titles and descriptions of its notice and error embeds.

Titles are exact (clients classify errors by title, reference notes §3.7). Descriptions are the
quoted real texts for "Job queued", "Queue full", "Action needed to continue" and the first sentence
of "Banned prompt detected"; the others ("Credits exhausted", "Invalid link", "Pending mod
message") have no verbatim source and are paraphrases.
"""

from __future__ import annotations

QUEUED_TEXT = (
    "You have reached the maximum allowed number of concurrent jobs. Don't worry, this job will start"
    " as soon as another one finishes!"
)
QUEUE_FULL_TEXT = "Your job queue is full. Please wait for a job to finish first, then resubmit this one."
ERROR_EMBEDS: dict[str, tuple[str, str]] = {
    "banned_prompt": (
        "Banned prompt detected",
        "Sorry! Our AI moderator thinks this prompt is probably against our community standards.\n\n"
        "Please review our current community standards and try again.",
    ),
    "credits_exhausted": (
        "Credits exhausted",
        "You have run out of fast GPU time. Buy more fast time or switch to relax mode with `/relax`.",
    ),
    "action_needed": (
        "Action needed to continue",
        "Sorry! Our AI moderators feel your prompt might be against our community standards. If you think"
        ' this is a mistake, please press the "Appeal" button below and we will send it to a more'
        " sophisticated AI to double-check the result.",
    ),
    "invalid_link": ("Invalid link", "The link you provided could not be read as an image."),
    "pending_mod": (
        "Pending mod message",
        "Your account has a pending moderation message. Please acknowledge it before continuing.",
    ),
}
