// Turns the checker's diagnostics (1-based line and column, columns counted in characters as Python
// counts them) into CodeMirror ranges (UTF-16 offsets), and renders message and hint for the tooltip.
// A review finding (family "review") is marked in its own colour; one with a fix offers it as a Rewrite button.

const SEVERITIES = new Set(["error", "warning", "info", "hint"]);
const CLOSERS = { "[": "]", "{": "}", "<": ">" };
const WORD = /^[\p{L}\p{N}_'’-]+/u;

function clamp(n, low, high) {
  return Math.min(Math.max(Number.isFinite(n) ? n : low, low), high);
}

/** The UTF-16 offset in `text` of the 1-based character column `col` (past the end: the end). */
export function columnOffset(text, col) {
  let offset = 0;
  let column = 1;
  for (const ch of text) {
    if (column >= col) break;
    offset += ch.length;
    column += 1;
  }
  return offset;
}

/** Where the underline starting at `start` ends: the marker, tag or variable, the word, or the line. */
export function tokenEnd(text, start) {
  const ch = text[start];
  if (ch === undefined || ch === "#" || /\s/.test(ch)) return text.length;
  if (CLOSERS[ch]) {
    const close = text.indexOf(CLOSERS[ch], start);
    return close < 0 ? text.length : close + 1;
  }
  const word = WORD.exec(text.slice(start));
  return start + (word ? word[0].length : String.fromCodePoint(text.codePointAt(start)).length);
}

function position(doc, line, col) {
  const info = doc.line(clamp(line, 1, doc.lines));
  return { info, pos: info.from + columnOffset(info.text, clamp(col, 1, Infinity)) };
}

/** The document range a fix replaces: {line, col, end_line, end_col} (1-based, the end excluded). */
export function fixRange(doc, fix) {
  const from = position(doc, fix.line, fix.col).pos;
  return { from, to: Math.max(from, position(doc, fix.end_line, fix.end_col).pos) };
}

/** The change that makes a checker's fix: its range and the text that takes its place. */
export function fixChange(doc, fix) {
  return { ...fixRange(doc, fix), insert: String(fix.text ?? "") };
}

/** The document range a checker diagnostic covers. */
export function diagnosticRange(doc, d) {
  const start = position(doc, d.line, d.col);
  if (d.endLine != null || d.endCol != null) {
    const end = position(doc, d.endLine ?? d.line, d.endCol ?? Infinity);
    return { from: start.pos, to: Math.max(start.pos, end.pos) };
  }
  return { from: start.pos, to: start.info.from + tokenEnd(start.info.text, start.pos - start.info.from) };
}

function renderMessage(d) {
  const box = document.createElement("div");
  const message = box.appendChild(document.createElement("div"));
  message.className = "sp-diag-message";
  message.textContent = d.message;
  const code = d.code || d.rule;
  if (code) {
    const tag = message.appendChild(document.createElement("span"));
    tag.className = d.family === "review" ? "sp-diag-code sp-review" : "sp-diag-code";
    tag.textContent = code;
  }
  if (d.hint) {
    const hint = box.appendChild(document.createElement("div"));
    hint.className = "sp-diag-hint";
    hint.textContent = d.hint;
  }
  return box;
}

/** Makes a checker's fix in `view` as an edit, unless the editor is read-only. */
export function rewrite(view, fix) {
  if (!fix || view.state.readOnly) return;
  view.dispatch({ changes: fixChange(view.state.doc, fix), userEvent: "input" });
}

/** A CodeMirror diagnostic for one checker diagnostic; `raw` keeps the original for callers. */
export function toCodeMirror(doc, d) {
  const { from, to } = diagnosticRange(doc, d);
  const found = {
    from,
    to,
    severity: SEVERITIES.has(d.severity) ? d.severity : "error",
    message: d.hint ? `${d.message} (${d.hint})` : String(d.message ?? ""),
    renderMessage: () => renderMessage(d),
    raw: d,
  };
  if (d.family === "review") found.markClass = "sp-review";
  if (d.fix) found.actions = [{ name: "Rewrite", apply: (view) => rewrite(view, d.fix) }];
  return found;
}

/** The diagnostics list from a lint answer: an array, or an object holding one under `diagnostics`. */
export function diagnosticsOf(answer) {
  if (Array.isArray(answer)) return answer;
  return Array.isArray(answer?.diagnostics) ? answer.diagnostics : [];
}
