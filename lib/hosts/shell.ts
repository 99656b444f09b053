/** Quoting for the bash scripts the host layer runs on machines (pure). */

/** POSIX shell single-quoting: the word reaches the command exactly as given. */
export function sq(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `export NAME='value'` lines; names are checked because they are not quoted. */
export function exportLines(env: Readonly<Record<string, string>>): string {
  return Object.entries(env).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`not an environment variable name: ${JSON.stringify(k)}`);
    return `export ${k}=${sq(v)}\n`;
  }).join('');
}
