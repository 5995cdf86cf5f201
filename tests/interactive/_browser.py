"""Driving JupyterLab in headless Chromium with Selenium, and reading results back from the DOM only."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# As root, and on a machine whose network is closed: no sandbox, no GPU, no background connections
# (they would hang or fill the log), a fresh profile per browser.
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1800",
)

KERNEL_STATUS = (
    "var e = document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator');"
    "return e ? e.getAttribute('data-status') : null;"
)
PROMPTS = (
    "return Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt'))"
    ".map(e => e.textContent.trim());"
)
# Every code cell's stderr outputs (errors render as stderr text whose traceback JupyterLab shows).
STDERR = (
    "return Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell')).map(cell =>"
    " Array.from(cell.querySelectorAll('.jp-OutputArea-output[data-mime-type=\"application/vnd.jupyter.stderr\"]'))"
    ".map(e => e.textContent));"
)
STDOUT = (
    "return Array.from(document.querySelectorAll("
    "'.jp-Notebook .jp-OutputArea-output[data-mime-type=\"application/vnd.jupyter.stdout\"]')).map(e => e.textContent);"
)
# Tables with a `status` column, per code cell: [[headers, rows], ...] for each cell.
TABLES = (
    "return Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell')).map(cell =>"
    " Array.from(cell.querySelectorAll('.jp-OutputArea-output table.dataframe')).map(t => ["
    "  Array.from(t.querySelectorAll('thead th')).map(th => th.textContent.trim()),"
    "  Array.from(t.querySelectorAll('tbody tr')).map(tr => Array.from(tr.children).map(td => td.textContent.trim()))"
    " ]));"
)
LIVE_ROWS = (
    "return Array.from(document.querySelectorAll('.jp-Notebook table.workbook-check')).map(t => ["
    " t.querySelector('code').textContent.trim(), t.querySelector('.workbook-check-status').textContent.trim()]);"
)


def require_chromium() -> tuple[str, str]:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        raise AssertionError(
            "chromium and chromedriver are not installed; `make test-browser` installs them "
            "(apt-get install -y chromium chromium-driver)"
        )
    return chromium, driver


def chrome(profile_dir: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = require_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium  # a given binary and driver: Selenium Manager never downloads
    for flag in (*CHROME_FLAGS, f"--user-data-dir={profile_dir}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


@dataclass
class RunOutcome:
    prompts: list[str]
    stderr: list[list[str]]
    stdout: list[str]
    tables: list[list[list[Any]]]
    live_rows: list[list[str]]
    progress_widgets: int
    binding_text: str
    form_count: int
    seconds: float

    def checks_table(self) -> tuple[list[str], list[list[str]]] | None:
        """The last table with a `status` column: the `checks.finish()` summary."""
        found = [table for cell in self.tables for table in cell if "status" in table[0] and "id" in table[0]]
        return (found[-1][0], found[-1][1]) if found else None

    def statuses(self) -> dict[str, str]:
        table = self.checks_table()
        if table is None:
            return {}
        headers, rows = table
        # The first header is the index column, which has no name.
        offset = len(rows[0]) - len(headers) if rows else 0
        id_at, status_at = headers.index("id") + offset, headers.index("status") + offset
        return {row[id_at]: row[status_at] for row in rows}


class LabPage:
    def __init__(self, driver: Any, url: str, token: str) -> None:
        self.driver = driver
        self.url = url
        self.token = token

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def wait(self, condition: Any, timeout_s: float, what: str, poll_s: float = 0.5) -> Any:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(poll_s)
        raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")

    def open(self, notebook: str, timeout_s: float = 120) -> None:
        # A workspace of its own: only this notebook is open, nothing restored from the previous one.
        self.driver.get(f"{self.url}/lab/workspaces/{notebook}/tree/{notebook}.ipynb?token={self.token}")
        self.wait_until_idle(timeout_s, f"{notebook} to open with its kernel idle")
        dialog = self.js("var d = document.querySelector('.jp-Dialog'); return d ? d.textContent : null;")
        assert dialog is None, f"JupyterLab asked something on opening {notebook}: {dialog!r}"

    def run_all(self, attempts: int = 3) -> None:
        """Run > Run All Cells, through the menu as a person would; again if no cell started (the
        kernel was still being replaced when the click arrived)."""
        from selenium.webdriver.common.by import By

        for _ in range(attempts):
            menu = next(
                item
                for item in self.driver.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-itemLabel")
                if item.text == "Run"
            )
            menu.click()
            self.wait(
                lambda: self.driver.find_elements(By.CSS_SELECTOR, '.lm-Menu-item[data-command="runmenu:run-all"]'),
                10,
                "the Run menu",
                poll_s=0.1,
            )[0].click()
            try:
                self.wait(lambda: any(p != "[ ]:" for p in self.js(PROMPTS)), 20, "a cell to start", poll_s=0.25)
                return
            except AssertionError:
                continue
        raise AssertionError(f"Run All Cells started no cell in {attempts} attempts")

    def wait_until_idle(self, timeout_s: float, what: str = "the kernel to go idle after Run All") -> None:
        """The kernel idle and no cell queued or running, four polls in a row (cells go idle in between)."""
        calm = [0]

        def settled() -> bool:
            busy = self.js(KERNEL_STATUS) != "idle" or any(prompt == "[*]:" for prompt in self.js(PROMPTS))
            calm[0] = 0 if busy else calm[0] + 1
            return calm[0] >= 4

        self.wait(settled, timeout_s, what)

    def outcome(self, started: float) -> RunOutcome:
        from selenium.webdriver.common.by import By

        def binding() -> str:
            found = self.driver.find_elements(By.CSS_SELECTOR, ".workbook-binding")
            return str(found[0].text) if found else ""

        # Widgets render a moment after their output arrives.
        try:
            text = self.wait(binding, 20, "the binding panel", poll_s=0.25)
        except AssertionError:
            text = ""
        return RunOutcome(
            prompts=self.js(PROMPTS),
            stderr=self.js(STDERR),
            stdout=self.js(STDOUT),
            tables=self.js(TABLES),
            live_rows=self.js(LIVE_ROWS),
            progress_widgets=len(self.driver.find_elements(By.CSS_SELECTOR, ".workbook-progress, .workbook-log")),
            binding_text=text,
            form_count=len(self.driver.find_elements(By.CSS_SELECTOR, ".workbook-form")),
            seconds=time.monotonic() - started,
        )

    def screenshots(self, folder: Path, notebook: str) -> list[Path]:
        """The top (parameter form) and the end (checks table) of the notebook after the run."""
        from selenium.webdriver.common.by import By

        folder.mkdir(parents=True, exist_ok=True)
        cells = self.driver.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")
        shots = []
        for where, cell, block in (("top", cells[0], "start"), ("end", cells[-1], "end")):
            self.js("arguments[0].scrollIntoView({block: arguments[1]});", cell, block)
            time.sleep(0.3)
            path = folder / f"{notebook}-{where}.png"
            self.driver.save_screenshot(str(path))
            shots.append(path)
        return shots
