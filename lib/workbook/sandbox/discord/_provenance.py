"""Where every message shape the emulated bot sends comes from, per era (issue 25).

For each era and each kind of message the bot can send in it, each aspect — the content's form,
the buttons (flattened, in order), the attachment's name form and type, the message type — is
traced to a file under `tests/midjourney/fixtures/` (whose README names each file's public
origin: a capture of the live bot or a public proxy's test fixture), written `file`, `file#N`
(entry N of a list file) or `file#key` (that key of an object file), or marked `INFERRED`:
the emulator's own choice, explained in `why`. `tests/discord_emulator/test_provenance.py`
makes the emulator send every shape listed here and compares each traced aspect with its source,
so an emulated shape that no capture shows fails there.
"""

from __future__ import annotations

from dataclasses import dataclass

INFERRED = "inferred"
NONE = ""  # the message has no such thing (no attachment)
ASPECTS = ("content", "components", "attachment", "type")


@dataclass(frozen=True)
class Shape:
    content: str
    components: str
    attachment: str
    type: str
    why: str = ""  # for every INFERRED aspect: what the emulator does and why


_WAITING_TYPE = (
    "type: 20 (CHAT_INPUT_COMMAND, the reply to a slash command, discord docs); the 2023 capture shows 0 "
    "only because it used gateway v6, which reports 19/20 as 0 (reference notes §3.6)"
)
_EDIT_TYPE = "type: an edit of the waiting message keeps its type 20"
_V7_CAPTURE = "captures/v7_variation_strong_final.json"
_V7_GRID = Shape(
    content="captures/contents.json#3",
    components=_V7_CAPTURE,
    attachment=_V7_CAPTURE,
    type=_V7_CAPTURE,
)
_OLDER_WAITING = Shape("waiting_to_start.json", "waiting_to_start.json", NONE, INFERRED, _WAITING_TYPE)
_OLDER_PROGRESS = Shape("progress_31.json", "progress_31.json", "progress_31.json", INFERRED, _EDIT_TYPE)
_CLASSIC_VARIATION_PROGRESS = Shape(
    "captures/contents.json#12",
    "progress_31.json",
    "progress_31.json",
    INFERRED,
    _EDIT_TYPE + "; no older source shows a Cancel Job button, so none",
)


def _older_grid(content: str) -> Shape:
    return Shape(content, "final_grid.json", "final_grid.json", "final_grid.json")


def _older_variation_grid(phrase: str, link: str) -> Shape:
    return Shape(
        INFERRED,
        "final_grid.json",
        "final_grid.json",
        "final_grid.json",
        f"content: `**p** - {phrase}<@u>{link} (mode)`, the grammar of reference notes §3.2 (the era's "
        "action phrase: `Variations by` before v5.2, `Variations (Strong) by` after; its link between "
        "mention and mode)",
    )


def _older(content: str, upscale: Shape, extra: dict[str, Shape]) -> dict[str, Shape]:
    """The kinds every older era sends: waiting, progress, grid, its upscale, variations."""
    return {
        "waiting": Shape("waiting_to_start.json", "waiting_to_start.json", NONE, INFERRED, _WAITING_TYPE),
        "progress": Shape("progress_31.json", "progress_31.json", "progress_31.json", INFERRED, _EDIT_TYPE),
        "grid": Shape(content, "final_grid.json", "final_grid.json", "final_grid.json"),
        "upscale": upscale,
        **extra,
    }


_V6_SOLO = "captures/v6_upscale_buttons.json"
_BOOKMARK = Shape(
    "captures/v7_bookmark_reply.json", "captures/v7_bookmark_reply.json", NONE, "captures/v7_bookmark_reply.json"
)
_V6_BUTTON_GRID = "final_grid.json"


SHAPES: dict[str, dict[str, Shape]] = {
    "v7": {
        "waiting": Shape("waiting_to_start.json", "waiting_to_start.json", NONE, INFERRED, _WAITING_TYPE),
        "progress": Shape(
            "captures/v7_imagine_progress.json",
            "captures/v7_imagine_progress.json",
            "captures/v7_imagine_progress.json",
            INFERRED,
            _EDIT_TYPE,
        ),
        "grid": _V7_GRID,
        "upscale_ack": Shape(
            "captures/contents.json#4",
            "captures/v7_upscale_ack.json",
            NONE,
            INFERRED,
            "type: 20, the interaction's reply, like the waiting message",
        ),
        "upscale": Shape(*["captures/v7_upscale_image1.json"] * 4),
        "variation_progress": Shape(
            "captures/v7_variation_progress.json",
            "captures/v7_variation_progress.json",
            "captures/v7_variation_progress.json",
            INFERRED,
            _EDIT_TYPE,
        ),
        "variation_grid": Shape(*[_V7_CAPTURE] * 4),
        "zoom_grid": Shape(*["captures/v7_zoom_out_final.json"] * 4),
        "pan_grid": Shape(*["captures/v7_pan_right_final.json"] * 4),
        "upscaled": Shape(*["captures/v7_upscaled_creative_final.json"] * 4),
        "bookmark": Shape(
            "captures/v7_bookmark_reply.json",
            "captures/v7_bookmark_reply.json",
            NONE,
            "captures/v7_bookmark_reply.json",
        ),
    },
    "v6": _older(
        "captures/contents.json#2",
        Shape("upscale_image2.json", _V6_SOLO, "upscale_image2.json", "upscale_image2.json"),
        {
            "variation_progress": Shape(
                INFERRED,
                "progress_31.json",
                "progress_31.json",
                INFERRED,
                "content: `**p** - Variations (Strong) by <@u> (N%) (mode)`, the v5.2+ phrase (reference notes §3.2) "
                "in the progress form of progress_31.json; " + _EDIT_TYPE,
            ),
            # Like trueai's v6 Pan / Zoom Out finals: no link on a button-made grid.
            "variation_grid": _older_variation_grid("Variations (Strong) by ", ""),
            "zoom_grid": Shape("captures/contents.json#14", *[_V6_BUTTON_GRID] * 3),
            "pan_grid": Shape("captures/contents.json#10", *[_V6_BUTTON_GRID] * 3),
            "upscaled": Shape("captures/contents.json#5", _V6_SOLO, "upscale_image2.json", "upscale_image2.json"),
            # The heart's only capture is v7's; the v6 bot's heart is taken to answer the same way.
            "bookmark": _BOOKMARK,
        },
    ),
    "v5": _older(
        "final_grid.json",
        Shape(
            "upscale_image2.json",
            "captures/older_upscale_buttons.json#v5",
            "upscale_image2.json",
            "upscale_image2.json",
        ),
        {
            "variation_progress": _CLASSIC_VARIATION_PROGRESS,
            "variation_grid": _older_variation_grid("Variations by ", ""),
        },
    ),
    "v4": _older(
        "final_grid.json",
        Shape(
            "captures/contents.json#6",
            "captures/older_upscale_buttons.json#v4",
            "upscale_image2.json",
            "upscale_image2.json",
        ),
        {
            "upscale_ack": Shape(
                "captures/contents.json#4",
                INFERRED,
                NONE,
                INFERRED,
                "components: none (no source shows the v4 acknowledgement's buttons); "
                "type: 20, the interaction's reply",
            ),
            "variation_progress": _CLASSIC_VARIATION_PROGRESS,
            "variation_grid": _older_variation_grid("Variations by ", ""),
            "upscaled": Shape(
                "captures/contents.json#6",
                "captures/older_upscale_buttons.json#v4",
                "upscale_image2.json",
                "upscale_image2.json",
            ),
        },
    ),
}
