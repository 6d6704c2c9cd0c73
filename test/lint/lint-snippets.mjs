// Lints in-memory snippets with the repository's eslint.config.mjs (one ESLint instance) and prints the
// results as JSON. A child process of floors.spec.ts: Jest cannot load an ES module config without
// --experimental-vm-modules.
// stdin: [{ filePath, code }]  stdout: { floors: string[], results: { ruleIds: (string|null)[], fatal: string[] }[] }
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');
const snippets = JSON.parse(readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: repoRoot });
const config = (await import(pathToFileURL(join(repoRoot, 'eslint.config.mjs')).href)).default;
const floorsPlugin = config.find((block) => block.plugins?.floors)?.plugins.floors;
const results = [];
for (const { filePath, code } of snippets) {
  const [result] = await eslint.lintText(code, { filePath, warnIgnored: true });
  results.push({
    ruleIds: result.messages.map((m) => m.ruleId),
    fatal: result.messages.filter((m) => m.fatal || m.ruleId === null).map((m) => m.message),
  });
}
process.stdout.write(
  JSON.stringify({ floors: Object.keys(floorsPlugin?.rules ?? {}).map((id) => `floors/${id}`), results }),
);
