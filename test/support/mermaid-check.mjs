// Parses Mermaid diagrams with Mermaid's own parser (an ES module, hence a process of its own for jest).
// Input on stdin: a JSON array of diagram texts. Output: a JSON array of { ok, type } or { ok: false, error }.
import mermaid from 'mermaid';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const diagrams = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const results = [];
for (const text of diagrams) {
  try {
    const r = await mermaid.parse(text);
    results.push({ ok: true, type: r.diagramType });
  } catch (e) {
    results.push({ ok: false, error: String(e.message ?? e) });
  }
}
process.stdout.write(JSON.stringify(results));
