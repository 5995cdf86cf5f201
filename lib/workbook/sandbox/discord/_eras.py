"""How the bot's messages look in each Midjourney era (setting `era`, default the live `v7`).

The v7 shapes come from public captures of the live bot (2026, reference notes §3, issues 13 and
25): finals are webp grids posted as a type-19 reply (an imagine's to its "(Waiting to start)"
message, a button's result to the message whose button was pressed), with a markdown job link
`[(Open on website for full quality)](<https://midjourney.com/jobs/<uuid>>)` and a Web link
button; progress is irregular (17, 20, 27, 35 ... 95: no 0 %, no preview before 35 %) with a `-# `
second line; `/imagine` progress carries **no** components, while Cancel Job appears on the
progress of variations, zooms and pans and on the upscale acknowledgement ("Upscaling image #N
with ... (Waiting to start)", before "Image #N"); "Image #N" carries the live bot's 16 buttons
(`_components`). Older eras keep the shapes public proxies were written against: v6 with the
plain "(Open on website for full quality)", v5 with none, v4 with "Upscaled by" results; no
source shows a Cancel Job button in them, so they have none. Where each shape comes from:
`_provenance.SHAPES`.
"""

from __future__ import annotations

from dataclasses import dataclass

# As a live v7 message shows it (June 2025; tests/midjourney/fixtures/captures/contents.json).
SECOND_LINE = "\n-# Create, explore, and organize on [midjourney.com](<https://midjourney.com/imagine?from_discord=1>)"
OPEN_ON_WEBSITE = "(Open on website for full quality)"
CLASSIC_LADDER = (0, 15, 31, 46, 62, 78, 93)


@dataclass(frozen=True)
class Era:
    name: str
    ladder: tuple[int, ...]  # progress percentages shown
    preview_from: int  # first percentage whose update carries a preview image
    grid_format: str  # "webp" | "png"
    final_reply: bool  # the final grid replies (type 19) to the job's waiting message
    job_link: str  # "markdown" | "plain" | "" in the final's content
    link_button: bool  # a Web link button on the final grid
    second_line: str  # appended to progress contents
    upscale_flow: str  # "ack" (acknowledgement, then Image #N) | "direct" (Image #N) | "legacy" (Upscaled by)
    cancel_on: frozenset[str]  # job kinds whose progress carries Cancel Job ("upscale" = its acknowledgement)
    named_variations: bool = True  # "Variations (Strong) by" (v5.2+), else "Variations by"
    link_on_actions: bool = True  # button-made grids (variations, zoom, pan) carry the job link too


ERAS = {
    "v7": Era(
        "v7",
        (17, 20, 27, 35, 47, 56, 64, 72, 81, 89, 95),
        35,
        "webp",
        True,
        "markdown",
        True,
        SECOND_LINE,
        "ack",
        frozenset({"variation", "zoom", "pan", "upscale"}),
    ),
    # trueai's v6 examples: the plain link on an imagine final, none on Pan / Zoom Out finals.
    "v6": Era("v6", CLASSIC_LADDER, 15, "png", False, "plain", False, "", "direct", frozenset(), True, False),
    "v5": Era("v5", CLASSIC_LADDER, 15, "png", False, "", False, "", "direct", frozenset(), False),
    "v4": Era("v4", CLASSIC_LADDER, 15, "png", False, "", False, "", "legacy", frozenset(), False),
}


def job_link(era: Era, job_hash: str) -> str:
    """What a final says between the mention and the mode (with its leading space), if anything."""
    if era.job_link == "markdown":
        return f" [{OPEN_ON_WEBSITE}](<https://midjourney.com/jobs/{job_hash}>)"
    if era.job_link == "plain":
        return f" {OPEN_ON_WEBSITE}"
    return ""
