// Positions from the checker (1-based, columns in characters) land on the right UTF-16 ranges.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Text } from "@codemirror/state";
import { columnOffset, diagnosticRange, diagnosticsOf, fixChange, fixRange, toCodeMirror, tokenEnd } from "../src/diagnostics.js";

// `stillpoint check --json` on these two lines reports {nope} at 2:9 and [paws 5s] at 2:16.
const doc = Text.of(["# A", "Hello 😀 {nope} [paws 5s] there.", "tittle: x", "", "LOVE, she said"]);

function covered(d) {
  const { from, to } = diagnosticRange(doc, d);
  return doc.sliceString(from, to);
}

test("columns count characters, so an emoji before a marker does not shift it", () => {
  assert.equal(columnOffset("Hello 😀 {nope}", 9), 9);
  assert.equal(covered({ line: 2, col: 9 }), "{nope}");
  assert.equal(covered({ line: 2, col: 16 }), "[paws 5s]");
});

test("without an end the underline covers the word, a heading or blank line whole", () => {
  assert.equal(covered({ line: 3, col: 1 }), "tittle");
  assert.equal(covered({ line: 5, col: 1 }), "LOVE");
  assert.equal(covered({ line: 1, col: 1 }), "# A");
  assert.equal(covered({ line: 4, col: 1 }), "");
});

test("an end column is exclusive and may run onto another line", () => {
  assert.equal(covered({ line: 2, col: 1, endCol: 6 }), "Hello");
  assert.equal(covered({ line: 2, col: 26, endLine: 3, endCol: 7 }), "there.\ntittle");
});

test("positions outside the document are clamped, never thrown", () => {
  assert.equal(covered({ line: 99, col: 99 }), "");
  assert.equal(covered({ line: 0, col: 0 }), "# A");
  assert.equal(tokenEnd("[pause 5s", 0), 9);
});

test("a lint answer may be a list or an object holding one", () => {
  assert.deepEqual(diagnosticsOf([{ line: 1 }]), [{ line: 1 }]);
  assert.deepEqual(diagnosticsOf({ diagnostics: [{ line: 2 }] }), [{ line: 2 }]);
  assert.deepEqual(diagnosticsOf(null), []);
});

test("a fix's range is its characters, the end excluded; an insertion is empty", () => {
  const change = fixChange(doc, { line: 2, col: 9, end_line: 2, end_col: 15, text: "{who}" });
  assert.equal(doc.sliceString(change.from, change.to), "{nope}");
  assert.equal(change.insert, "{who}");
  const insertion = fixRange(doc, { line: 5, col: 1, end_line: 5, end_col: 1 });
  assert.equal(insertion.from, insertion.to);
});

test("a review finding is marked in its own class and offers its fix as a Rewrite action", () => {
  const fix = { line: 5, col: 1, end_line: 5, end_col: 5, text: "Love" };
  const found = toCodeMirror(doc, { line: 5, col: 1, severity: "warning", family: "review", message: "m", fix });
  assert.equal(found.markClass, "sp-review");
  assert.deepEqual(found.actions.map((a) => a.name), ["Rewrite"]);
  const plain = toCodeMirror(doc, { line: 5, col: 1, severity: "warning", family: "check", message: "m" });
  assert.equal(plain.markClass, undefined);
  assert.equal(plain.actions, undefined);
});
