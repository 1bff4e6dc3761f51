"""Reading a researcher's multipart form with limits, and the background mailings."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException, Request
from starlette.datastructures import FormData, UploadFile

from sociaparis.core.errors import SociaparisError
from sociaparis.survey.fielding.errors import FieldingError
from sociaparis.web.deps import require_session_csrf

#: The largest multipart body a researcher's form may send (a staff list of
#: 200,000 rows is about 20 MB).
MAX_UPLOAD_BYTES = 50_000_000


async def read_upload_form(request: Request, *, max_bytes: int) -> FormData:
    """The multipart form of a researcher's page, CSRF-checked, with limits.

    The body's declared length must be at most ``max_bytes`` (413), and is
    required (411); a form with other fields than a few is refused.
    """
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        raise HTTPException(status_code=411, detail="error_title")
    if int(declared) > max_bytes + 100_000:
        raise HTTPException(status_code=413, detail="upload_too_large")
    form = await request.form(max_files=2, max_fields=20, max_part_size=2_000_000)
    token = form.get("csrf_token")
    require_session_csrf(request, token if isinstance(token, str) else None)
    return form


async def uploaded_bytes(
    form: FormData, name: str, *, max_bytes: int
) -> tuple[str, bytes] | None:
    """The file sent as ``name`` (its name and bytes), None if none was chosen;
    413 when it is larger than ``max_bytes``."""
    upload = form.get(name)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    data = await upload.read(max_bytes + 1)
    await upload.close()
    if len(data) > max_bytes:
        raise HTTPException(status_code=413, detail="upload_too_large")
    return upload.filename.replace("\\", "/").rpartition("/")[2][:200], data


@dataclass(slots=True)
class MailingStatus:
    """A mailing sent in the background by this server process."""

    running: bool = True
    progress: dict[str, Any] = field(default_factory=dict)
    error: str = ""


class MailingRunner:
    """One background thread per form sending its mailing.

    The links file's people are held in memory by the thread only, and dropped
    when it ends; what stays is the counts (:attr:`MailingStatus.progress`).
    A server restart ends the thread: sending the links file again goes on
    where it stopped (the journal in the database says what was sent).
    """

    def __init__(self) -> None:
        self._status: dict[str, MailingStatus] = {}
        self._lock = threading.Lock()

    def status(self, form_id: str) -> MailingStatus | None:
        """The form's latest mailing in this process, if any."""
        return self._status.get(form_id)

    def start(self, form_id: str, send: Callable[[Callable[[Any], None]], Any]) -> None:
        """Run ``send(report)`` in a thread (``FIELD_017`` if one runs for the form)."""
        with self._lock:
            current = self._status.get(form_id)
            if current is not None and current.running:
                raise SociaparisError(FieldingError.MAILING_RUNNING, form_id=form_id)
            status = MailingStatus()
            self._status[form_id] = status

        def report(outcome: Any) -> None:
            status.progress = outcome.to_dict()

        def run() -> None:
            try:
                outcome = send(report)
                status.progress = outcome.to_dict()
            except SociaparisError as error:
                status.error = f"{error.code}: {error.message}"
            except Exception as error:  # noqa: BLE001 - shown on the page, and logged
                import logging

                logging.getLogger(__name__).exception("mailing of %s failed", form_id)
                status.error = type(error).__name__
            finally:
                status.running = False

        threading.Thread(target=run, name=f"mailing-{form_id}", daemon=True).start()

    def wait(self, form_id: str, timeout: float = 30.0) -> None:
        """Wait until the form's mailing ends (for tests and shutdown)."""
        import time

        deadline = time.monotonic() + timeout
        while (status := self._status.get(form_id)) and status.running:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the mailing of {form_id} still runs")
            time.sleep(0.02)
