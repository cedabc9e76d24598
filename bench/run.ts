/* npm run bench -- <name> [<name> ...]: runs the named benchmarks (all when none is named). Each one
   prints its figures and its baseline measured in the same run; bench/RESULTS.md records them. */
const BENCHES = ['ingest', 'estimate', 'csv', 'send', 'webhooks', 'broadcast', 'triggers', 'tier'] as const;

async function main() {
  const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = asked.length ? asked : [...BENCHES];
  for (const name of names) {
    if (!(BENCHES as readonly string[]).includes(name)) {
      process.stderr.write(`unknown benchmark ${name}; known: ${BENCHES.join(', ')}\n`);
      process.exitCode = 2;
      return;
    }
    process.stdout.write(`\n### ${name}\n`);
    const mod = (await import(`./${name}.ts`)) as { run: () => Promise<void> };
    await mod.run();
  }
}

void main();
