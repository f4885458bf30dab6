// CodeMirror editors of the studio: the read-only YAML config, a JSONata editor per slot and
// the JSON input editors.
import { basicSetup } from 'codemirror';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { indentWithTab } from '@codemirror/commands';
import { json } from '@codemirror/lang-json';
import { yaml } from '@codemirror/lang-yaml';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { jsonataCompletions, jsonataLanguage } from './jsonata-language.js';

const theme = EditorView.theme({
  '&': { fontSize: '12px', backgroundColor: 'var(--editor-bg)' },
  '.cm-content': { fontFamily: 'var(--mono)' },
  '.cm-gutters': { backgroundColor: 'var(--editor-gutter)', borderRight: '1px solid var(--line)' },
  '&.cm-focused': { outline: '1px solid var(--accent)' },
  '.cm-scroller': { lineHeight: '1.45' },
});

function onChange(listener: () => void): Extension {
  return EditorView.updateListener.of((update) => {
    if (update.docChanged) listener();
  });
}

export function configEditor(parent: HTMLElement, text: string): EditorView {
  return new EditorView({
    parent,
    doc: text,
    extensions: [basicSetup, yaml(), theme, EditorView.lineWrapping, EditorState.readOnly.of(true), EditorView.editable.of(false)],
  });
}

export function slotEditor(parent: HTMLElement, text: string, bindings: readonly string[], changed: () => void): EditorView {
  return new EditorView({
    parent,
    doc: text,
    extensions: [
      basicSetup,
      keymap.of([indentWithTab]),
      jsonataLanguage,
      jsonataLanguage.data.of({ autocomplete: jsonataCompletions(bindings) }),
      lintGutter(),
      theme,
      EditorView.lineWrapping,
      onChange(changed),
    ],
  });
}

export function jsonEditor(parent: HTMLElement, text: string, changed: () => void): EditorView {
  return new EditorView({
    parent,
    doc: text,
    extensions: [basicSetup, keymap.of([indentWithTab]), json(), lintGutter(), theme, EditorView.lineWrapping, onChange(changed)],
  });
}

export function replaceText(view: EditorView, text: string): void {
  if (view.state.doc.toString() === text) return;
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

/**
 * Shows at most one error in an editor: `line` and `column` are 1-based within the editor's
 * text (as the server reports them); out-of-range positions are clamped to the text.
 */
export function showError(view: EditorView, error: { line: number; column: number; message: string } | undefined): void {
  const diagnostics: Diagnostic[] = [];
  if (error) {
    const doc = view.state.doc;
    const line = doc.line(Math.min(Math.max(1, error.line || 1), doc.lines));
    const from = Math.min(line.from + Math.max(0, (error.column || 1) - 1), line.to);
    // Mark to the end of the token (or at least one character) so the underline is visible.
    const rest = doc.sliceString(from, line.to);
    const length = Math.max(1, /^[^\s,;)\]}]*/.exec(rest)?.[0].length ?? 0);
    const to = Math.min(from + length, doc.length);
    diagnostics.push({ from: Math.min(from, to), to, severity: 'error', message: error.message });
  }
  view.dispatch(setDiagnostics(view.state, diagnostics));
}
