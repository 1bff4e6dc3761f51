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

// An index is 0 outside repeats, the instance number in a repeat, and the
// array of instance numbers from the outermost repeat in a nested one
// (logic.Index); it is written `2.3` in field names.
const key = (name, index) => `${name}\u0000${index}`;
export const suffix = (index) => (Array.isArray(index) ? index.join(".") : String(index));
export const fieldName = (name, index) => (index ? `${name}.${suffix(index)}` : name);

// logic.child_index and logic.index_prefix.
function childIndex(parent, number) {
  if (parent === 0) return number;
  return Array.isArray(parent) ? [...parent, number] : [parent, number];
}

function indexPrefix(index, depth) {
  if (depth === 0) return 0;
  if (!Array.isArray(index)) return index;
  return depth === 1 ? index[0] : index.slice(0, depth);
}

// logic._count: how many instances `repeat` has in its `parent` instance.
const countOf = (counts, repeat, parent) => counts.get(parent === 0 ? repeat : key(repeat, parent)) || 0;

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
    const name = fieldName(step.n, instance || 0);
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
  // The rows of `repeat` in its `parent` instance, repeats inside included
  // (their counts in the `repeat#2` fields the page sends).
  const readRows = (repeat, parent, count) => {
    const rows = [];
    for (let number = 1; number <= Math.min(count, MAX_PAGE_INSTANCES); number++) {
      const index = [...parent, number];
      const instance = index.length === 1 ? index[0] : index;
      const row = {};
      for (const step of form.steps) {
        if (step.in !== repeat) continue;
        if (step.k === "r") {
          const sent = fields.get(`${step.n}#${suffix(instance)}`) || [];
          const text = sent.length ? sent[sent.length - 1] : "";
          row[step.n] = readRows(step.n, index, /^[0-9]{1,5}$/.test(text) ? parseInt(text, 10) : 0);
        } else if (step.on && step.a) {
          const value = read(step, instance);
          if (value !== undefined) row[step.n] = value;
        }
      }
      rows.push(row);
    }
    return rows;
  };
  if (form.kind === "repeat") {
    answers[form.page] = readRows(form.page, [], instances);
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
    if (step.k === "r") {
      if (!step.cn) return new Array(state.counts.get(name) || 0).fill("");
      return new Array(this.under(step.cn, name).length).fill("");
    }
    const repeat = step.in;
    if (repeat === undefined) return state.values.get(key(name, 0)) ?? "";
    if (repeat === this.repeat && this.index) return state.values.get(key(name, this.index)) ?? "";
    if (!(step.cn && step.cn.length > 1) && this.repeat === null) {
      const out = [];
      for (let i = 1; i <= (state.counts.get(repeat) || 0); i++) out.push(state.values.get(key(name, i)) ?? "");
      return out;
    }
    return this.nested(name, step.cn);
  }

  // How many of `chain`'s repeats the context is inside (from the top).
  shared(chain) {
    if (this.repeat === null || !this.index) return 0;
    const own = this.state.chainOf(this.repeat);
    let shared = 0;
    for (let i = 0; i < Math.min(own.length, chain.length); i++) {
      if (own[i] !== chain[i]) break;
      shared += 1;
    }
    return shared;
  }

  nested(name, chain) {
    const values = this.state.values;
    const shared = this.shared(chain);
    if (shared === chain.length) return values.get(key(name, indexPrefix(this.index, shared))) ?? "";
    return this.under(chain, null).map((index) => values.get(key(name, index)) ?? "");
  }

  under(chain, repeat) {
    const shared = this.shared(chain);
    const levels = repeat !== null ? [...chain, repeat] : chain;
    let indexes = [indexPrefix(this.index, shared)];
    const counts = this.state.counts;
    for (let depth = shared; depth < levels.length; depth++) {
      const level = levels[depth];
      const next = [];
      for (const parent of indexes) {
        for (let number = 1; number <= countOf(counts, level, parent); number++) next.push(childIndex(parent, number));
      }
      indexes = next;
    }
    return indexes;
  }

  current() { return this.dot; }

  choiceValue(column) {
    const choice = this.choice;
    if (choice === null) return "";
    if (column === "name") return choice.step.ch[choice.index];
    const values = (choice.step.cc || {})[column];
    return values ? values[choice.index] : "";
  }

  position() { return Array.isArray(this.index) ? this.index[this.index.length - 1] : this.index; }

  indexed(name, repeat, index) {
    const state = this.state;
    const chain = state.byName.get(repeat)?.cn;
    if (!chain) {
      if (index >= 1 && index <= (state.counts.get(repeat) || 0)) return state.values.get(key(name, index)) ?? "";
      return "";
    }
    // a nested repeat: its instance within the context's enclosing instance
    if (this.shared(chain) < chain.length) return "";
    const parent = indexPrefix(this.index, chain.length);
    if (index >= 1 && index <= countOf(state.counts, repeat, parent)) return state.values.get(key(name, childIndex(parent, index))) ?? "";
    return "";
  }

  choiceLabel(question, value) {
    const labels = this.state.form.labels[question];
    return labels && Object.prototype.hasOwnProperty.call(labels, value) ? labels[value] : "";
  }

  now() { return this.data.now; }

  today() { return this.data.today; }
}

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

// logic._instance_answers: the answers object of instance `index` of `chain`.
function instanceAnswers(answers, chain, index) {
  const numbers = Array.isArray(index) ? index : [index];
  let level = answers;
  for (let i = 0; i < chain.length; i++) {
    const rows = isObject(level) ? level[chain[i]] : undefined;
    if (!Array.isArray(rows) || !(numbers[i] >= 1 && numbers[i] <= rows.length)) return null;
    level = rows[numbers[i] - 1];
  }
  return isObject(level) ? level : null;
}

function answerOf(answers, step, index) {
  let value;
  if (step.in === undefined) {
    value = answers[step.n];
  } else if (step.cn && step.cn.length > 1) {
    const instance = instanceAnswers(answers, step.cn, index);
    value = instance !== null ? instance[step.n] : undefined;
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
    if (step.k === "r" && step.cn) {
      runNestedRepeat(state, step, ctx);
      continue;
    }
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
    for (const index of state.scope(step)) {
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

// logic._run_nested_repeat: relevance and instance count of a repeat inside a
// repeat, in each instance of the repeat around it.
function runNestedRepeat(state, step, ctx) {
  const name = step.n, outer = step.in;
  const { relevant, counts } = state;
  for (const parent of state.indexes(outer)) {
    let ok = relevant.get(key(step.p, parent)) ?? false;
    if (ok && step.rel) {
      ctx.name = name; ctx.index = parent; ctx.repeat = outer;
      ctx.dot = "";
      ok = toBoolean(evaluate(step.rel, ctx));
    }
    relevant.set(key(name, parent), ok);
    let count;
    if (!ok) count = 0;
    else if (step.rc) {
      ctx.name = name; ctx.index = parent; ctx.repeat = outer;
      const number = toNumber(evaluate(step.rc, ctx));
      count = number === number && number > 0 ? Math.trunc(number) : 0;
      count = Math.min(count, MAX_REPEAT_INSTANCES);
    } else {
      const instance = instanceAnswers(state.answers, step.cn, parent);
      const given = instance !== null ? instance[name] : undefined;
      count = Array.isArray(given) ? Math.min(given.length, MAX_REPEAT_INSTANCES) : 0;
    }
    counts.set(key(name, parent), count);
    for (let number = 1; number <= count; number++) relevant.set(key(name, childIndex(parent, number)), true);
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

  // The repeats from the outermost down to `repeat` itself.
  chainOf(repeat) { return [...(this.byName.get(repeat).cn || []), repeat]; }

  // FormState.indexes: every instance of `repeat` (nested: in every parent).
  indexes(repeat) {
    const chain = this.chainOf(repeat);
    if (chain.length === 1) return Array.from({ length: this.instances(repeat) }, (_, i) => i + 1);
    let indexes = [0];
    for (const level of chain) {
      const next = [];
      for (const parent of indexes) {
        for (let number = 1; number <= countOf(this.counts, level, parent); number++) next.push(childIndex(parent, number));
      }
      indexes = next;
    }
    return indexes;
  }

  scope(step) {
    if (step.in === undefined) return [0];
    return this.indexes(step.in);
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
      if (step.in === undefined || !Array.isArray(instance)) return this.value(ref, step.in !== undefined ? instance : 0);
      // in a nested repeat: the answer in the instance enclosing this one
      const depth = this.chainOf(step.in).length;
      return this.value(ref, indexPrefix(instance, Math.min(depth, instance.length)));
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
    const compare = (a, b) => {
      if (Array.isArray(a) && Array.isArray(b)) {
        for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
        return a.length - b.length;
      }
      return a - b;
    };
    found.sort((a, b) => {
      const pa = place(a), pb = place(b);
      for (let i = 0; i < 3; i++) {
        const order = compare(pa[i], pb[i]);
        if (order) return order;
      }
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
