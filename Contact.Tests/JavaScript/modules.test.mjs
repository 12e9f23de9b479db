// The desktop's module graph, read from the files: every import names something its module exports, no module
// imports itself through others, and no module defines a function under a name another module exports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';

const folder = new URL('../../Contact.Agent/wwwroot/assets/', import.meta.url);
const modules = new Map(readdirSync(folder).filter(f => f.endsWith('.js')).map(f => [f, readFileSync(new URL(f, folder), 'utf8')]));

function importsOf(source) {
  return [...source.matchAll(/^import\s*\{([^}]*)\}\s*from\s*'\.\/([^']+)';/gm)]
    .map(([, names, file]) => ({ file, names: names.split(',').map(n => n.trim().split(/\s+as\s+/)[0]).filter(Boolean) }));
}

function exportsOf(source) {
  return new Set([...source.matchAll(/^export\s+(?:async\s+)?(?:function|const|let|class)\s+([A-Za-z_$][\w$]*)/gm)].map(m => m[1]));
}

test('the desktop has its modules', () => {
  for (const name of ['desktop.js', 'supervisor.js', 'connection.js', 'queue-view.js', 'case-pane.js', 'information-referral.js', 'provider-referrals.js']) {
    assert.ok(modules.has(name), name);
  }
});

test('every import names an export of a module that exists', () => {
  for (const [file, source] of modules) {
    for (const { file: from, names } of importsOf(source)) {
      assert.ok(modules.has(from), `${file} imports ${from}, which does not exist`);
      const exported = exportsOf(modules.get(from));
      for (const name of names) assert.ok(exported.has(name), `${file} imports ${name}, which ${from} does not export`);
    }
  }
});

test('no module imports itself through others', () => {
  const edges = new Map([...modules].map(([file, source]) => [file, importsOf(source).map(i => i.file)]));
  const done = new Set();
  const walk = (file, path) => {
    if (path.includes(file)) assert.fail(`import cycle: ${[...path.slice(path.indexOf(file)), file].join(' → ')}`);
    if (done.has(file)) return;
    for (const next of edges.get(file) ?? []) walk(next, [...path, file]);
    done.add(file);
  };
  for (const file of modules.keys()) walk(file, []);
});

test('no function shares its name with another module\'s export', () => {
  // Entry points may each have their own private boot(); an exported name means one thing in the whole desktop.
  const exported = new Map();
  for (const [file, source] of modules) {
    for (const name of exportsOf(source)) {
      assert.ok(!exported.has(name), `${name} is exported by both ${exported.get(name)} and ${file}`);
      exported.set(name, file);
    }
  }
  for (const [file, source] of modules) {
    for (const [, name] of source.matchAll(/^(?:async\s+)?function\s+([A-Za-z_$][\w$]*)/gm)) {
      assert.ok(!exported.has(name), `${file} defines ${name}, which ${exported.get(name)} exports`);
    }
  }
});
