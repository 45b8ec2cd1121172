// The gutter's marks of recorded lines land at the start of their lines and follow edits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ChangeSet, Text } from "@codemirror/state";
import { takeMarks } from "../src/takes.js";

const doc = Text.of(["# A", "Breathe in.", "Breathe out.", "Rest."]);

function marked(marks) {
  const found = [];
  marks.between(0, doc.length, (from, _to, mark) => { found.push([from, mark.state]); });
  return found;
}

test("each take marks the start of its line, in order; lines the text lacks are left out", () => {
  const marks = takeMarks(doc, [{ line: 3, state: "stale" }, { line: 2, state: "recorded" }, { line: 9 },
    { line: 0, state: "recorded" }]);
  assert.deepEqual(marked(marks), [[4, "recorded"], [16, "stale"]]);
});

test("a mark moves with its line when a line is added above it", () => {
  const marks = takeMarks(doc, [{ line: 2, state: "missing" }]);
  const moved = marks.map(ChangeSet.of([{ from: 3, insert: "\nNew line." }], doc.length));
  assert.deepEqual(marked(moved), [[14, "missing"]]);
});
