// The job page: poll the job's JSON status and move the progress bar; once the
// job is over, reload the page, which then offers the result (or the error).
// Without JavaScript the page shows the progress as it was and a link to reload.
const section = document.getElementById("job");

const ACTIVE = new Set(["queued", "running"]);
const EVERY_MS = 1000;

async function poll() {
  let status;
  try {
    const reply = await fetch(section.dataset.statusUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    });
    if (!reply.ok) {
      return;
    }
    status = await reply.json();
  } catch {
    setTimeout(poll, EVERY_MS * 3);
    return;
  }
  const bar = document.getElementById("job-progress");
  bar.value = status.percent;
  bar.textContent = `${status.percent} %`;
  document.getElementById("job-percent").textContent = `${status.percent} %`;
  document.getElementById("job-status-label").textContent = status.status_label;
  const step = document.getElementById("job-step");
  if (step) {
    step.textContent = status.step_label;
  }
  if (ACTIVE.has(status.status)) {
    setTimeout(poll, EVERY_MS);
  } else {
    window.location.reload();
  }
}

if (section && ACTIVE.has(section.dataset.status)) {
  const hint = document.getElementById("job-reload-hint");
  if (hint) {
    hint.hidden = true;
  }
  setTimeout(poll, EVERY_MS);
}
