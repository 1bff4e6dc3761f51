// Codebook editor: drag a code onto another to move it there (with its
// sub-codes). The same move is a form on each code's page, for the keyboard;
// this only posts that form's fields to the same route, which checks them.
const tree = document.getElementById("code-tree");
if (tree && tree.dataset.csrf) {
  let dragged = null;
  tree.addEventListener("dragstart", (event) => {
    const item = event.target.closest("li[data-code]");
    if (!item) return;
    dragged = item.dataset.code;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged);
    event.stopPropagation();
  });
  tree.addEventListener("dragover", (event) => {
    const target = event.target.closest("li[data-code]");
    if (target && dragged && target.dataset.code !== dragged) {
      event.preventDefault();
      target.classList.add("drop-target");
    }
  });
  tree.addEventListener("dragleave", (event) => {
    const target = event.target.closest("li[data-code]");
    if (target) target.classList.remove("drop-target");
  });
  tree.addEventListener("drop", async (event) => {
    const target = event.target.closest("li[data-code]");
    if (!target || !dragged) return;
    event.preventDefault();
    target.classList.remove("drop-target");
    const body = new URLSearchParams({
      csrf_token: tree.dataset.csrf,
      parent: target.dataset.code,
    });
    const lang = document.documentElement.lang || "fr";
    const answer = await fetch(`/qual/codebook/${dragged}/move?lang=${lang}`, {
      method: "POST",
      body,
      credentials: "same-origin",
    });
    window.location.assign(answer.url);
  });
}
