// Corpus pages: upload progress, and text selection on the review page.
// Everything here is optional: without JavaScript the forms post as usual.

const upload = document.getElementById("upload-form");
if (upload && window.XMLHttpRequest && window.FormData) {
  const box = document.getElementById("upload-progress");
  const bar = document.getElementById("upload-bar");
  const status = document.getElementById("upload-status");
  const button = document.getElementById("upload-button");
  upload.addEventListener("submit", (event) => {
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", upload.action);
    box.hidden = false;
    button.disabled = true;
    request.upload.addEventListener("progress", (progress) => {
      if (!progress.lengthComputable) return;
      const percent = Math.round((100 * progress.loaded) / progress.total);
      bar.value = percent;
      status.textContent = box.dataset.sent.replace("{percent}", String(percent));
      if (progress.loaded === progress.total) status.textContent = box.dataset.reading;
    });
    request.addEventListener("load", () => {
      // The answer is the report page (or an error page): show it as a
      // normal form post would.
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener("error", () => {
      status.textContent = box.dataset.failed;
      upload.submit();
    });
    request.send(new FormData(upload));
  });
}

const text = document.getElementById("review-text");
if (text) {
  // Offsets are Unicode code points of the document's text, which is the
  // text of #review-text without the labels shown after each replacement.
  const textOf = (range) => {
    const fragment = range.cloneContents();
    for (const label of fragment.querySelectorAll(".pseudo-label")) label.remove();
    return fragment.textContent;
  };
  const codePoints = (range) => Array.from(textOf(range)).length;
  const offset = (node, at) => {
    const range = document.createRange();
    range.setStart(text, 0);
    range.setEnd(node, at);
    return codePoints(range);
  };
  const selection = document.getElementById("selection");
  const update = () => {
    const chosen = window.getSelection();
    if (!chosen || chosen.rangeCount === 0 || chosen.isCollapsed) return;
    const range = chosen.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return;
    const start = offset(range.startContainer, range.startOffset);
    const end = offset(range.endContainer, range.endOffset);
    if (end <= start) return;
    document.getElementById("add-start").value = start;
    document.getElementById("add-end").value = end;
    const words = textOf(range);
    selection.textContent = selection.dataset.template
      .replace("{text}", words.length > 80 ? `${words.slice(0, 80)}…` : words)
      .replace("{start}", String(start))
      .replace("{end}", String(end));
    // A selection over a replacement proposes it as that replacement's bounds.
    for (const item of document.querySelectorAll("li.replacement")) {
      const itemStart = Number(item.dataset.start);
      const itemEnd = Number(item.dataset.end);
      if (itemStart < end && start < itemEnd) {
        item.querySelector(".bound-start").value = start;
        item.querySelector(".bound-end").value = end;
        item.querySelector("details.bounds").open = true;
      }
    }
  };
  text.addEventListener("mouseup", update);
  text.addEventListener("keyup", update);
}
