// The XPath evaluator of live logic: the parse trees the server made
// (sociaparis/survey/fielding/live.py), evaluated with the server's rules
// (sociaparis/survey/xpath/: values.py, functions.py, dates.py), line for line.
//
// Values: boolean, number, string, and node-sets as arrays of strings.
// A function absent from FUNCTIONS is one the browser cannot evaluate as the
// server does (random(), uuid(), and the transcendental functions, whose last
// digit may differ between libraries): a page using one is left to the server.

export class Unsupported extends Error {}

const NUMBER_RE = /^[ \t\r\n]*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))[ \t\r\n]*$/;
const DATE_RE = /^[ \t\r\n]*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[ \t\r\n]*$/;
const DATETIME_RE = /^[ \t\r\n]*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?[ \t\r\n]*$/;
const MAX_STRING_LENGTH = 100000;
const DAY_MS = 86400000;
// Python's str.strip()/split() whitespace.
export const PY_SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, "g");
const PY_SPLIT = new RegExp(`[${PY_SPACE}]+`);

export function pyStrip(text) { return text.replace(PY_STRIP, ""); }
export function pySplit(text) { return pyStrip(text).split(PY_SPLIT).filter((t) => t !== ""); }
const chars = (text) => Array.from(text);  // Python indexes code points

// ------------------------------------------------------------- numbers as text

// Digits and the place of the decimal point of a positive finite number's
// shortest form (Python repr and JavaScript agree on these digits).
function decompose(number) {
  const text = number.toString();
  let [mantissa, exponent] = text.split("e");
  const [whole, fraction = ""] = mantissa.split(".");
  let digits = whole + fraction;
  let point = whole.length + (exponent ? parseInt(exponent, 10) : 0);
  const lead = digits.length - digits.replace(/^0+/, "").length;
  digits = digits.slice(lead);
  point -= lead;
  return { digits: digits.replace(/0+$/, ""), point };
}

function plain(digits, point) {
  if (digits === "") return "0";
  if (point <= 0) return "0." + "0".repeat(-point) + digits;
  if (point >= digits.length) return digits + "0".repeat(point - digits.length);
  return digits.slice(0, point) + "." + digits.slice(point);
}

export function numberToString(number) {
  if (Number.isNaN(number)) return "NaN";
  if (number === Infinity) return "Infinity";
  if (number === -Infinity) return "-Infinity";
  if (Number.isInteger(number) && Math.abs(number) < 1e16) return String(number === 0 ? 0 : number);
  const { digits, point } = decompose(Math.abs(number));
  return (number < 0 ? "-" : "") + plain(digits, point);
}

function stringToNumberRaw(text) {
  const match = NUMBER_RE.exec(text);
  if (match) return parseFloat(match[1]);
  const days = stringToDays(text);
  return days === null ? NaN : days;
}

const NUMBERS = new Map();
export function stringToNumber(text) {
  if (text.length > 40) return stringToNumberRaw(text);
  let number = NUMBERS.get(text);
  if (number === undefined) {
    number = stringToNumberRaw(text);
    if (NUMBERS.size > 8192) NUMBERS.clear();
    NUMBERS.set(text, number);
  }
  return number;
}

// ------------------------------------------------------------- conversions

export function toString(value) {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return value.length ? value[0] : "";
  return numberToString(value);
}

export function toNumber(value) {
  if (typeof value === "string") return stringToNumber(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (Array.isArray(value)) return value.length ? stringToNumber(value[0]) : NaN;
  return value;
}

export function toBoolean(value) {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return !(value === 0 || Number.isNaN(value));
  return value.length > 0;
}

export function equals(left, right) {
  if (Array.isArray(left)) {
    if (Array.isArray(right)) return left.some((node) => right.includes(node));
    if (typeof right === "boolean") return (left.length > 0) === right;
    if (typeof right === "number") return left.some((node) => stringToNumber(node) === right);
    return left.includes(right);
  }
  if (Array.isArray(right)) return equals(right, left);
  if (typeof left === "boolean" || typeof right === "boolean") return toBoolean(left) === toBoolean(right);
  if (typeof left === "number" || typeof right === "number") return toNumber(left) === toNumber(right);
  return left === right;
}

export function notEquals(left, right) {
  if (Array.isArray(left)) {
    if (Array.isArray(right)) return left.length > 0 && right.length > 0 && new Set([...left, ...right]).size > 1;
    if (typeof right === "boolean") return (left.length > 0) !== right;
    if (typeof right === "number") return left.some((node) => stringToNumber(node) !== right);
    return left.some((node) => node !== right);
  }
  if (Array.isArray(right)) return notEquals(right, left);
  return !equals(left, right);
}

const RELATIONS = {
  "<": (a, b) => a < b, "<=": (a, b) => a <= b, ">": (a, b) => a > b, ">=": (a, b) => a >= b,
};

function relate(relation, left, right) {
  if (Array.isArray(left)) {
    if (Array.isArray(right)) {
      const rights = right.map(stringToNumber);
      return left.some((node) => rights.some((r) => relation(stringToNumber(node), r)));
    }
    if (typeof right === "boolean") return relation(left.length > 0 ? 1 : 0, right ? 1 : 0);
    const number = toNumber(right);
    return left.some((node) => relation(stringToNumber(node), number));
  }
  if (Array.isArray(right)) {
    if (typeof left === "boolean") return relation(left ? 1 : 0, right.length > 0 ? 1 : 0);
    const number = toNumber(left);
    return right.some((node) => relation(number, stringToNumber(node)));
  }
  return relation(toNumber(left), toNumber(right));
}

function divide(left, right) {
  if (right === 0) {
    if (left === 0 || Number.isNaN(left)) return NaN;
    return Math.sign(left) * (Object.is(right, -0) ? -Infinity : Infinity);
  }
  return left / right;
}

function modulo(left, right) {
  if (right === 0 || Number.isNaN(right) || Number.isNaN(left) || !Number.isFinite(left)) return NaN;
  if (!Number.isFinite(right)) return left;
  return left % right;
}

// ------------------------------------------------------------- dates

function civil(year, month, day) {
  // Milliseconds of a valid proleptic Gregorian date (years 1-9999), else null.
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return null;
  const moment = new Date(0);
  moment.setUTCFullYear(year, month - 1, day);
  if (moment.getUTCMonth() !== month - 1 || moment.getUTCDate() !== day) return null;
  return moment.getTime();
}

function offsetMinutes(text) {
  if (!text || text === "Z") return 0;
  const sign = text[0] === "-" ? -1 : 1;
  const digits = text.slice(1).replace(/:/g, "");
  const minutes = parseInt(digits.slice(0, 2), 10) * 60 + (digits.length > 2 ? parseInt(digits.slice(2, 4), 10) : 0);
  return sign * minutes;
}

// {ms: wall clock milliseconds of the whole seconds, us: microseconds, offset}.
function parseWallClock(text) {
  let match = DATE_RE.exec(text);
  if (match) {
    const ms = civil(+match[1], +match[2], +match[3]);
    return ms === null ? null : { ms, us: 0, offset: 0 };
  }
  match = DATETIME_RE.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number);
  const second = match[6] ? +match[6] : 0;
  const us = parseInt(((match[7] || "") + "000000").slice(0, 6), 10);
  const date = civil(year, month, day);
  if (date === null) return null;
  let ms;
  if (hour === 24 && minute === 0 && second === 0 && us === 0) {
    ms = date + DAY_MS;
    if (ms >= civil(9999, 12, 31) + DAY_MS) return null;  // past datetime.max
  } else {
    if (hour > 23 || minute > 59 || second > 59) return null;
    ms = date + ((hour * 60 + minute) * 60 + second) * 1000;
  }
  return { ms, us, offset: offsetMinutes(match[8]) };
}

function stringToDays(text) {
  const match = DATE_RE.exec(text);
  if (match) {
    const ms = civil(+match[1], +match[2], +match[3]);
    return ms === null ? null : ms / DAY_MS;
  }
  const parsed = parseWallClock(text);
  if (parsed === null) return timeToDays(text);
  const total = parsed.ms / 1000;  // whole seconds since the epoch
  const days = Math.floor(total / 86400);
  const seconds = days * 86400.0 + (total - days * 86400) + parsed.us / 1e6;
  return (seconds - parsed.offset * 60) / 86400.0;
}

// An ODK time (HH:MM, HH:MM:SS, HH:MM:SS.sss, an optional offset): the fraction
// of the day of its wall-clock time, the offset ignored (dates.time_to_days).
const TIME_RE = /^[ \t\r\n]*([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?[ \t\r\n]*$/;
function timeToDays(text) {
  const match = TIME_RE.exec(text);
  if (match === null) return null;
  const hour = +match[1], minute = +match[2], second = +(match[3] || 0);
  const fraction = match[4] ? parseFloat("0." + match[4]) : 0.0;
  if (hour > 23 || minute > 59 || second > 59) return null;
  return (hour * 3600 + minute * 60 + second + fraction) / 86400;
}

// CPython's timedelta(days=x): microseconds, rounded half to even.
function daysToMicroseconds(days) {
  const whole = Math.trunc(days);
  let total = BigInt(whole) * 86400000000n;
  const fraction = days - whole;
  if (fraction === 0) return total;
  const scaled = fraction * 86400000000;
  const part = Math.trunc(scaled);
  total += BigInt(part);
  const leftover = scaled - part;
  if (leftover) {
    const away = (x) => (x < 0 ? -Math.round(-x) : Math.round(x));
    let rounded = away(leftover);
    if (Math.abs(rounded - leftover) === 0.5) {
      const odd = Number(total & 1n);
      rounded = 2.0 * away((leftover + odd) * 0.5) - odd;
    }
    total += BigInt(rounded);
  }
  return total;
}

const MIN_MS = -62135596800000;  // 0001-01-01
const MAX_MS = 253402300800000;  // 10000-01-01

function daysToMoment(days) {
  if (!Number.isFinite(days)) return null;
  const us = daysToMicroseconds(days);
  let seconds = us / 1000000n;
  if (seconds * 1000000n > us) seconds -= 1n;  // floor, for moments before 1970
  const ms = Number(seconds) * 1000;
  if (ms < MIN_MS || ms >= MAX_MS) return null;
  return { ms, us: Number(us - seconds * 1000000n), offset: 0 };
}

// functions._decimal_time: the wall-clock fraction of the day of a time or a
// dateTime (its offset ignored), NaN for anything else.
function decimalTime(value) {
  const text = toString(value);
  const days = timeToDays(text);
  if (days !== null) return days;
  const parsed = parseWallClock(text);
  if (parsed === null || DATE_RE.test(text)) return NaN;
  const seconds = ((parsed.ms % DAY_MS) + DAY_MS) % DAY_MS / 1000;
  return (seconds * 1000000 + parsed.us) / 1000000 / 86400.0;
}

function daysToDateString(days) {
  if (!Number.isFinite(days) || Math.abs(days) > 3000000) return "";
  const ms = Math.floor(days) * DAY_MS;
  if (ms < MIN_MS || ms >= MAX_MS) return "";
  return isoDate(ms);
}

const pad = (number, width) => String(number).padStart(width, "0");

function isoDate(ms) {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

function formatMoment(moment, pattern) {
  const d = new Date(moment.ms);
  const micro = moment.us;
  return pattern.replace(/%([YymnbdeaHhMS3])/g, (_, code) => {
    switch (code) {
      case "Y": return pad(d.getUTCFullYear(), 4);
      case "y": return pad(d.getUTCFullYear() % 100, 2);
      case "m": return pad(d.getUTCMonth() + 1, 2);
      case "n": return String(d.getUTCMonth() + 1);
      case "b": return MONTHS[d.getUTCMonth()];
      case "d": return pad(d.getUTCDate(), 2);
      case "e": return String(d.getUTCDate());
      case "a": return DAYS[(d.getUTCDay() + 6) % 7];
      case "H": return pad(d.getUTCHours(), 2);
      case "h": return String(d.getUTCHours());
      case "M": return pad(d.getUTCMinutes(), 2);
      case "S": return pad(d.getUTCSeconds(), 2);
      default: return pad(Math.floor(micro / 1000), 3);
    }
  });
}

// ------------------------------------------------------------- function helpers

function strings(values) {
  const out = [];
  for (const value of values) {
    if (Array.isArray(value)) out.push(...value);
    else out.push(toString(value));
  }
  return out;
}

function numbers(values) {
  const out = [];
  for (const value of values) {
    if (Array.isArray(value)) out.push(...value.map(stringToNumber));
    else out.push(toNumber(value));
  }
  return out;
}

function sliceIndex(number, length) {
  if (Number.isNaN(number)) return 0;
  if (!Number.isFinite(number)) return number > 0 ? length : -length;
  return Math.max(-length, Math.min(length, Math.trunc(number)));
}

function xpathRound(number) { return Number.isFinite(number) ? Math.floor(number + 0.5) : number; }

function joined(separator, parts) {
  const length = parts.reduce((sum, part) => sum + chars(part).length, 0)
    + chars(separator).length * Math.max(parts.length - 1, 0);
  if (length > MAX_STRING_LENGTH) throw new Unsupported("text too long");  // the server refuses it
  return parts.join(separator);
}

// ODK round(): half away from zero on the number's shortest decimal form.
function odkRound(number, digits) {
  let places = digits === undefined ? 0 : digits;
  if (!Number.isFinite(number) || Number.isNaN(places)) return Number.isNaN(places) ? NaN : number;
  places = Math.trunc(Math.max(-400, Math.min(400, places)));
  if (number === 0) return number;
  const { digits: ds, point } = decompose(Math.abs(number));
  const keep = point + places;
  let kept;
  if (keep < 0) kept = "";
  else if (keep >= ds.length) return number;
  else {
    kept = ds.slice(0, keep);
    if (ds[keep] >= "5") {
      const up = (BigInt(kept || "0") + 1n).toString();
      kept = kept === "" ? up : up.padStart(kept.length, "0");
    }
  }
  const magnitude = kept === "" || /^0*$/.test(kept) ? 0 : parseFloat(`${kept}e${-places}`);
  return number < 0 ? -magnitude : magnitude;
}

function truths(values) {
  const out = [];
  for (const value of values) {
    if (Array.isArray(value)) out.push(...value.map((node) => node !== ""));
    else out.push(toBoolean(value));
  }
  return out;
}

function within(total, low, high) {
  const minimum = toNumber(low), maximum = toNumber(high);
  return (minimum === -1 || total >= minimum) && (maximum === -1 || total <= maximum);
}

function extreme(pick) {
  return (...values) => {
    const found = numbers(values);
    if (!found.length || found.some(Number.isNaN)) return NaN;
    return pick(...found);
  };
}

function dateOf(value) {
  if (Array.isArray(value) || typeof value === "string") {
    const text = toString(value);
    const parsed = parseWallClock(text);
    if (parsed !== null) return isoDate(parsed.ms);
    return daysToDateString(stringToNumber(text));
  }
  return daysToDateString(toNumber(value));
}

function formatDate(value, pattern) {
  let moment = null;
  if (Array.isArray(value) || typeof value === "string") moment = parseWallClock(toString(value));
  if (moment === null) moment = daysToMoment(toNumber(value));
  return moment === null ? "" : formatMoment(moment, toString(pattern));
}

// RE2's meaning of \s, \S and . in JavaScript's syntax: RE2's \s is
// [\t\n\f\r ] where JavaScript's also takes Unicode spaces, and RE2's .
// stops only at \n. A \S inside brackets has no such rewriting: refused.
function re2Source(pattern) {
  let out = "", inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === "\\" && i + 1 < pattern.length) {
      const next = pattern[++i];
      if (next === "s") out += inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]";
      else if (next === "S" && !inClass) out += "[^\\t\\n\\f\\r ]";
      else if (next === "S") return null;
      else out += char + next;
    } else if (inClass) {
      if (char === "]") inClass = false;
      out += char;
    } else if (char === "[") {
      inClass = true;
      out += char;
      if (pattern[i + 1] === "^") out += pattern[++i];
      if (pattern[i + 1] === "]") out += "\\" + pattern[++i];
    } else {
      out += char === "." ? "[^\\n]" : char;
    }
  }
  return out;
}

const REGEXES = new Map();
function compileRegex(pattern) {
  let compiled = REGEXES.get(pattern);
  if (compiled === undefined) {
    try {
      const source = re2Source(pattern);
      compiled = source === null ? null : new RegExp(source, "u");
    } catch {
      compiled = null;
    }
    REGEXES.set(pattern, compiled);
  }
  if (compiled === null) throw new Unsupported(`regex ${pattern}`);
  return compiled;
}

// ------------------------------------------------------------- the function table
// Each entry: (argument nodes, context, evaluate) -> value. eager() evaluates
// every argument first; the others decide what to evaluate.

const eager = (impl) => (args, ctx, ev) => impl(...args.map((node) => ev(node, ctx)));
const number1 = (impl) => eager((x) => impl(toNumber(x)));

export const FUNCTIONS = {
  "true": eager(() => true),
  "false": eager(() => false),
  "not": eager((x) => !toBoolean(x)),
  "boolean": eager(toBoolean),
  "boolean-from-string": eager((s) => ["true", "1"].includes(toString(s).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "").toLowerCase())),
  "if": (args, ctx, ev) => (toBoolean(ev(args[0], ctx)) ? ev(args[1], ctx) : ev(args[2], ctx)),
  "coalesce": eager((a, b) => { const text = toString(a); return text ? text : toString(b); }),
  "regex": eager((value, pattern) => compileRegex(toString(pattern)).test(toString(value))),
  "once": (args, ctx, ev) => { const existing = toString(ev(args[1], ctx)); return existing ? existing : ev(args[0], ctx); },
  "checklist": eager((low, high, ...values) => within(truths(values).filter(Boolean).length, low, high)),
  "weighted-checklist": (args, ctx, ev) => {
    const [low, high, ...rest] = args;
    let total = 0;
    for (let i = 0; i < rest.length; i += 2) {
      if (toBoolean(ev(rest[i], ctx))) total += toNumber(ev(rest[i + 1], ctx));
    }
    return within(total, ev(low, ctx), ev(high, ctx));
  },
  "string": eager(toString),
  "concat": eager((...values) => joined("", strings(values))),
  "join": eager((separator, ...values) => joined(toString(separator), strings(values))),
  "string-length": eager((s) => chars(toString(s)).length),
  "normalize-space": eager((s) => toString(s).replace(/[ \t\r\n]+/g, " ").replace(/^ +| +$/g, "")),
  "contains": eager((s, t) => toString(s).includes(toString(t))),
  "starts-with": eager((s, t) => toString(s).startsWith(toString(t))),
  "ends-with": eager((s, t) => toString(s).endsWith(toString(t))),
  "substr": eager((value, start, end) => {
    const text = chars(toString(value));
    const first = sliceIndex(toNumber(start), text.length);
    if (end === undefined) return text.slice(first).join("");
    return text.slice(first, sliceIndex(toNumber(end), text.length)).join("");
  }),
  "substring": eager((value, start, length) => {
    const text = chars(toString(value));
    const first = xpathRound(toNumber(start));
    const last = length === undefined ? Infinity : first + xpathRound(toNumber(length));
    const low = Math.max(first, 1), high = Math.min(last, text.length + 1);
    if (Number.isNaN(low) || Number.isNaN(high) || high <= low) return "";
    return text.slice(low - 1, high - 1).join("");
  }),
  "substring-before": eager((value, needle) => {
    const text = toString(value), found = text.indexOf(toString(needle));
    return found >= 0 ? text.slice(0, found) : "";
  }),
  "substring-after": eager((value, needle) => {
    const text = toString(value), sub = toString(needle), found = text.indexOf(sub);
    return found >= 0 ? text.slice(found + sub.length) : "";
  }),
  "translate": eager((value, source, target) => {
    const src = chars(toString(source)), dst = chars(toString(target)), table = new Map();
    src.forEach((char, i) => { if (!table.has(char)) table.set(char, i < dst.length ? dst[i] : ""); });
    return chars(toString(value)).map((char) => (table.has(char) ? table.get(char) : char)).join("");
  }),
  "selected": eager((values, value) => pySplit(toString(values)).includes(pyStrip(toString(value)))),
  "count-selected": eager((values) => pySplit(toString(values)).length),
  "selected-at": eager((values, index) => {
    const items = pySplit(toString(values)), number = toNumber(index);
    if (!Number.isFinite(number)) return "";
    const position = Math.trunc(number);
    return position >= 0 && position < items.length ? items[position] : "";
  }),
  "jr:choice-name": (args, ctx, ev) => {
    const text = args[1][1];
    const match = /^[ \t\r\n]*\$\{([^{}]*)\}[ \t\r\n]*$/.exec(text);
    const question = match ? match[1] : text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
    return ctx.choiceLabel(question, toString(ev(args[0], ctx)));
  },
  "number": eager(toNumber),
  "int": number1((x) => (Number.isFinite(x) ? Math.trunc(x) : x)),
  "round": eager((value, digits) => odkRound(toNumber(value), digits === undefined ? undefined : toNumber(digits))),
  "floor": number1(Math.floor),
  "ceiling": number1(Math.ceil),
  "abs": number1(Math.abs),
  "sqrt": number1(Math.sqrt),
  "pi": eager(() => Math.PI),
  "sum": eager((nodes) => nodes.reduce((total, node) => total + stringToNumber(node), 0)),
  "count": eager((nodes) => nodes.length),
  "count-non-empty": eager((nodes) => nodes.filter((node) => node !== "").length),
  "min": eager(extreme(Math.min)),
  "max": eager(extreme(Math.max)),
  "position": (args, ctx) => ctx.position(),
  "indexed-repeat": (args, ctx, ev) => {
    const number = toNumber(ev(args[2], ctx));
    if (!Number.isFinite(number)) return "";
    return ctx.indexed(args[0][1], args[1][1], Math.trunc(number));
  },
  "today": (args, ctx) => ctx.today(),
  "now": (args, ctx) => ctx.now(),
  "date": eager(dateOf),
  "decimal-date-time": eager(toNumber),
  "decimal-time": eager(decimalTime),
  "format-date": eager(formatDate),
  "format-date-time": eager(formatDate),
};

// ------------------------------------------------------------- evaluation

export function evaluate(node, ctx) {
  switch (node[0]) {
    case "num": return typeof node[1] === "string" ? Number(node[1]) : node[1];
    case "str": return node[1];
    case "ref": { const value = ctx.resolve(node[1]); return typeof value === "string" ? [value] : value; }
    case "cur": return [ctx.current()];
    case "col": return [ctx.choiceValue(node[1])];
    case "parent": return [];
    case "neg": return -toNumber(evaluate(node[2], ctx));
    case "tonum": return toNumber(evaluate(node[2], ctx));
    case "arith": {
      const ops = node[1];
      let total = toNumber(evaluate(node[2], ctx));
      for (let i = 0; i < ops.length; i++) {
        const number = toNumber(evaluate(node[3 + i], ctx));
        switch (ops[i]) {
          case "+": total += number; break;
          case "-": total -= number; break;
          case "*": total *= number; break;
          case "div": total = divide(total, number); break;
          default: total = modulo(total, number);
        }
      }
      return total;
    }
    case "and":
      for (let i = 2; i < node.length; i++) if (!toBoolean(evaluate(node[i], ctx))) return false;
      return true;
    case "or":
      for (let i = 2; i < node.length; i++) if (toBoolean(evaluate(node[i], ctx))) return true;
      return false;
    case "eq": {
      const left = evaluate(node[2], ctx), right = evaluate(node[3], ctx);
      return node[1] === "=" ? equals(left, right) : notEquals(left, right);
    }
    case "rel": return relate(RELATIONS[node[1]], evaluate(node[2], ctx), evaluate(node[3], ctx));
    case "call": {
      const fn = FUNCTIONS[node[1]];
      if (fn === undefined) throw new Unsupported(node[1]);
      return fn(node.slice(2), ctx, evaluate);
    }
    default: throw new Unsupported(node[0]);
  }
}

// Names of the functions a tree calls that the browser cannot evaluate.
export function unsupported(node, found = new Set()) {
  if (node[0] === "call" && !(node[1] in FUNCTIONS)) found.add(node[1]);
  if (node[0] === "call" && node[1] === "regex" && node[3][0] === "str") {
    try { compileRegex(node[3][1]); } catch { found.add("regex"); }
  }
  for (let i = 2; i < node.length; i++) if (Array.isArray(node[i])) unsupported(node[i], found);
  return found;
}
