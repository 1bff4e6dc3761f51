// Live logic on a respondent page (progressive enhancement): as answers change,
// questions appear and disappear, choice lists follow their filters, texts show
// calculated values and touched answers show their errors, all computed by the
// server's rules (engine.js, xpath.js) from the data islands the page carries.
// Without JavaScript, or when a page uses a function the browser cannot
// evaluate as the server does, the page works as a plain form: the server
// checks every page in any case.

import { PageState, fieldName, merged, readPage } from "./engine.js";
import { Unsupported, unsupported } from "./xpath.js";

const MAX_ROUNDS = 8;

function island(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
}

const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" })[c]);

// web/questions.odk_markdown: the markdown ODK allows in labels, after escaping.
function odkMarkdown(text) {
  let html = escapeHtml(text);
  html = html.replace(/\*\*(.+?)\*\*|__(.+?)__/gs, (_, a, b) => `<strong>${a ?? b}</strong>`);
  html = html.replace(
    /(?<![\p{L}\p{N}_*])\*(?!\s)(.+?)(?<!\s)\*(?![\p{L}\p{N}_*])|(?<![\p{L}\p{N}_])_(?!\s)(.+?)(?<!\s)_(?![\p{L}\p{N}_])/gu,
    (_, a, b) => `<em>${a ?? b}</em>`,
  );
  return html.replace(/\n/g, "<br>");
}

class LivePage {
  constructor(form, formData, data) {
    this.form = formData;
    this.data = data;
    this.element = form;
    this.touched = new Set();
    this.changes = 0;
    this.news = document.createElement("p");
    this.news.className = "sr-only";
    this.news.id = "live-news";
    this.news.setAttribute("aria-live", "polite");
    form.append(this.news);
    const marker = document.createElement("input");
    marker.type = "hidden";
    marker.name = "_live";
    marker.value = "1";
    form.append(marker);
    this.marker = marker;
    this.state = null;
    this.blocks = new Map();
    for (const block of form.querySelectorAll("[data-field]")) {
      this.blocks.set(block.dataset.field, {
        element: block,
        inputs: [...block.querySelectorAll("input, select, textarea")],
        choices: [...block.querySelectorAll("[data-choice]")],
        label: block.querySelector("[data-label]"),
        hint: block.querySelector("[data-hint]"),
        texts: new Map(),
      });
    }
    this.update(false);
    // Every change of an answer fires "input" (typing, ticking, choosing).
    form.addEventListener("input", (event) => {
      const name = event.target.name;
      if (!name || name.startsWith("_")) return;
      // A geopoint's or a rank's inputs are `field:part`: the question's field.
      this.touched.add(name.split(":")[0]);
      this.update(true);
    });
  }

  fields() {
    const fields = new Map();
    for (const [name, value] of new FormData(this.element)) {
      if (!fields.has(name)) fields.set(name, []);
      fields.get(name).push(String(value));
    }
    return fields;
  }

  instances() {
    const field = this.element.querySelector('input[name="_instances"]');
    return field ? parseInt(field.value, 10) || 0 : 0;
  }

  // Evaluate the answers the page would send, show the result, and again
  // while showing it changes what the page would send (a question shown
  // sends its kept answer, one hidden no longer does).
  update(announce) {
    let appeared = [];
    try {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const page = readPage(this.form, this.fields(), this.instances());
        const state = new PageState(this.form, this.data, merged(this.form, this.data.answers, page.answers));
        this.state = state;
        this.tooLong = page.tooLong;
        const { changed, shown } = this.apply(state);
        appeared = appeared.concat(shown);
        if (!changed) break;
      }
    } catch (error) {
      if (error instanceof Unsupported) return this.stop();
      throw error;
    }
    this.changes += 1;
    if (announce && appeared.length) this.announce(appeared);
  }

  stop() {
    // Left to the server: the page stays as it is, and says it was not live.
    this.marker.remove();
    this.stopped = true;
  }

  // The page's questions and their fields: `name`, `name.2`, `name.2.1`
  // (instance 1 of a repeat nested in instance 2).
  targets() {
    const out = [];
    for (const step of this.form.steps) {
      if (!step.on) continue;
      if (step.cn && step.cn.length > 1) {
        // Every instance on the page, those whose repeat went too.
        for (const field of this.blocks.keys()) {
          const [name, ...numbers] = field.split(".");
          if (name === step.n && numbers.length > 1) out.push([step, numbers.map(Number), field]);
        }
      } else if (this.form.kind === "repeat") {
        for (let index = 1; index <= this.instances(); index++) out.push([step, index, `${step.n}.${index}`]);
      } else {
        out.push([step, 0, step.n]);
      }
    }
    return out;
  }

  apply(state) {
    let changed = false;
    const shown = [];
    const tooLong = new Map(this.tooLong.map((error) => [fieldName(error.question, error.instance || 0), error.message]));
    for (const [step, index, field] of this.targets()) {
      const block = this.blocks.get(field);
      if (!block) continue;
      const element = block.element;
      const relevant = state.isRelevant(step.n, index);
      if (element.hidden === relevant) {
        element.hidden = !relevant;
        for (const input of block.inputs) {
          if (!input.closest("[data-choice][hidden]")) input.disabled = !relevant;
        }
        changed = true;
        if (relevant) shown.push(element);
      }
      if (!relevant) continue;
      if (step.cf) changed = this.filter(block, state.offered(step.n, index)) || changed;
      if (step.lt) this.text(block, "label", state.fillLabel(step.lt, index));
      if (step.ht) this.text(block, "hint", state.fillLabel(step.ht, index));
      if (this.touched.has(field)) {
        const error = tooLong.get(field) ?? state.check(step, index)?.message ?? "";
        this.error(element, field, error);
      }
    }
    return { changed, shown };
  }

  filter(block, offered) {
    let changed = false;
    for (const choice of block.choices) {
      const on = offered.includes(choice.dataset.choice);
      if (choice.hidden === on) {
        choice.hidden = !on;
        const input = choice.matches("option") ? choice : choice.querySelector("input");
        input.disabled = !on;
        changed = true;
      }
    }
    return changed;
  }

  text(block, which, text) {
    const element = block[which];
    if (!element || block.texts.get(which) === text) return;
    block.texts.set(which, text);
    element.innerHTML = odkMarkdown(text);
  }

  error(block, field, message) {
    const domId = "q-" + field.replace(/\./g, "-");
    let element = document.getElementById(`${domId}-error`);
    if (!message && !element && !block.classList.contains("has-error")) return;
    if (element && message && element.lastChild && element.lastChild.textContent === message) return;
    const described = block.matches("tr") ? block.querySelectorAll("input") : [document.getElementById(domId)].filter(Boolean);
    const wrapper = block.matches("tr") ? block : block.closest(".field") || block;
    if (!message) {
      if (element) element.remove();
      wrapper.classList.remove("has-error");
      for (const input of described) this.describe(input, `${domId}-error`, false);
      this.corrected(domId);
      return;
    }
    if (!element) {
      element = document.createElement(block.matches("tr") ? "span" : "p");
      element.className = "field-error";
      element.id = `${domId}-error`;
      const anchor = block.matches("tr") ? block.querySelector("th") : block.querySelector(".hint") || block.querySelector("label, legend");
      if (block.matches("tr")) anchor.append(element);
      else if (anchor) anchor.after(element);
      else block.prepend(element);
    }
    const prefix = this.form.messages.error_prefix;
    element.innerHTML = `<span class="sr-only">${escapeHtml(prefix)} : </span>${escapeHtml(message)}`;
    wrapper.classList.add("has-error");
    for (const input of described) this.describe(input, `${domId}-error`, true);
  }

  // An error the server listed at the top of the page, now corrected, leaves
  // the list; the list goes when it is empty.
  corrected(domId) {
    const summary = document.getElementById("error-summary");
    if (!summary) return;
    for (const link of summary.querySelectorAll(`a[href="#${CSS.escape(domId)}"]`)) link.closest("li").remove();
    if (!summary.querySelector("li")) summary.hidden = true;
  }

  describe(element, id, on) {
    const ids = (element.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== id);
    if (on) ids.push(id);
    if (ids.length) element.setAttribute("aria-describedby", ids.join(" "));
    else element.removeAttribute("aria-describedby");
  }

  announce(blocks) {
    const labels = blocks.map((block) => {
      const label = block.querySelector("[data-label], label, legend, th, p");
      return label ? label.textContent.trim() : "";
    });
    const template = labels.length === 1 ? this.form.messages.one_appeared : this.form.messages.many_appeared;
    this.news.textContent = template.replace("{n}", String(labels.length)).replace("{labels}", labels.join(" ; "));
  }

  // What the page computed, for tests and the benchmark.
  snapshot() {
    const state = this.state;
    const shown = [];
    for (const [step, index, field] of this.targets()) if (state.isRelevant(step.n, index)) shown.push(field);
    const values = {};
    for (const step of this.form.steps) {
      if (step.k) continue;
      for (const index of state.scope(step)) {
        if (state.isRelevant(step.n, index)) values[fieldName(step.n, index)] = state.value(step.n, index);
      }
    }
    return { live: !this.stopped, shown, values, errors: this.tooLong.concat(state.errors()) };
  }
}

function start() {
  const formData = island("live-form");
  const data = island("live-data");
  const form = document.querySelector("form.form");
  if (!formData || !data || !form) return;
  const missing = new Set();
  for (const step of formData.steps) {
    for (const key of ["rel", "calc", "req", "con", "cf", "rc"]) if (step[key]) unsupported(step[key], missing);
  }
  if (missing.size) return;  // a function the browser cannot evaluate: left to the server
  const live = new LivePage(form, formData, data);
  window.sociaparisLive = live;
}

start();
