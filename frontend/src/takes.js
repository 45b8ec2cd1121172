// The lines recorded in the user's own voice, as marks in a gutter of their own that follow the edits.
import { RangeSet, StateEffect, StateField } from "@codemirror/state";
import { GutterMarker, gutter } from "@codemirror/view";

const MARKS = {
  recorded: ["●", "recorded in your voice"],
  stale: ["◐", "recorded, but the line changed since"],
  missing: ["○", "its take is missing"],
};

export const setTakes = StateEffect.define();

/** A line's mark: a glyph for its take's state, with the state in words on hover. */
class TakeMark extends GutterMarker {
  constructor(state) {
    super();
    this.state = MARKS[state] ? state : "recorded";
  }

  eq(other) {
    return other.state === this.state;
  }

  toDOM() {
    const [glyph, words] = MARKS[this.state];
    const mark = document.createElement("span");
    mark.className = `sp-take sp-take-${this.state}`;
    mark.textContent = glyph;
    mark.title = words;
    return mark;
  }
}

const takes = StateField.define({
  create: () => RangeSet.empty,
  update(marks, tr) {
    marks = marks.map(tr.changes);
    for (const effect of tr.effects) if (effect.is(setTakes)) marks = effect.value;
    return marks;
  },
});

/** The marks of `list` ([{line, state}], lines 1-based) on `doc`; a line `doc` does not have is left out. */
export function takeMarks(doc, list) {
  const shown = list.filter((take) => Number.isInteger(take.line) && take.line >= 1 && take.line <= doc.lines);
  return RangeSet.of(shown.map((take) => new TakeMark(take.state).range(doc.line(take.line).from)), true);
}

/** The gutter of takes, and the marks it shows (set with `setTakes`). */
export const takeGutter = [takes, gutter({ class: "sp-takes", markers: (view) => view.state.field(takes) })];
