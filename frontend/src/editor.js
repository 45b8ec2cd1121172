/*
 * The studio's script editor (CodeMirror 6), bundled into static/editor.js as `window.StillpointEditor`.
 *
 *   const editor = StillpointEditor.createEditor({
 *     parent,            // element the editor fills (give it a height; the editor scrolls inside it)
 *     doc,               // initial text ("" when left out)
 *     readOnly,          // true for built-in practices (default false)
 *     onChange(text),    // after every edit made in the editor (not after setText)
 *     onCursorLine(line),// 1-based line of the cursor, when it moves to another line
 *     onDiagnostics(list),// the checker diagnostics now shown (from lint or setDiagnostics)
 *     cspNonce,          // the page's Content-Security-Policy nonce for the editor's <style> tag, if
 *                        // the policy's style-src has no 'unsafe-inline'
 *     lint: async (text) => diagnostics,  // called 50 ms after typing pauses and once at start;
 *                        // resolves to [{line, col, endLine?, endCol?, severity, message, hint, code}]
 *                        // (or to an object with such a list under `diagnostics`); an answer that
 *                        // arrives after the text changed again is dropped; a rejection keeps the old ones
 *   });
 *
 *   editor.getText()              the whole text
 *   editor.setText(text)          replace the text: a new document (no onChange; undo history, spoken
 *                                 line and diagnostics reset; cursor on line 1; lint runs again)
 *   editor.setReadOnly(bool)
 *   editor.setDiagnostics(list)   show these diagnostics now (same shape as lint's answer)
 *   editor.highlightLine(n|null)  mark line n (1-based) as being spoken and scroll it into view; null clears
 *   editor.jumpTo(line, col?)     put the cursor there, centre it and focus (for a click in a problems list)
 *   editor.applyFix(fix)          make a finding's rewrite: {line, col, end_line, end_col, text}, positions as the
 *                                 checker gives them (the end excluded); an edit like typing (onChange, undo)
 *   editor.relint()               ask the `lint` callback again now (after the page changed what it checks)
 *   editor.markTakes(list)        mark the lines recorded in the user's voice in a gutter of their own:
 *                                 [{line, state}], state "recorded", "stale" (the line changed since) or
 *                                 "missing"; the marks follow edits until the next call
 *   editor.focus()
 *   editor.destroy()
 *   editor.view                   the CodeMirror EditorView, for anything else
 *
 * Diagnostics use the checker's positions: 1-based line and column, columns in characters (code points).
 * The rule's name may come as `code` or as `rule` (as `stillpoint check --json` writes it).
 * Without endLine/endCol the underline runs from the column to the end of the marker `[...]`, variable
 * `{...}` or tag `<...>` that starts there, else to the end of the word, else (heading, blank) the line.
 * The tooltip on hover shows the message, the rule code and the hint, and a Rewrite button for a finding with a
 * fix; review findings (family "review") are underlined in their own colour. Keys: the usual editing keys,
 * Ctrl-Z/Ctrl-Shift-Z undo/redo, Ctrl-F search, Ctrl-/ toggle comment, F8 next problem.
 */
import { EditorState, Compartment, StateEffect, StateField } from "@codemirror/state";
import {
  EditorView, Decoration, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  highlightSpecialChars, drawSelection,
} from "@codemirror/view";
import { history, defaultKeymap, historyKeymap } from "@codemirror/commands";
import { search, searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { syntaxHighlighting } from "@codemirror/language";
import { linter, lintGutter, lintKeymap, setDiagnostics, setDiagnosticsEffect } from "@codemirror/lint";
import { scriptLanguage, scriptHighlight } from "./language.js";
import { scriptTheme } from "./theme.js";
import { toCodeMirror, diagnosticsOf, columnOffset, rewrite } from "./diagnostics.js";
import { setTakes, takeGutter, takeMarks } from "./takes.js";

const LINT_DELAY_MS = 50;

const setSpokenLine = StateEffect.define();
const relintNow = StateEffect.define(); // the page changed what it asks the checker: lint again, text unchanged
const spokenLineMark = Decoration.line({ class: "cm-spokenLine" });

/** The line being spoken, as a line decoration that follows edits. */
const spokenLine = StateField.define({
  create: () => Decoration.none,
  update(marks, tr) {
    marks = marks.map(tr.changes);
    for (const effect of tr.effects) {
      if (effect.is(setSpokenLine)) {
        marks = effect.value == null ? Decoration.none : Decoration.set([spokenLineMark.range(effect.value)]);
      }
    }
    return marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

/** The lint source: asks the page's `lint` callback and converts its answer. */
function lintSource(lint) {
  return async (view) => {
    const doc = view.state.doc;
    const answer = await lint(doc.toString());
    return diagnosticsOf(answer).map((d) => toCodeMirror(doc, d));
  };
}

/** Calls the page's callbacks for edits, cursor moves and new diagnostics. */
function listeners(options) {
  let lastLine = 1;
  return EditorView.updateListener.of((update) => {
    if (update.docChanged && options.onChange) options.onChange(update.state.doc.toString());
    const line = update.state.doc.lineAt(update.state.selection.main.head).number;
    if (line !== lastLine && options.onCursorLine) options.onCursorLine(line);
    lastLine = line;
    for (const tr of update.transactions) {
      for (const effect of tr.effects) {
        if (effect.is(setDiagnosticsEffect) && options.onDiagnostics) {
          options.onDiagnostics(effect.value.map((d) => d.raw ?? d));
        }
      }
    }
  });
}

function extensions(options, readOnly) {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    drawSelection(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    search({ top: true }),
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({ spellcheck: "true", "aria-label": "Practice script" }),
    options.cspNonce ? EditorView.cspNonce.of(options.cspNonce) : [],
    scriptLanguage,
    syntaxHighlighting(scriptHighlight),
    scriptTheme,
    spokenLine,
    lintGutter(),
    takeGutter,
    options.lint ? linter(lintSource(options.lint), {
      delay: LINT_DELAY_MS,
      needsRefresh: (update) => update.transactions.some((tr) => tr.effects.some((e) => e.is(relintNow))),
    }) : [],
    readOnly.of(readOnlyExtensions(Boolean(options.readOnly))),
    listeners(options),
    keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap, ...lintKeymap]),
  ];
}

/** Read-only or not; read-only text stays in the Tab order, so the keyboard can still reach and scroll it. */
function readOnlyExtensions(on) {
  return [EditorState.readOnly.of(on), EditorView.editable.of(!on),
    EditorView.contentAttributes.of({ tabindex: "0", "aria-readonly": String(on) })];
}

/** The start of 1-based `line`, or null when the document has no such line. */
function lineStart(view, line) {
  const n = Number(line);
  if (!Number.isInteger(n) || n < 1 || n > view.state.doc.lines) return null;
  return view.state.doc.line(n).from;
}

/** Creates the editor in `options.parent`; see the top of this file for the options and methods. */
export function createEditor(options) {
  const readOnly = new Compartment();
  let readOnlyNow = Boolean(options.readOnly);
  const stateFor = (text) => EditorState.create({
    doc: text ?? "",
    extensions: extensions({ ...options, readOnly: readOnlyNow }, readOnly),
  });
  const view = new EditorView({ state: stateFor(options.doc), parent: options.parent });

  return {
    view,
    getText: () => view.state.doc.toString(),
    setText(text) {
      view.setState(stateFor(text)); // a new state runs no update listeners: tell the page here
      options.onDiagnostics?.([]);
      options.onCursorLine?.(1);
    },
    setReadOnly(on) {
      readOnlyNow = Boolean(on);
      view.dispatch({ effects: readOnly.reconfigure(readOnlyExtensions(readOnlyNow)) });
    },
    setDiagnostics(list) {
      const doc = view.state.doc;
      view.dispatch(setDiagnostics(view.state, diagnosticsOf(list).map((d) => toCodeMirror(doc, d))));
    },
    highlightLine(line) {
      const from = line == null ? null : lineStart(view, line);
      const effects = [setSpokenLine.of(from)];
      if (from != null) effects.push(EditorView.scrollIntoView(from, { y: "nearest", yMargin: 60 }));
      view.dispatch({ effects });
    },
    jumpTo(line, col = 1) {
      const from = lineStart(view, line);
      if (from == null) return;
      const info = view.state.doc.lineAt(from);
      const pos = from + columnOffset(info.text, Number(col) || 1);
      view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: "center" }) });
      view.focus();
    },
    applyFix: (fix) => rewrite(view, fix),
    relint: () => view.dispatch({ effects: relintNow.of(null) }),
    markTakes: (list) => view.dispatch({ effects: setTakes.of(takeMarks(view.state.doc, list)) }),
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
