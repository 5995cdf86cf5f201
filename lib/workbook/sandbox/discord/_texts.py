"""What the Midjourney bot says: titles and descriptions of its notice and error embeds.

Titles are exact (clients classify errors by title, reference notes §3.7). Descriptions are the
quoted real texts for "Job queued", "Queue full", "Action needed to continue", the first sentence
of "Banned prompt detected", "Slow Down!" and the decline reply (Mutiny-SDK's tests); the others
("Credits exhausted", "Invalid link", "Pending mod message", "Action required to continue",
"Request cancelled due to output filters") have no verbatim source and are paraphrases. The
unknown notice is made up on purpose: a title no client knows.
"""

from __future__ import annotations

QUEUED_TEXT = (
    "You have reached the maximum allowed number of concurrent jobs. Don't worry, this job will start"
    " as soon as another one finishes!"
)
QUEUE_FULL_TEXT = "Your job queue is full. Please wait for a job to finish first, then resubmit this one."
SLOW_DOWN_TITLE = "Slow Down!"
SLOW_DOWN_TEXT = "You can request another upscale for this image"
DECLINE_TITLE = "Sorry, something went wrong"
DECLINE_TEXT = "The job encountered an error. Our team has been notified."
DECLINE_CODE = "decline-revise-frolic"
OUTPUT_FILTER_TITLE = "Request cancelled due to output filters"
OUTPUT_FILTER_TEXT = "Sorry! Your job was cancelled because an output image was flagged by our filters."
UNKNOWN_NOTICE_TITLE = "Midjourney V8 Alpha"
UNKNOWN_NOTICE_TEXT = "Try the next model on midjourney.com."
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
    "captcha": (
        "Action required to continue",
        "Please complete the verification to keep using Midjourney.",
    ),
    "pending_mod": (
        "Pending mod message",
        "Your account has a pending moderation message. Please acknowledge it before continuing.",
    ),
}
