// Syntax highlighting for Stillpoint practice scripts (docs/script-format.md), as a line-by-line
// stream tokenizer: front matter, section headings with settings, markers, SSML breaks, variables
// and comment lines. It only colours text; the checker on the server decides what is wrong.
import { StreamLanguage, HighlightStyle } from "@codemirror/language";
import { tags as t } from "@lezer/highlight";

const FENCE = /^---\s*$/;

/** The tokenizer's state at the start of a line and inside it. */
function startState() {
  // phase: "top" before the first line, "front" inside the front matter, "body" after it.
  // block: "vars" or "pronounce" while their indented entries are read. part: place within a line.
  return { phase: "top", block: null, part: null };
}

function copyState(s) {
  return { phase: s.phase, block: s.block, part: s.part };
}

/** Styles one token of the front matter: `key: value`, indented entries, comments, the closing fence. */
function frontMatterToken(stream, state) {
  if (stream.sol()) {
    if (stream.match(FENCE)) { state.phase = "body"; state.block = null; return "meta"; }
    if (stream.match(/^\s*(#|\/\/)/)) { stream.skipToEnd(); return "comment"; }
    const indented = stream.match(/^[ \t]+/);
    state.part = indented && state.block ? "entry" : "key";
    if (indented) return null;
  }
  if (state.part === "key" && stream.match(/^[^:]+/)) {
    const key = stream.current().trim();
    state.block = key === "vars" || key === "pronounce" ? key : null;
    state.part = "colon";
    return "propertyName";
  }
  if (state.part === "entry" && stream.match(/^[^:]+/)) {
    state.part = "colon";
    return state.block === "vars" ? "variableName.definition" : "labelName";
  }
  if (state.part === "colon" && stream.eat(":")) { state.part = "value"; return "punctuation"; }
  if (stream.eatSpace()) return null;
  stream.skipToEnd();
  return "string";
}

/** Styles the settings after a heading's title: `{rate: 100, voice: en-gb}`. */
function settingsToken(stream, state) {
  if (stream.eatSpace()) return null;
  if (stream.eat("{")) { state.part = "settingKey"; return "brace"; }
  if (stream.eat("}")) { state.part = "heading"; return "brace"; }
  if (stream.eat(",")) { state.part = "settingKey"; return "punctuation"; }
  if (stream.eat(":")) { state.part = "settingValue"; return "punctuation"; }
  if (state.part === "settingKey" && stream.match(/^[^:,}]+/)) return "propertyName.special";
  if (stream.match(/^[^,}]+/)) return "atom";
  stream.next();
  return "invalid";
}

/** Styles a marker: `[pause 8s]` as the marker's name, its argument and its closing bracket. */
function markerToken(stream, state) {
  if (stream.eat("]")) { state.part = null; return "keyword"; }
  if (stream.match(/^[^\]]+/)) return "number";
  return null;
}

/** Styles an SSML tag such as `<break time="3s"/>`. */
function tagToken(stream, state) {
  if (stream.eatSpace()) return null;
  if (stream.match(/^\/?>/)) { state.part = null; return "tagName"; }
  if (stream.match(/^[\w:-]+/)) return "attributeName";
  if (stream.eat("=")) return "operator";
  if (stream.match(/^"[^"]*"?/) || stream.match(/^'[^']*'?/)) return "attributeValue";
  stream.next();
  return "tagName";
}

/** Styles spoken text and what may sit inside it: markers, SSML tags and `{variables}`. */
function textToken(stream, state) {
  if (stream.match(/^\[[^\]\s]*/)) { state.part = "marker"; return "keyword"; }
  if (stream.match(/^<\/?[\w:-]*/)) { state.part = "tag"; return "tagName"; }
  if (stream.match(/^\{[^{}\[\]<]*\}/) || stream.eat("{")) return "variableName.special";
  stream.eatWhile(/[^\[<{]/) || stream.next();
  return null;
}

/** Styles one token of the script's body. */
function bodyToken(stream, state) {
  if (stream.sol()) {
    state.part = null;
    if (stream.match(/^\s*\/\/\s*allow:.*/)) return "docComment";
    if (stream.match(/^\s*\/\/.*/)) return "lineComment";
    if (stream.match(/^\s*#[^{]*/)) { state.part = "heading"; return "heading"; }
  }
  if (state.part === "heading" && stream.peek() !== "{") { stream.skipToEnd(); return "heading"; }
  if (state.part === "heading" || state.part?.startsWith("setting")) return settingsToken(stream, state);
  if (state.part === "marker") return markerToken(stream, state);
  if (state.part === "tag") return tagToken(stream, state);
  return textToken(stream, state);
}

function token(stream, state) {
  if (state.phase === "top") {
    state.phase = "body";
    if (stream.match(FENCE)) { state.phase = "front"; return "meta"; }
  }
  return state.phase === "front" ? frontMatterToken(stream, state) : bodyToken(stream, state);
}

function blankLine(state) {
  if (state.phase === "top") state.phase = "body";
  state.part = null;
}

/** The script language: tokenizer plus `//` as the line comment for toggle-comment. */
export const scriptLanguage = StreamLanguage.define({
  name: "stillpoint",
  startState,
  copyState,
  token,
  blankLine,
  languageData: { commentTokens: { line: "//" } },
});

/** Stable class names per kind of token, so pages and tests can find them; colours are in theme.js. */
export const scriptHighlight = HighlightStyle.define([
  { tag: t.meta, class: "sp-fence" },
  { tag: t.propertyName, class: "sp-key" },
  { tag: t.string, class: "sp-value" },
  { tag: t.definition(t.variableName), class: "sp-var-name" },
  { tag: t.labelName, class: "sp-word" },
  { tag: t.lineComment, class: "sp-comment" },
  { tag: t.docComment, class: "sp-allow" },
  { tag: t.comment, class: "sp-comment" },
  { tag: t.heading, class: "sp-heading" },
  { tag: t.special(t.propertyName), class: "sp-setting-key" },
  { tag: t.atom, class: "sp-setting-value" },
  { tag: [t.brace, t.punctuation], class: "sp-punct" },
  { tag: t.keyword, class: "sp-marker" },
  { tag: t.number, class: "sp-marker-arg" },
  { tag: t.tagName, class: "sp-ssml" },
  { tag: t.attributeName, class: "sp-ssml-attr" },
  { tag: t.attributeValue, class: "sp-ssml-value" },
  { tag: t.operator, class: "sp-ssml" },
  { tag: t.special(t.variableName), class: "sp-variable" },
  { tag: t.invalid, class: "sp-invalid" },
]);
