"""The plain HTML page every refusal and error is shown with (no Dash, no data)."""

from __future__ import annotations

from html import escape

from fastapi.responses import HTMLResponse


def error_page(status: int, message: str, headers: dict[str, str] | None = None,
               embed: dict[str, str] | None = None) -> HTMLResponse:
    """A page saying what is wrong; ``embed`` (the frame's host attributes) makes it the
    chromeless embed variant, which tells its host page why by postMessage (``embed.js``)."""
    link = "<a class='gw-error-link' href='/'>返回大屏目录</a>"
    attrs = ""
    if embed is not None:
        link = "<script src='/assets/embed.js'></script>"
        attrs = "".join(f" {k}='{escape(v)}'" for k, v in
                        {**embed, "data-status": str(status), "data-reason": message}.items())
    body = (
        "<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>greenwall</title>"
        f"<link rel='stylesheet' href='/assets/theme.css'><body class='gw-error-page'{attrs}>"
        f"<div class='gw-error'><h1 class='gw-error-code'>{status}</h1>"
        f"<p class='gw-error-message'>{escape(message)}</p>{link}</div></body></html>"
    )
    return HTMLResponse(body, status_code=status, headers=headers)
