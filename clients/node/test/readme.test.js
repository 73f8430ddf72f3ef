// The README's complete example is a test of this package, verbatim.
import fs from 'node:fs';
import { expect, test } from 'vitest';

test("the README's example is the Connect App test", () => {
  const root = new URL('..', import.meta.url);
  const readme = fs.readFileSync(new URL('README.md', root), 'utf8');
  const m = /<!-- example: (\S+) -->\n```js\n([\s\S]*?)```\n/.exec(readme);
  expect(m, "the README's example block is missing").toBeTruthy();
  expect(m[1]).toBe('test/connect-app.test.js');
  expect(m[2]).toBe(fs.readFileSync(new URL(m[1], root), 'utf8'));
});
