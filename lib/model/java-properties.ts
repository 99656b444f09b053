/**
 * Java properties files as java.util.Properties reads and writes them: how ZooKeeper reads zoo.cfg and
 * its dynamic files (pure).
 */

export class ConfigParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigParseError';
  }
}

/** java.util.Properties escaping of a key: separators, whitespace, comment marks, backslashes. */
export function escapePropertyKey(key: string): string {
  return escapeProperty(key, true);
}

/**
 * java.util.Properties escaping of a value: backslashes, line terminators and other control
 * characters, leading whitespace, and (as Properties.load reads ISO-8859-1) every non-ASCII
 * character as \uXXXX. `=`, `:` and `#` inside a value need no escape and get none, so that plain
 * values stay as ZooKeeper itself writes them.
 */
export function escapePropertyValue(value: string): string {
  return escapeProperty(value, false);
}

const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\f': '\\f' };

function escapeProperty(text: string, key: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const code = text.charCodeAt(i);
    if (NAMED_ESCAPES[c] !== undefined) out += NAMED_ESCAPES[c];
    else if (c === ' ' && (key || i === 0)) out += '\\ ';
    else if (key && (c === '=' || c === ':' || c === '#' || c === '!')) out += `\\${c}`;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

/**
 * A properties file as java.util.Properties.load reads it (how ZooKeeper reads zoo.cfg and its dynamic
 * files): `#` and `!` comment lines, a line continued by an odd number of trailing backslashes, the
 * key ending at the first unescaped `=`, `:` or whitespace, escapes (`\t`, `\n`, `\r`, `\f`, `\uXXXX`,
 * any other escaped character as itself). A key given twice keeps its last value, as in ZooKeeper.
 */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const physical = text.split(/\r\n|\r|\n/);
  const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\f';
  for (let i = 0; i < physical.length; i++) {
    let line = physical[i].replace(/^[ \t\f]+/, '');
    if (line === '' || line[0] === '#' || line[0] === '!') continue;
    // Logical line: an odd number of trailing backslashes continues it on the next line, whose leading whitespace is dropped.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < physical.length) {
      line = line.slice(0, -1) + physical[++i].replace(/^[ \t\f]+/, '');
    }
    if (/(^|[^\\])(\\\\)*\\$/.test(line)) line = line.slice(0, -1); // a continuation at the end of the file
    let k = 0;
    let escaped = false;
    for (; k < line.length; k++) {
      const c = line[k];
      if (escaped) { escaped = false; continue; }
      if (c === '\\') { escaped = true; continue; }
      if (c === '=' || c === ':' || isSpace(c)) break;
    }
    const key = line.slice(0, k);
    let v = k;
    while (v < line.length && isSpace(line[v])) v++;
    if (v < line.length && (line[v] === '=' || line[v] === ':')) v++;
    while (v < line.length && isSpace(line[v])) v++;
    out.set(unescapeProperty(key), unescapeProperty(line.slice(v)));
  }
  return out;
}

function unescapeProperty(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '\\' || i + 1 >= text.length) { out += c; continue; }
    const e = text[++i];
    if (e === 'u') {
      const hex = text.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new ConfigParseError(`malformed \\uxxxx escape in ${JSON.stringify(text)}`);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else out += ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[e] ?? e;
  }
  return out;
}
