// The QCA pages: "Copy as R code" puts the run's R code on the clipboard.
// Without JavaScript the code stays readable (and selectable) on the page.
for (const button of document.querySelectorAll("button[data-copy]")) {
  const source = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector(".copy-status");
  if (!source || !navigator.clipboard) {
    continue;
  }
  button.hidden = false;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(source.textContent);
    if (status) {
      status.textContent = status.dataset.copied;
    }
  });
}
