"""The plain HTML page every refusal and error is shown with (no Dash, no data)."""

from __future__ import annotations

from html import escape

from fastapi.responses import HTMLResponse

# Messages say what is wrong in both languages; so does the way back, when the caller does not
# know the reader's language.
BACK = {"zh": "返回大屏目录", "en": "Back to screens", "": "返回大屏目录 · Back to screens"}


def error_page(status: int, message: str, headers: dict[str, str] | None = None,
               embed: dict[str, str] | None = None, lang: str = "") -> HTMLResponse:
    """A page saying what is wrong; ``embed`` (the frame's host attributes) makes it the
    chromeless embed variant, which tells its host page why by postMessage (``embed.js``).
    ``lang`` ("zh" or "en", from the URL) picks the language of the link back to the index,
    which keeps it; unknown, the link says both."""
    lang = lang if lang in BACK else ""
    home = "/?lang=en" if lang == "en" else "/"
    link = f"<a class='gw-error-link' href='{home}'>{BACK[lang]}</a>"
    attrs = ""
    if embed is not None:
        link = "<script src='/assets/embed.js'></script>"
        attrs = "".join(f" {k}='{escape(v)}'" for k, v in
                        {**embed, "data-status": str(status), "data-reason": message}.items())
    page_lang = "en" if lang == "en" else "zh-CN"
    body = (
        f"<!doctype html><html lang='{page_lang}'><meta charset='utf-8'><title>greenwall</title>"
        f"<link rel='stylesheet' href='/assets/theme.css'><body class='gw-error-page'{attrs}>"
        f"<div class='gw-error'><h1 class='gw-error-code'>{status}</h1>"
        f"<p class='gw-error-message'>{escape(message)}</p>{link}</div></body></html>"
    )
    return HTMLResponse(body, status_code=status, headers=headers)
