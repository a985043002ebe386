"""A file into a Slack conversation with the current upload API (``files.upload`` is retired):
``files.getUploadURLExternal`` gives a one-off upload address, the bytes are POSTed there, and
``files.completeUploadExternal`` shares the file into the conversation.

Any refusal — a workspace that did not grant ``files:write``, an upload address that fails — is logged and
reported as "not sent", so the caller gives the file's link instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant.messages import Attachment

logger = logging.getLogger(__name__)
UPLOAD_TIMEOUT = httpx.Timeout(10.0, connect=3.0)


@dataclass(frozen=True, slots=True)
class Upload:
    """A file uploaded but not yet shared anywhere."""

    file_id: str
    title: str


def upload(client: WebClient, attachment: Attachment) -> Upload | None:
    """Upload the file's bytes (invisible until shared); None when Slack refused or the upload failed."""
    try:
        answer = client.files_getUploadURLExternal(
            filename=attachment.filename, length=len(attachment.content)
        )
        url, file_id = answer.get("upload_url"), answer.get("file_id")
        if not url or not file_id:
            return None
        sent = httpx.post(
            str(url),
            content=attachment.content,
            headers={"Content-Type": attachment.media_type},
            timeout=UPLOAD_TIMEOUT,
        )
        sent.raise_for_status()
    except SlackApiError as exc:
        logger.warning("Slack file upload refused: %s", exc.response.get("error"))
        return None
    except httpx.HTTPError as exc:
        logger.warning("Slack file upload failed: %s", type(exc).__name__)
        return None
    return Upload(str(file_id), attachment.filename)


def share(client: WebClient, uploaded: Upload, channel: str) -> bool:
    """Share an uploaded file into ``channel``; False when Slack refused."""
    try:
        client.files_completeUploadExternal(
            files=[{"id": uploaded.file_id, "title": uploaded.title}], channel_id=channel
        )
    except SlackApiError as exc:
        logger.warning("Slack file share refused: %s", exc.response.get("error"))
        return False
    return True
