// The suggestions panel with the keyboard: J/↓ and K/↑ move between
// suggestions, A accepts, R rejects, E opens the bounds to edit. Every action
// submits the panel's own form (which works without this script); after the
// page comes back, the suggestion that followed the decided one has the focus
// and the notice is read by screen readers (role="status").

const list = document.getElementById("assist-list");

function items() {
  return Array.from(list.querySelectorAll(".assist-item"));
}

function focusItem(item) {
  for (const other of items()) other.tabIndex = -1;
  item.tabIndex = 0;
  item.focus();
}

function move(current, step) {
  const all = items();
  const index = all.indexOf(current);
  const next = all[index + step];
  if (next) focusItem(next);
}

if (list) {
  list.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const item = event.target.closest(".assist-item");
    if (!item || event.target.matches("input, select, textarea")) return;
    const key = event.key.toLowerCase();
    if (key === "j" || key === "arrowdown") {
      move(item, 1);
    } else if (key === "k" || key === "arrowup") {
      move(item, -1);
    } else if (key === "a") {
      item.querySelector("form.assist-accept")?.requestSubmit();
    } else if (key === "r") {
      item.querySelector("form.assist-reject")?.requestSubmit();
    } else if (key === "e") {
      const edit = item.querySelector("details.assist-edit");
      if (!edit) return;
      edit.open = true;
      edit.querySelector("input[name=start]")?.focus();
    } else {
      return;
    }
    event.preventDefault();
  });
  const wanted = window.location.hash.startsWith("#s-")
    ? document.getElementById(window.location.hash.slice(1))
    : null;
  if (wanted && wanted.classList.contains("assist-item")) focusItem(wanted);
}
