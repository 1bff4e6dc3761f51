// The form-logic engine of live logic: sociaparis/survey/logic.py's evaluation
// of one page (evaluate_form(page=...) and FormState.errors), run on the steps
// and parse trees the server sends (sociaparis/survey/fielding/live.py), and
// the page reading of sociaparis/survey/fielding/submission.py.

import { PY_SPACE, evaluate, pySplit, pyStrip, toBoolean, toNumber, toString } from "./xpath.js";

const MAX_REPEAT_INSTANCES = 1000;
const MAX_PAGE_INSTANCES = 200;
const MAX_ANSWER_LENGTH = 10000;
const SELECTS = new Set(["select_one", "select_multiple"]);
const TEXT_REFERENCE = /\$\{([A-Za-z_][\p{L}\p{N}_.-]*)\}/gu;
const WRITTEN_NUMBER = /^(-?)([0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+|[0-9]*)(?:([.,])([0-9]*))?$/;
const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const MAX_RANKS = 1000;
const GEOPOINT_PARTS = ["lat", "lon", "alt", "acc"];
const FORMATTED = new Set(["time", "dateTime", "geopoint", "geotrace", "geoshape"]);
const SPACES = `[${PY_SPACE}]*`;
const TIME_TEXT = new RegExp(
  `^([0-9]{1,2})${SPACES}[:hH]${SPACES}([0-9]{2})?(?::([0-9]{2})(?:\\.([0-9]{1,6}))?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$`,
);
const DATETIME_TEXT = /^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([^\n]+)$/;
const POINT_NUMBER = /^-?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)$/;

const key = (name, index) => `${name}\u0000${index}`;

// checks.number_text: the number as ASCII, French writing included, or null.
export function numberText(kind, raw) {
  const match = WRITTEN_NUMBER.exec(raw);
  if (!match) return null;
  const [, sign, whole, mark, fraction = ""] = match;
  const grouped = whole !== "" && !/^[0-9]+$/.test(whole);
  const digits = whole.replace(/[^0-9]/g, "");
  if (mark === undefined) return digits ? sign + digits : null;
  if (kind === "integer" || !(digits || fraction)) return null;
  if (mark === "," && fraction.length === 3 && !grouped && digits.replace(/^0+/, "")) return null;
  return `${sign}${digits}.${fraction}`;
}

function validDate(text) {
  if (!DATE.test(text)) return false;
  const [year, month, day] = text.split("-").map(Number);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const moment = new Date(0);
  moment.setUTCFullYear(year, month - 1, day);
  return moment.getUTCMonth() === month - 1 && moment.getUTCDate() === day;
}

// ---------------------------------------------------------------- formats.py
// ODK's text of time, dateTime and geographic answers, or null when the text
// typed is not one.

const pad = (number, width) => String(number).padStart(width, "0");

function offsetText(minutes) {
  const sign = minutes < 0 ? "-" : "+";
  const whole = Math.abs(minutes);
  return `${sign}${pad(Math.floor(whole / 60), 2)}:${pad(whole % 60, 2)}`;
}

function readTime(raw) {
  const match = TIME_TEXT.exec(pyStrip(raw));
  if (match === null) return null;
  const hour = +match[1], minute = +(match[2] || 0), second = +(match[3] || 0);
  const micro = parseInt(((match[4] || "") + "000000").slice(0, 6), 10);
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offset = match[5] === undefined ? null : match[5];
  if (offset !== null && offset !== "Z") {
    const digits = offset.slice(1).replace(/:/g, "");
    if (+digits.slice(0, 2) > 14 || (digits.length > 2 && +digits.slice(2, 4) > 59)) return null;
    offset = `${offset[0]}${digits.slice(0, 2)}:${digits.slice(2, 4) || "00"}`;
  }
  return { hour, minute, second, micro, offset };
}

const clock = (t) => `${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}.${pad(Math.floor(t.micro / 1000), 3)}`;

// The offset of a wall-clock minute in the zone formats.zone_offsets describes.
function zoneOffset(zone, minute) {
  let low = 0, high = zone.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (zone[middle][0] <= minute) low = middle;
    else high = middle - 1;
  }
  return zone[low][1];
}

function timeText(raw, clockData) {
  const moment = readTime(raw);
  if (moment === null) return null;
  return clock(moment) + (moment.offset !== null ? moment.offset : (clockData ? clockData.offset : ""));
}

function dateTimeText(raw, clockData) {
  const match = DATETIME_TEXT.exec(pyStrip(raw));
  if (match === null || !validDate(match[1])) return null;
  const moment = readTime(match[2]);
  if (moment === null) return null;
  let written = moment.offset;
  const zone = clockData ? clockData.zone : null;
  if (written === null && zone) {
    const [year, month, day] = match[1].split("-").map(Number);
    const midnight = new Date(0);
    midnight.setUTCFullYear(year, month - 1, day);
    written = offsetText(zoneOffset(zone, Math.floor(midnight.getTime() / 60000) + moment.hour * 60 + moment.minute));
  }
  return `${match[1]}T${clock(moment)}${written || ""}`;
}

function point(text) {
  const tokens = pySplit(text);
  if (tokens.length < 2 || tokens.length > 4) return null;
  if (!tokens.every((token) => POINT_NUMBER.test(token))) return null;
  const [latitude, longitude, altitude = 0, accuracy = 0] = tokens.map((token) => parseFloat(token.replace(",", ".")));
  if (!(latitude >= -90 && latitude <= 90) || !(longitude >= -180 && longitude <= 180) || accuracy < 0) return null;
  return [latitude, longitude, altitude, accuracy];
}

const pointText = (p) => p.map((number) => toString(number)).join(" ");

function points(raw) {
  const found = [];
  for (const part of raw.split(/[;\n]/)) {
    const text = pyStrip(part);
    if (!text) continue;
    const p = point(text);
    if (p === null) return null;
    found.push(p);
  }
  return found;
}

// formats.formatted; `clockData` ({offset, zone} of the data island) gives the
// offset a time or a dateTime typed without one takes (none when null).
export function formatted(kind, raw, clockData) {
  if (kind === "time") return timeText(raw, clockData);
  if (kind === "dateTime") return dateTimeText(raw, clockData);
  if (kind === "geopoint") {
    const p = point(raw);
    return p === null ? null : pointText(p);
  }
  const line = points(raw);
  if (line === null) return null;
  if (kind === "geotrace") return line.length < 2 ? null : line.map(pointText).join(";");
  if (line.length && (line[0][0] !== line[line.length - 1][0] || line[0][1] !== line[line.length - 1][1])) line.push(line[0]);
  const distinct = new Set(line.map((p) => `${p[0]} ${p[1]}`));
  return distinct.size < 3 ? null : line.map(pointText).join(";");
}

// checks.value_problem: whether a non-empty answer is malformed for its type.
function valueProblem(step, value) {
  if (value === "") return false;
  if (FORMATTED.has(step.t)) return formatted(step.t, value, null) === null;
  switch (step.t) {
    case "integer":
    case "decimal": return numberText(step.t, value) === null;
    case "date": return !validDate(value);
    case "acknowledge": return value !== "OK";
    case "range": {
      const written = numberText("range", value);
      if (written === null) return true;
      const [start, end, size] = step.range;
      const number = parseFloat(written);
      if (!(Math.min(start, end) <= number && number <= Math.max(start, end))) return true;
      const steps = size ? (number - start) / size : 0;
      return Math.abs(steps - Math.round(steps)) > 1e-9;
    }
    default: return false;
  }
}

// checks.canonical: numbers, times and places as ODK stores them.
function canonical(kind, raw, clockData) {
  if (FORMATTED.has(kind)) {
    const text = formatted(kind, raw, clockData);
    return text === null ? raw : text;
  }
  const written = numberText(kind, raw);
  if (written === null) return raw;
  if (kind === "integer") {
    const negative = written[0] === "-";
    const digits = (negative ? written.slice(1) : written).replace(/^0+/, "") || "0";
    return digits === "0" ? digits : (negative ? "-" : "") + digits;
  }
  return toString(parseFloat(written));
}

// submission._composite: a geopoint's or a rank's answer from its inputs
// (`name:lat`..., `name:1`...), undefined when none was sent.
function composite(step, name, fields) {
  const last = (sent) => pyStrip(sent && sent.length ? sent[sent.length - 1] : "");
  if (step.t === "geopoint") {
    const parts = GEOPOINT_PARTS.map((part) => fields.get(`${name}:${part}`));
    if (parts.every((part) => part === undefined)) return undefined;
    const typed = parts.map(last);
    if (!typed.some(Boolean)) return "";
    let [latitude, longitude, altitude, accuracy] = typed;
    if (accuracy && !altitude) altitude = "0";
    return [latitude || "?", longitude || "?", ...[altitude, accuracy].filter(Boolean)].join(" ");
  }
  const ranks = [];
  for (let position = 1; position <= MAX_RANKS; position++) {
    const sent = fields.get(`${name}:${position}`);
    if (sent === undefined) break;
    ranks.push(last(sent));
  }
  if (!ranks.length) return undefined;
  return ranks.filter(Boolean).join(" ");
}

// submission.read_page: the page's answers from the fields a browser sends.
export function readPage(form, fields, instances) {
  const tooLong = [];
  const read = (step, instance) => {
    const name = instance === null ? step.n : `${step.n}.${instance}`;
    let value;
    const values = fields.get(name);
    if (step.t === "geopoint" || step.t === "rank") {
      value = composite(step, name, fields);
      if (value === undefined) return undefined;
    } else if (values === undefined) {
      return undefined;
    } else if (step.t === "select_multiple") {
      const chosen = [];
      for (const one of values) for (const token of pySplit(one)) if (!chosen.includes(token)) chosen.push(token);
      value = chosen.join(" ");
    } else {
      value = values.length ? pyStrip(values[values.length - 1]) : "";
    }
    if (Array.from(value).length > MAX_ANSWER_LENGTH) {
      tooLong.push({ question: step.n, kind: "type", message: form.messages.too_long, instance });
      return undefined;
    }
    return value;
  };
  const questions = form.steps.filter((step) => step.on && step.a);
  const answers = {};
  if (form.kind === "repeat") {
    const rows = [];
    for (let index = 1; index <= Math.min(instances, MAX_PAGE_INSTANCES); index++) {
      const row = {};
      for (const step of questions) {
        const value = read(step, index);
        if (value !== undefined) row[step.n] = value;
      }
      rows.push(row);
    }
    answers[form.page] = rows;
  } else {
    for (const step of questions) {
      const value = read(step, null);
      if (value !== undefined) answers[step.n] = value;
    }
  }
  return { answers, tooLong };
}

class Context {
  constructor(state, data) {
    this.state = state;
    this.data = data;
    this.name = "";
    this.index = 0;
    this.repeat = null;
    this.dot = "";
    this.choice = null;
  }

  resolve(name) {
    const state = this.state;
    const step = state.byName.get(name);
    if (step === undefined) return "";
    if (step.k === "r") return new Array(state.counts.get(name) || 0).fill("");
    const repeat = step.in;
    if (repeat === undefined) return state.values.get(key(name, 0)) ?? "";
    if (repeat === this.repeat && this.index) return state.values.get(key(name, this.index)) ?? "";
    const out = [];
    for (let i = 1; i <= (state.counts.get(repeat) || 0); i++) out.push(state.values.get(key(name, i)) ?? "");
    return out;
  }

  current() { return this.dot; }

  choiceValue(column) {
    const choice = this.choice;
    if (choice === null) return "";
    if (column === "name") return choice.step.ch[choice.index];
    const values = (choice.step.cc || {})[column];
    return values ? values[choice.index] : "";
  }

  position() { return this.index; }

  indexed(name, repeat, index) {
    if (index >= 1 && index <= (this.state.counts.get(repeat) || 0)) return this.state.values.get(key(name, index)) ?? "";
    return "";
  }

  choiceLabel(question, value) {
    const labels = this.state.form.labels[question];
    return labels && Object.prototype.hasOwnProperty.call(labels, value) ? labels[value] : "";
  }

  now() { return this.data.now; }

  today() { return this.data.today; }
}

function answerOf(answers, step, index) {
  let value;
  if (step.in === undefined) {
    value = answers[step.n];
  } else {
    const instances = answers[step.in];
    if (!Array.isArray(instances) || index > instances.length) return null;
    const instance = instances[index - 1];
    value = instance && typeof instance === "object" && !Array.isArray(instance) ? instance[step.n] : undefined;
  }
  if (typeof value === "string") return value;
  if (typeof value === "number") return toString(value);
  return null;
}

function filterChoices(state, step, k, value, ctx) {
  const allowed = [];
  for (let index = 0; index < step.ch.length; index++) {
    ctx.choice = { step, index };
    if (toBoolean(evaluate(step.cf, ctx))) allowed.push(step.ch[index]);
  }
  ctx.choice = null;
  state.options.set(k, allowed);
  if (!value) return value;
  if (step.t === "select_multiple" || step.t === "rank") return pySplit(value).filter((token) => allowed.includes(token)).join(" ");
  return allowed.includes(value) ? value : "";
}

// logic._run: every step, in dependency order.
function run(state, ctx) {
  const { values, relevant, counts, answers } = state;
  for (const step of state.form.steps) {
    const name = step.n;
    if (step.k === "r") {
      let ok = step.p !== undefined ? (relevant.get(key(step.p, 0)) ?? true) : true;
      if (ok && step.rel) {
        ctx.name = name; ctx.index = 0; ctx.repeat = null;
        ok = toBoolean(evaluate(step.rel, ctx));
      }
      relevant.set(key(name, 0), ok);
      let count;
      if (!ok) count = 0;
      else if (step.rc) {
        ctx.name = name; ctx.index = 0; ctx.repeat = null;
        const number = toNumber(evaluate(step.rc, ctx));
        count = number === number && number > 0 ? Math.trunc(number) : 0;
        count = Math.min(count, MAX_REPEAT_INSTANCES);
      } else {
        const given = answers[name];
        count = Array.isArray(given) ? Math.min(given.length, MAX_REPEAT_INSTANCES) : 0;
      }
      counts.set(name, count);
      for (let index = 1; index <= count; index++) relevant.set(key(name, index), true);
      continue;
    }
    const repeat = step.in ?? null;
    const last = repeat === null ? 0 : counts.get(repeat) || 0;
    for (let index = repeat === null ? 0 : 1; index <= last; index++) {
      const k = key(name, index);
      let ok = step.p === undefined ? true : relevant.get(key(step.p, step.ps ? index : 0)) ?? false;
      if (ok && step.rel) {
        ctx.name = name; ctx.index = index; ctx.repeat = repeat;
        ctx.dot = values.get(k) ?? "";
        ok = toBoolean(evaluate(step.rel, ctx));
      }
      relevant.set(k, ok);
      if (step.k === "g") continue;
      const raw = step.a ? answerOf(answers, step, index) : null;
      if (raw !== null) state.submitted.set(k, raw);
      if (!ok) { values.set(k, ""); continue; }
      let value;
      if (step.calc) {
        ctx.name = name; ctx.index = index; ctx.repeat = repeat;
        value = toString(evaluate(step.calc, ctx));
      } else if (raw !== null) {
        value = step.num ? canonical(step.t, raw, state.data) : raw;
      } else {
        value = step.d ?? "";
      }
      if (step.cf) {
        ctx.name = name; ctx.index = index; ctx.repeat = repeat;
        value = filterChoices(state, step, k, value, ctx);
      }
      values.set(k, value);
    }
  }
}

export class PageState {
  constructor(form, data, answers) {
    this.form = form;
    this.data = data;
    this.answers = answers;
    this.byName = new Map(form.steps.map((step) => [step.n, step]));
    this.values = new Map();
    this.relevant = new Map();
    this.counts = new Map();
    this.options = new Map();
    this.submitted = new Map();
    this.ctx = new Context(this, data);
    run(this, this.ctx);
  }

  value(name, index = 0) { return this.values.get(key(name, index)) ?? ""; }

  isRelevant(name, index = 0) { return this.relevant.get(key(name, index)) ?? false; }

  instances(repeat) { return this.counts.get(repeat) || 0; }

  offered(name, index = 0) {
    const step = this.byName.get(name);
    const allowed = this.options.get(key(name, index));
    return allowed === undefined ? step.ch : step.ch.filter((choice) => allowed.includes(choice));
  }

  scope(step) {
    if (step.in === undefined) return [0];
    return Array.from({ length: this.instances(step.in) }, (_, i) => i + 1);
  }

  // FormState.fill: ${ref} as an expression sees it from `name`.
  fill(text, name, instance) {
    if (!text.includes("${")) return text;
    const ctx = this.ctx, step = this.byName.get(name);
    ctx.name = name; ctx.index = instance; ctx.repeat = step.in ?? null;
    return text.replace(TEXT_REFERENCE, (whole, ref) => (this.byName.has(ref) ? toString(ctx.resolve(ref)) : whole));
  }

  // layout._fill: ${ref} in a label or hint, the same instance's value.
  fillLabel(text, instance) {
    if (!text.includes("${")) return text;
    return text.replace(TEXT_REFERENCE, (whole, ref) => {
      const step = this.byName.get(ref);
      if (step === undefined) return whole;
      return this.value(ref, step.in !== undefined ? instance : 0);
    });
  }

  // FormState.errors for the page's questions, in the server's order.
  errors() {
    const found = [];
    for (const step of this.form.steps) {
      if (step.k || !step.on) continue;
      for (const index of this.scope(step)) {
        if (!this.isRelevant(step.n, index)) continue;
        const error = this.check(step, index);
        if (error !== null) found.push(error);
      }
    }
    const place = (error) => {
      const step = this.byName.get(error.question);
      const anchor = step.in !== undefined ? this.byName.get(step.in).o : step.o;
      return [anchor, error.instance || 0, step.o];
    };
    found.sort((a, b) => {
      const pa = place(a), pb = place(b);
      for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
      return 0;
    });
    return found;
  }

  check(step, index) {
    if (!step.a) return null;
    const instance = index || null;
    const k = key(step.n, index);
    const raw = this.submitted.get(k) ?? "";
    const value = this.values.get(k) ?? "";
    const messages = this.form.messages;
    if (raw) {
      if (valueProblem(step, raw)) return { question: step.n, kind: "type", message: step.tm, instance };
      if (SELECTS.has(step.t)) {
        const offered = this.offered(step.n, index);
        const tokens = step.t === "select_multiple" ? pySplit(raw) : [raw];
        if (tokens.some((token) => !offered.includes(token))) {
          return { question: step.n, kind: "choice", message: messages.choice, instance };
        }
      }
      if (step.t === "rank") {
        const given = pySplit(raw).sort(), offered = [...this.offered(step.n, index)].sort();
        if (given.length !== offered.length || given.some((token, i) => token !== offered[i])) {
          return { question: step.n, kind: "choice", message: step.tm, instance };
        }
      }
    }
    const ctx = this.ctx;
    ctx.name = step.n; ctx.index = index; ctx.repeat = step.in ?? null;
    ctx.dot = value;
    if (value === "" && step.req && toBoolean(evaluate(step.req, ctx))) {
      const message = step.rm ? this.fill(step.rm, step.n, index) : "";
      return { question: step.n, kind: "required", message: message || messages.required, instance };
    }
    if (value !== "" && step.con && !toBoolean(evaluate(step.con, ctx))) {
      const message = step.cm ? this.fill(step.cm, step.n, index) : "";
      return { question: step.n, kind: "constraint", message: message || messages.constraint, instance };
    }
    return null;
  }
}

// The whole response as the server merges it (submission.merge_page).
export function merged(form, stored, pageAnswers) {
  const answers = { ...stored };
  if (form.kind === "repeat") {
    answers[form.page] = pageAnswers[form.page] || [];
    return answers;
  }
  for (const step of form.steps) if (step.on) delete answers[step.n];
  return Object.assign(answers, pageAnswers);
}
