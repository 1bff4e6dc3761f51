// The coding view: select text (mouse or keyboard), apply codes, paint coding
// stripes, open a stripe to change or remove its coding, undo.
//
// Offsets exchanged with the server are code points of the stored text, end
// exclusive; JavaScript strings count UTF-16 units, so every conversion goes
// through cpLength / utf16Index.  The server renders the text: each <p.turn>
// holds spans whose data-s is the code-point offset of their first character.

const data = JSON.parse(document.getElementById("coding-data").textContent);
const texts = data.texts;
const textEl = document.getElementById("coding-text");
const stripesEl = document.getElementById("coding-stripes");
const statusEl = document.getElementById("coding-status");
const countEl = document.getElementById("coding-count");
const picker = document.getElementById("code-picker");
const details = document.getElementById("coding-details");
const base = `/qual/documents/${data.document}`;
const LANE = 7; // px per stripe lane

// -- codes --------------------------------------------------------------------------
const codes = new Map(); // guid -> {guid, name, path, parent, color, depth}
for (const [guid, name, path, parent, color] of data.codes) {
  codes.set(guid, { guid, name, path, parent, color, depth: 0 });
}
for (const code of codes.values()) {
  let p = code.parent;
  while (p && codes.has(p) && code.depth < 8) {
    code.depth += 1;
    p = codes.get(p).parent;
  }
}
const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
  "#7f7f7f", "#bcbd22", "#17becf", "#ff7f0e"];
let paletteIndex = 0;
for (const code of codes.values()) {
  if (!code.color) code.color = PALETTE[paletteIndex++ % PALETTE.length];
}
let recent = data.recent.filter((g) => codes.has(g));
let codings = data.codings; // [guid, code, start, end, coder, created_at, memo]

function say(key, values = {}) {
  let text = texts[key] || key;
  for (const [name, value] of Object.entries(values)) {
    text = text.replaceAll(`{${name}}`, String(value));
  }
  statusEl.textContent = text;
}

// -- offsets: code points <-> DOM ----------------------------------------------------
function cpLength(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

function utf16Index(s, cp) {
  let i = 0;
  let n = 0;
  while (i < s.length && n < cp) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    n++;
  }
  return i;
}

const SURROGATE = /[\ud800-\udfff]/;
const blocks = []; // {s, e, el, spans: [{s, e, node, plain}]}
for (const p of textEl.querySelectorAll("p.turn")) {
  const block = { s: +p.dataset.s, e: +p.dataset.e, el: p, spans: [] };
  for (const span of p.children) {
    const node = span.firstChild || span.appendChild(document.createTextNode(""));
    const s = +span.dataset.s;
    const plain = !SURROGATE.test(node.data);
    block.spans.push({ s, e: s + (plain ? node.data.length : cpLength(node.data)), node, plain });
  }
  blocks.push(block);
}

function blockAt(offset) {
  // the last block starting at or before offset
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (blocks[mid].s <= offset) lo = mid; else hi = mid - 1;
  }
  return blocks[lo];
}

function domPoint(offset) {
  const block = blockAt(offset);
  let span = block.spans[0];
  for (const candidate of block.spans) if (candidate.s <= offset) span = candidate;
  const cp = Math.max(0, Math.min(offset, span.e) - span.s);
  return { node: span.node, index: span.plain ? cp : utf16Index(span.node.data, cp) };
}

function offsetOf(node, index) {
  if (!textEl.contains(node)) return null;
  if (node.nodeType === Node.TEXT_NODE) {
    const s = +node.parentElement.dataset.s;
    return s + cpLength(node.data.slice(0, index));
  }
  const el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  if (el === textEl) {
    const child = el.childNodes[index];
    if (child && child.dataset) return +child.dataset.s;
    return blocks.length ? blocks[blocks.length - 1].e : 0;
  }
  const p = el.closest("p.turn");
  if (!p) return null;
  if (el.matches("span[data-s]")) {
    return index === 0 ? +el.dataset.s : +el.dataset.s + cpLength(el.textContent);
  }
  const child = el.childNodes[index];
  return child && child.dataset ? +child.dataset.s : +p.dataset.e;
}

function textOf(start, end) {
  let out = "";
  for (const block of blocks) {
    if (block.e <= start || block.s >= end) continue;
    for (const span of block.spans) {
      if (span.e <= start || span.s >= end) continue;
      const a = Math.max(start, span.s) - span.s;
      const b = Math.min(end, span.e) - span.s;
      const d = span.node.data;
      out += span.plain ? d.slice(a, b) : d.slice(utf16Index(d, a), utf16Index(d, b));
    }
    if (block.e < end) out += " ";
  }
  return out;
}

// -- the selection (start, end in code points; focus is the moving end) -------------
let selection = null; // {anchor, focus}

function selectionSpan() {
  if (!selection || selection.anchor === selection.focus) return null;
  return [Math.min(selection.anchor, selection.focus), Math.max(selection.anchor, selection.focus)];
}

function showSelection() {
  const span = selectionSpan();
  const native = window.getSelection();
  if (!span) {
    native.removeAllRanges();
    statusEl.textContent = "";
    return;
  }
  const a = domPoint(selection.anchor);
  const f = domPoint(selection.focus);
  native.setBaseAndExtent(a.node, a.index, f.node, f.index);
  const excerpt = textOf(span[0], span[1]);
  say("selected", {
    start: span[0],
    end: span[1],
    excerpt: excerpt.length > 80 ? `${excerpt.slice(0, 77)}…` : excerpt,
  });
  const rect = f.node.parentElement.getBoundingClientRect();
  if (rect.top < 0 || rect.bottom > window.innerHeight) {
    f.node.parentElement.scrollIntoView({ block: "nearest" });
  }
}

function readNativeSelection() {
  const native = window.getSelection();
  if (!native.rangeCount || native.isCollapsed) return;
  const anchor = offsetOf(native.anchorNode, native.anchorOffset);
  const focus = offsetOf(native.focusNode, native.focusOffset);
  if (anchor === null || focus === null || anchor === focus) return;
  if (selection && selection.anchor === anchor && selection.focus === focus) return;
  selection = { anchor, focus };
  const span = selectionSpan();
  const excerpt = textOf(span[0], span[1]);
  say("selected", {
    start: span[0],
    end: span[1],
    excerpt: excerpt.length > 80 ? `${excerpt.slice(0, 77)}…` : excerpt,
  });
}

textEl.addEventListener("mouseup", () => setTimeout(readNativeSelection, 0));
document.addEventListener("selectionchange", () => {
  const native = window.getSelection();
  if (native.rangeCount && !native.isCollapsed && textEl.contains(native.anchorNode)) {
    readNativeSelection();
  }
});

// Units the keyboard moves by: turns (block bodies) and sentences.
const turnUnits = blocks.map((b) => [b.spans[b.spans.length - 1].s, b.e]);
const sentenceUnits = [];
const SENTENCE = /[^.!?…]+(?:[.!?…]+["»”)]*|$)/gu;
for (const block of blocks) {
  const span = block.spans[block.spans.length - 1];
  const body = span.node.data;
  for (const match of body.matchAll(SENTENCE)) {
    const lead = match[0].length - match[0].trimStart().length;
    const trimmed = match[0].trim();
    if (!trimmed) continue;
    const from = cpLength(body.slice(0, match.index + lead));
    sentenceUnits.push([span.s + from, span.s + from + cpLength(trimmed)]);
  }
}

function move(units, forward, extend) {
  if (!units.length) return;
  if (!selection) {
    const first = forward ? units[0] : units[units.length - 1];
    selection = { anchor: first[0], focus: first[1] };
  } else if (extend) {
    // towards the anchor: shrink by one unit; away from it: grow by one
    const { anchor, focus } = selection;
    let next = null;
    if (forward) {
      const shrink = focus < anchor && units.find((u) => u[0] > focus && u[0] < anchor);
      const grow = units.find((u) => u[1] > Math.max(focus, anchor));
      next = shrink ? shrink[0] : grow && grow[1];
    } else {
      const shrink = focus > anchor && units.findLast((u) => u[1] < focus && u[1] > anchor);
      const grow = units.findLast((u) => u[0] < Math.min(focus, anchor));
      next = shrink ? shrink[1] : grow && grow[0];
    }
    if (next !== null && next !== undefined) selection = { anchor, focus: next };
  } else {
    const low = Math.min(selection.anchor, selection.focus);
    const high = Math.max(selection.anchor, selection.focus);
    const unit = forward
      ? units.find((u) => u[0] >= high) || units[units.length - 1]
      : units.findLast((u) => u[1] <= low) || units[0];
    selection = { anchor: unit[0], focus: unit[1] };
  }
  showSelection();
}

textEl.addEventListener("keydown", (event) => {
  if (event.altKey || event.metaKey) return;
  const key = event.key;
  if (event.ctrlKey) {
    if (key === "z" || key === "Z") {
      event.preventDefault();
      undo();
    }
    return;
  }
  const moves = {
    ArrowDown: [turnUnits, true],
    ArrowUp: [turnUnits, false],
    ArrowRight: [sentenceUnits, true],
    ArrowLeft: [sentenceUnits, false],
  };
  if (moves[key]) {
    event.preventDefault();
    move(moves[key][0], moves[key][1], event.shiftKey);
  } else if ((key === "c" || key === "C" || key === "Enter") && data.can_code) {
    event.preventDefault();
    openPicker();
  } else if ((key === "u" || key === "U") && data.can_code) {
    event.preventDefault();
    undo();
  } else if (key === "s" || key === "S") {
    event.preventDefault();
    focusStripe(0);
  } else if (key === "Escape") {
    selection = null;
    showSelection();
  }
});

// -- the server ---------------------------------------------------------------------
async function send(method, path, body) {
  const response = await fetch(`${base}${path}?lang=${data.lang}`, {
    method,
    headers: { "Content-Type": "application/json", "X-CSRF-Token": data.csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    say("failed", { message: answer.message || answer.error || response.status });
    return null;
  }
  if (answer.codings) {
    codings = answer.codings;
    paint();
  }
  return answer;
}

async function undo() {
  const answer = await send("POST", "/undo", {});
  if (answer) say("undone", { kind: answer.undone.undone });
}

// -- the code picker ----------------------------------------------------------------
const pickerSearch = document.getElementById("picker-search");
const pickerList = document.getElementById("picker-list");
const pickerExcerpt = document.getElementById("picker-excerpt");
const pickerMemo = document.getElementById("picker-memo");
let pickerSpan = null;

function fold(s) {
  return s.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
}

function pickerItem(code, id, indent) {
  const item = document.createElement("div");
  item.className = `picker-item depth-${indent ? Math.min(code.depth, 6) : 0}`;
  item.dataset.search = fold(code.path);
  const box = document.createElement("input");
  box.type = "checkbox";
  box.id = id;
  box.value = code.guid;
  const label = document.createElement("label");
  label.htmlFor = id;
  const swatch = document.createElement("span");
  swatch.className = "swatch";
  swatch.style.backgroundColor = code.color;
  label.append(swatch, indent ? code.name : code.path);
  label.title = code.path;
  item.append(box, label);
  return item;
}

function buildPicker() {
  pickerList.replaceChildren();
  const addGroup = (title, items) => {
    if (!items.length) return;
    const heading = document.createElement("p");
    heading.className = "picker-heading";
    heading.textContent = title;
    pickerList.append(heading, ...items);
  };
  addGroup(texts.recent, recent.map((g, i) => pickerItem(codes.get(g), `pick-r-${i}`, false)));
  addGroup(texts.all, [...codes.values()].map((c, i) => pickerItem(c, `pick-t-${i}`, true)));
}

pickerList.addEventListener("change", (event) => {
  const box = event.target;
  for (const other of pickerList.querySelectorAll(`input[value="${box.value}"]`)) {
    other.checked = box.checked;
  }
});

picker.addEventListener("keydown", (event) => {
  // Enter on a ticked box applies too (only text fields submit by themselves)
  if (event.key === "Enter" && event.target.type === "checkbox") {
    event.preventDefault();
    document.getElementById("picker-form").requestSubmit();
  }
});

pickerSearch.addEventListener("input", () => {
  const query = fold(pickerSearch.value.trim());
  for (const item of pickerList.querySelectorAll(".picker-item")) {
    item.hidden = query !== "" && !item.dataset.search.includes(query);
  }
});

function openPicker() {
  pickerSpan = selectionSpan();
  if (!pickerSpan) {
    say("no_selection");
    return;
  }
  buildPicker();
  const excerpt = textOf(pickerSpan[0], pickerSpan[1]);
  pickerExcerpt.textContent = excerpt.length > 160 ? `${excerpt.slice(0, 157)}…` : excerpt;
  pickerSearch.value = "";
  pickerMemo.value = "";
  picker.showModal();
  pickerSearch.focus();
}

function pickedCodes() {
  const picked = new Set();
  for (const box of pickerList.querySelectorAll("input:checked")) picked.add(box.value);
  if (!picked.size) {
    const first = [...pickerList.querySelectorAll(".picker-item")].find((i) => !i.hidden);
    if (first && pickerSearch.value.trim()) picked.add(first.querySelector("input").value);
  }
  return [...picked];
}

document.getElementById("picker-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const picked = pickedCodes();
  if (!picked.length) {
    say("no_code");
    return;
  }
  picker.close();
  const answer = await send("POST", "/codings", {
    codes: picked,
    start: pickerSpan[0],
    end: pickerSpan[1],
    memo: pickerMemo.value,
  });
  textEl.focus({ preventScroll: true });
  if (!answer) return;
  recent = [...picked, ...recent.filter((g) => !picked.includes(g))].slice(0, 8);
  showSelection();
  say("applied", { codes: picked.map((g) => codes.get(g).name).join(", ") });
});
document.getElementById("picker-cancel").addEventListener("click", () => {
  picker.close();
  textEl.focus({ preventScroll: true });
});
const applyButton = document.getElementById("coding-apply");
if (applyButton) {
  // mousedown would clear the text selection before the click
  applyButton.addEventListener("mousedown", (event) => event.preventDefault());
  applyButton.addEventListener("click", openPicker);
}
const undoButton = document.getElementById("coding-undo");
if (undoButton) undoButton.addEventListener("click", undo);

// -- stripes ------------------------------------------------------------------------
const highlight = typeof Highlight === "function" && CSS.highlights ? new Highlight() : null;
if (highlight) CSS.highlights.set("coding-focus", highlight);

function rangeOf(start, end) {
  const range = document.createRange();
  const a = domPoint(start);
  const b = domPoint(end);
  range.setStart(a.node, a.index);
  range.setEnd(b.node, b.index);
  return range;
}

function edgeRect(offset, atEnd) {
  // the line box of the character at (or just before, atEnd) offset
  const block = blockAt(atEnd ? Math.max(offset - 1, 0) : offset);
  const clamped = Math.min(Math.max(offset, block.s), block.e);
  const from = atEnd ? Math.max(clamped - 1, block.s) : clamped;
  const to = Math.min(from + 1, block.e);
  const rects = rangeOf(from, to).getClientRects();
  return rects.length ? rects[atEnd ? rects.length - 1 : 0] : block.el.getBoundingClientRect();
}

let stripeButtons = [];

function paint() {
  countEl.textContent = String(codings.length);
  const origin = stripesEl.getBoundingClientRect().top;
  // read every geometry first, then write (one layout)
  const placed = codings.map((c) => {
    const top = edgeRect(c[2], false).top - origin;
    const bottom = edgeRect(c[3], true).bottom - origin;
    return { c, top, bottom: Math.max(bottom, top + 4) };
  });
  placed.sort((x, y) => x.top - y.top || y.bottom - x.bottom);
  const laneEnds = [];
  for (const p of placed) {
    let lane = laneEnds.findIndex((end) => end <= p.top);
    if (lane < 0) {
      lane = laneEnds.length;
      laneEnds.push(0);
    }
    laneEnds[lane] = p.bottom + 2;
    p.lane = lane;
  }
  const fragment = document.createDocumentFragment();
  stripeButtons = placed.map((p, i) => {
    const [guid, codeGuid, start, end, coder] = p.c;
    const code = codes.get(codeGuid) || { name: "?", color: "#777" };
    const button = document.createElement("button");
    button.type = "button";
    button.className = "stripe";
    button.dataset.guid = guid;
    button.tabIndex = i === 0 ? 0 : -1;
    button.setAttribute("aria-label", (texts.stripe || "")
      .replace("{code}", code.name).replace("{start}", start)
      .replace("{end}", end).replace("{coder}", coder || texts.none));
    button.title = code.path || code.name;
    const style = button.style;
    style.top = `${p.top}px`;
    style.height = `${p.bottom - p.top}px`;
    style.left = `${p.lane * LANE}px`;
    style.backgroundColor = code.color;
    fragment.append(button);
    return button;
  });
  stripesEl.replaceChildren(fragment);
  stripesEl.style.width = `${Math.max(laneEnds.length, 1) * LANE + 4}px`;
}

function focusStripe(index) {
  if (!stripeButtons.length) return;
  const i = Math.max(0, Math.min(index, stripeButtons.length - 1));
  for (const b of stripeButtons) b.tabIndex = -1;
  stripeButtons[i].tabIndex = 0;
  stripeButtons[i].focus();
}

function showCodingText(guid) {
  if (!highlight) return;
  highlight.clear();
  const coding = codings.find((c) => c[0] === guid);
  if (coding) highlight.add(rangeOf(coding[2], coding[3]));
}

stripesEl.addEventListener("keydown", (event) => {
  const index = stripeButtons.indexOf(document.activeElement);
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    focusStripe(index + (event.key === "ArrowDown" ? 1 : -1));
  } else if (event.key === "t" || event.key === "T" || event.key === "Escape") {
    event.preventDefault();
    textEl.focus();
  }
});
stripesEl.addEventListener("focusin", (event) => showCodingText(event.target.dataset.guid));
stripesEl.addEventListener("mouseover", (event) => {
  if (event.target.dataset.guid) showCodingText(event.target.dataset.guid);
});
stripesEl.addEventListener("click", (event) => {
  const guid = event.target.dataset && event.target.dataset.guid;
  if (guid) {
    focusStripe(stripeButtons.indexOf(event.target));
    openDetails(guid);
  }
});

// -- one coding: who, when, memo; change or remove -----------------------------------
let current = null;
const detailCode = document.getElementById("details-code");
const detailStart = document.getElementById("details-start");
const detailEnd = document.getElementById("details-end");
const detailMemo = document.getElementById("details-memo-input");

function openDetails(guid) {
  const coding = codings.find((c) => c[0] === guid);
  if (!coding) return;
  current = coding;
  const [, codeGuid, start, end, coder, when, memo] = coding;
  const code = codes.get(codeGuid) || { name: "?", path: "?" };
  document.getElementById("details-title").textContent = code.path;
  document.getElementById("details-coder").textContent = coder || texts.none;
  document.getElementById("details-when").textContent = when ? when.replace("T", " ").slice(0, 16) : "";
  document.getElementById("details-span").textContent = `${start}–${end}`;
  document.getElementById("details-excerpt").textContent = textOf(start, end);
  document.getElementById("details-memo").textContent = memo || texts.none;
  if (detailCode) {
    detailCode.replaceChildren(...[...codes.values()].map((c) => new Option(c.path, c.guid, false, c.guid === codeGuid)));
    detailStart.value = start;
    detailEnd.value = end;
    detailMemo.value = memo || "";
  }
  details.showModal();
}

function closeDetails() {
  details.close();
  const button = current && stripeButtons.find((b) => b.dataset.guid === current[0]);
  (button || textEl).focus();
}

document.getElementById("details-close").addEventListener("click", closeDetails);
details.addEventListener("cancel", () => setTimeout(() => textEl.focus(), 0));
const useSelection = document.getElementById("details-use-selection");
if (useSelection) {
  useSelection.addEventListener("click", () => {
    const span = selectionSpan();
    if (!span) {
      say("no_selection");
      return;
    }
    detailStart.value = span[0];
    detailEnd.value = span[1];
  });
}
document.getElementById("details-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!current || !detailCode) return;
  const change = {};
  if (+detailStart.value !== current[2]) change.start = +detailStart.value;
  if (+detailEnd.value !== current[3]) change.end = +detailEnd.value;
  if (detailCode.value !== current[1]) change.code = detailCode.value;
  if (detailMemo.value !== (current[6] || "")) change.memo = detailMemo.value;
  const answer = await send("PATCH", `/codings/${current[0]}`, change);
  if (answer) {
    current = answer.coding;
    say("saved");
    closeDetails();
  }
});
const removeButton = document.getElementById("details-remove");
if (removeButton) {
  removeButton.addEventListener("click", async () => {
    if (!current) return;
    const answer = await send("DELETE", `/codings/${current[0]}`, {});
    if (answer) {
      details.close();
      current = null;
      if (highlight) highlight.clear();
      say("removed");
      textEl.focus();
    }
  });
}

// -- start ------------------------------------------------------------------------
paint();
let resizeTimer = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(paint, 100);
});
document.body.dataset.codingReady = String(performance.now());
