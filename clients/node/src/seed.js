import fs from 'node:fs';
import path from 'node:path';

/**
 * A copy of a seed: from an object, or from a JSON file (a relative path is
 * resolved against `baseDir`, default the working directory).
 */
export function loadSeed(seed, baseDir = process.cwd()) {
  if (seed instanceof URL || typeof seed === 'string') {
    const file = seed instanceof URL ? seed : path.resolve(baseDir, seed);
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
      throw new TypeError(`${file}: a seed is an object with \`accounts\``);
    }
    return doc;
  }
  if (seed && typeof seed === 'object' && !Array.isArray(seed)) return structuredClone(seed);
  throw new TypeError(`a seed is an object or a JSON file path, not ${seed === null ? 'null' : typeof seed}`);
}

/** `value` with every `{name}` of `substitutions` replaced in its strings (keys too). */
export function substitute(value, substitutions) {
  if (typeof value === 'string') {
    let out = value;
    for (const [name, replacement] of Object.entries(substitutions)) out = out.split(`{${name}}`).join(replacement);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, substitutions));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [substitute(k, substitutions), substitute(v, substitutions)]));
  }
  return value;
}

/** Whether `token` appears in any string of `value`. */
export function mentions(value, token) {
  if (typeof value === 'string') return value.includes(token);
  if (Array.isArray(value)) return value.some((v) => mentions(v, token));
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes(token) || mentions(v, token));
  return false;
}
