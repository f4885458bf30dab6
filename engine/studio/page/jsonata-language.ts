// A small JSONata tokenizer for CodeMirror's StreamLanguage: enough for highlighting and
// bracket matching. Syntax errors come from the server's compiler, not from here.
import { StreamLanguage, type StringStream } from '@codemirror/language';
import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';

interface JsonataState {
  /** Inside a `/* … *\/` comment that spans lines. */
  inComment: boolean;
}

const keywords = new Set(['and', 'or', 'in', 'function']);
const atoms = new Set(['true', 'false']);

function token(stream: StringStream, state: JsonataState): string | null {
  if (state.inComment) {
    if (stream.skipTo('*/')) {
      stream.match('*/');
      state.inComment = false;
    } else stream.skipToEnd();
    return 'comment';
  }
  if (stream.eatSpace()) return null;
  if (stream.match('/*')) {
    state.inComment = true;
    return token(stream, state) ?? 'comment';
  }
  const ch = stream.peek() ?? '';
  if (ch === '"' || ch === "'") {
    stream.next();
    let escaped = false;
    for (let next = stream.next(); next !== undefined; next = stream.next()) {
      if (next === ch && !escaped) break;
      escaped = !escaped && next === '\\';
    }
    return 'string';
  }
  if (ch === '`') {
    // A quoted field name: `first name`.
    stream.next();
    stream.skipTo('`') ? stream.next() : stream.skipToEnd();
    return 'propertyName';
  }
  if (stream.match(/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/)) return 'number';
  if (ch === '$') {
    stream.next();
    if (stream.eat('$')) return 'variableName.special';
    if (!stream.match(/^[\p{L}_][\p{L}\p{N}_]*/u)) return 'variableName.special';
    // `$name(` is a function call; anything else is a variable or a binding.
    return stream.match(/^\s*\(/, false) ? 'variableName.function' : 'variableName';
  }
  const word = stream.match(/^[\p{L}_][\p{L}\p{N}_]*/u);
  if (word) {
    const text = stream.current();
    if (keywords.has(text)) return 'keyword';
    if (atoms.has(text)) return 'bool';
    if (text === 'null') return 'null';
    return 'propertyName';
  }
  if (stream.match(/^(?::=|!=|<=|>=|~>|\?:|\?\?|\.\.|[-+*/%&=<>!?:|^#@~])/)) return 'operator';
  if (stream.match(/^[()[\]{}]/)) return 'bracket';
  stream.next();
  return 'punctuation';
}

export const jsonataLanguage = StreamLanguage.define<JsonataState>({
  name: 'jsonata',
  startState: () => ({ inComment: false }),
  copyState: (state) => ({ ...state }),
  token,
  languageData: {
    commentTokens: { block: { open: '/*', close: '*/' } },
    closeBrackets: { brackets: ['(', '[', '{', '"', "'", '`'] },
  },
});

// JSONata's built-in functions and the engine's helpers (engine/expressions/functions.ts).
const builtins = [
  'sum', 'count', 'max', 'min', 'average', 'string', 'substring', 'substringBefore', 'substringAfter',
  'lowercase', 'uppercase', 'length', 'trim', 'pad', 'contains', 'split', 'join', 'match', 'replace',
  'now', 'millis', 'fromMillis', 'toMillis', 'formatNumber', 'formatBase', 'formatInteger', 'parseInteger',
  'number', 'abs', 'floor', 'ceil', 'round', 'power', 'sqrt', 'random', 'boolean', 'not', 'exists',
  'append', 'sort', 'reverse', 'shuffle', 'distinct', 'zip', 'keys', 'lookup', 'spread', 'merge', 'sift',
  'each', 'error', 'assert', 'type', 'map', 'filter', 'single', 'reduce', 'base64encode', 'base64decode',
  'encodeUrlComponent', 'encodeUrl', 'decodeUrlComponent', 'decodeUrl', 'eval',
];
const helpers = ['toIsoDate', 'formatDate', 'mapValues', 'removeEmpty', 'firstNonEmpty', 'splitName', 'joinName', 'toArray'];

/** Completes `$functions` and the slot's bindings (as `$name` and as plain field names). */
export function jsonataCompletions(bindings: readonly string[]) {
  const options: Completion[] = [
    ...bindings.map((name): Completion => ({ label: name, type: 'variable', detail: 'binding', boost: 2 })),
    ...bindings.map((name): Completion => ({ label: '$' + name, type: 'variable', detail: 'binding', boost: 2 })),
    ...helpers.map((name): Completion => ({ label: '$' + name, type: 'function', detail: 'unimap', apply: `$${name}(`, boost: 1 })),
    ...builtins.map((name): Completion => ({ label: '$' + name, type: 'function', detail: 'jsonata', apply: `$${name}(` })),
  ];
  return (context: CompletionContext): CompletionResult | null => {
    const word = context.matchBefore(/\$?[\p{L}_][\p{L}\p{N}_]*|\$/u);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    // After a dot the word is a field of some record, not a binding.
    if (context.state.sliceDoc(word.from - 1, word.from) === '.') return null;
    return { from: word.from, options, validFor: /^\$?[\p{L}\p{N}_]*$/u };
  };
}
