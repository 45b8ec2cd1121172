// A light, quiet theme: warm paper, muted sage and slate, nothing that shouts except a real mistake.
// Every colour of text reads at 4.5:1 or more (WCAG AA) on the paper, the active line and the spoken line.
import { EditorView } from "@codemirror/view";

const ink = "#33403d";
const paper = "#fcfbf8";
const sage = "#2f5d50";
const teal = "#2e7478";
const clay = "#995e37";
const plum = "#85527f";
const slate = "#4f6a8f";
const mist = "#656e68";
const violet = "#7457a6"; // the review's own colour: neither a mistake (red) nor a slip (amber)

const editorRules = {
  "&": { color: ink, backgroundColor: paper, fontSize: "15px", height: "100%" },
  "&.cm-focused": { outline: "none" },
  ".cm-scroller": {
    fontFamily: '"Noto Sans", "Segoe UI", "Helvetica Neue", "DejaVu Sans", sans-serif',
    lineHeight: "1.65",
  },
  ".cm-content": { padding: "14px 0", caretColor: sage },
  ".cm-line": { padding: "0 18px 0 10px" },
  ".cm-cursor": { borderLeftColor: sage, borderLeftWidth: "2px" },
  ".cm-gutters": { backgroundColor: "#f4f2ec", color: "#676e68", border: "none", borderRight: "1px solid #ebe8e0" },
  ".cm-lineNumbers .cm-gutterElement": { padding: "0 10px 0 14px", fontSize: "12.5px" },
  ".cm-activeLine": { backgroundColor: "#f5f3ec" },
  ".cm-activeLineGutter": { backgroundColor: "#ebe8df", color: "#4c5856" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection":
    { backgroundColor: "#d6e4dc" },
  ".cm-searchMatch": { backgroundColor: "#f3e3b5", outline: "1px solid #e4cd8a" },
  ".cm-searchMatch.cm-searchMatch-selected": { backgroundColor: "#e9cf86" },
  ".cm-selectionMatch": { backgroundColor: "#e7efe9" },
  ".cm-panels": { backgroundColor: "#f4f2ec", color: ink, borderColor: "#e4e0d6" },
  ".cm-panel.cm-search input, .cm-panel.cm-search button": { fontSize: "13px" },
  ".cm-textfield": { border: "1px solid #d5d2c8", borderRadius: "4px", backgroundColor: "#fff" },
  ".cm-button": { backgroundImage: "none", backgroundColor: "#fff", border: "1px solid #d5d2c8", borderRadius: "4px" },
};

const spokenRules = {
  ".cm-line.cm-spokenLine": { backgroundColor: "#fbf1d3", boxShadow: "inset 3px 0 0 #d9ad52" },
};

const tokenRules = {
  ".sp-fence": { color: mist },
  ".sp-key": { color: slate, fontWeight: "600" },
  ".sp-value": { color: "#4c5856" },
  ".sp-var-name": { color: plum, fontWeight: "600" },
  ".sp-word": { color: "#68679c", fontWeight: "600" },
  ".sp-comment": { color: mist, fontStyle: "italic" },
  ".sp-allow": { color: "#5b7165", fontStyle: "italic" },
  ".sp-heading": { color: sage, fontWeight: "700" },
  ".sp-setting-key": { color: "#587268" },
  ".sp-setting-value": { color: slate },
  ".sp-punct": { color: mist },
  ".sp-marker": { color: teal, fontWeight: "600" },
  ".sp-marker-arg": { color: clay },
  ".sp-ssml": { color: "#5b6b9f" },
  ".sp-ssml-attr": { color: "#606b92" },
  ".sp-ssml-value": { color: clay },
  ".sp-variable": { color: plum, backgroundColor: "rgba(133, 82, 127, 0.08)", borderRadius: "3px" },
  ".sp-invalid": { color: "#b5473a" },
};

const lintRules = {
  ".cm-tooltip": { border: "1px solid #e1ddd2", borderRadius: "6px", backgroundColor: "#fffefb",
    boxShadow: "0 4px 14px rgba(60, 60, 50, 0.12)" },
  ".cm-tooltip-lint": { padding: "2px 0", maxWidth: "32em" },
  ".cm-diagnostic": { padding: "6px 12px 6px 10px", fontFamily: "inherit", fontSize: "13.5px" },
  ".cm-diagnostic-error": { borderLeft: "4px solid #c4554a" },
  ".cm-diagnostic-warning": { borderLeft: "4px solid #d39a3a" },
  ".cm-diagnosticAction": { backgroundColor: "#efeaf7", color: "#4f3a78", border: "1px solid #cfc3e4",
    borderRadius: "12px", padding: "2px 10px", marginLeft: "8px", fontSize: "12.5px", cursor: "pointer" },
  ".sp-diag-message": { color: ink },
  ".sp-diag-hint": { color: "#56706a", marginTop: "3px" },
  ".sp-diag-code": { color: mist, fontSize: "12px", marginLeft: "6px" },
  ".sp-diag-code.sp-review": { color: violet },
  ".cm-lintRange-error": { textDecoration: "underline wavy #c4554a", textDecorationSkipInk: "none",
    textUnderlineOffset: "3px", backgroundImage: "none" },
  ".cm-lintRange-warning": { textDecoration: "underline wavy #d39a3a", textDecorationSkipInk: "none",
    textUnderlineOffset: "3px", backgroundImage: "none" },
  ".cm-lintRange.sp-review": { textDecoration: `underline wavy ${violet}`, textDecorationSkipInk: "none",
    textUnderlineOffset: "3px", backgroundImage: "none" },
  ".cm-gutter-lint": { width: "1.1em" },
};

const takeRules = {
  ".sp-takes .cm-gutterElement": { padding: "0 5px 0 2px", fontSize: "12px" },
  ".sp-take-recorded": { color: plum },
  ".sp-take-stale": { color: "#87502d" }, // clay and red, darker: they sit on the active line's gutter too
  ".sp-take-missing": { color: "#9c3a30" },
};

/** The editor's look, as one CodeMirror theme extension. */
export const scriptTheme = EditorView.theme(
  { ...editorRules, ...spokenRules, ...tokenRules, ...lintRules, ...takeRules },
  { dark: false });
