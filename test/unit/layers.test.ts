/** The layering rules of the design: cdktf only in the constructs layer, and data flowing one way. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const LIB = join(__dirname, '..', '..', 'lib');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const imports = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);

test('only lib/constructs imports cdktf, constructs or the null provider', () => {
  const offenders = files(LIB)
    .filter((f) => !relative(LIB, f).startsWith('constructs/') && relative(LIB, f) !== 'index.ts')
    .filter((f) => imports(f).some((i) => i === 'cdktf' || i === 'constructs' || i.startsWith('cdktf/') || i.startsWith('@cdktf/')))
    .map((f) => relative(LIB, f));
  expect(offenders).toEqual([]);
});

test('the model and the planner do no I/O (hashing aside) and import nothing from the layers after them', () => {
  const offenders = files(join(LIB, 'model')).concat(files(join(LIB, 'planner')))
    .filter((f) => imports(f).some((i) => (i.startsWith('node:') && i !== 'node:crypto') || /zookeeper|\/runtime|\/hosts|\/cli|\/constructs/.test(i)))
    .map((f) => relative(LIB, f));
  expect(offenders).toEqual([]);
});

test('lib/index.ts only re-exports', () => {
  const lines = readFileSync(join(LIB, 'index.ts'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  expect(lines.every((l) => /^export \* from '\.\/[a-z-]+';$/.test(l))).toBe(true);
});
