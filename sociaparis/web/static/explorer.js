// Survey explorer: "copy as R" and "copy as Python" buttons (the page works
// without them: the code is shown in a <pre> that can be selected).
const status = document.getElementById("explorer-copied");

for (const button of document.querySelectorAll(".copy-button")) {
  if (!navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    await navigator.clipboard.writeText(source.textContent);
    if (status) status.textContent = status.dataset.text;
  });
}
