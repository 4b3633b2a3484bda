// `pnpm bench`: every WeCom benchmark in one run, each against a baseline measured in the same run.
// Needs `pnpm build` first (it imports dist/) and `node --expose-gc` for the memory figures.
const all = {
  'round-trip': () => import('./round-trip.mjs'),
  burst: () => import('./burst.mjs'),
  aes: () => import('./aes.mjs'),
  upload: () => import('./upload.mjs'),
  'reconnect-memory': () => import('./reconnect-memory.mjs'),
};
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(all);
if (!globalThis.gc) console.warn('(run with node --expose-gc for stable memory figures)');
for (const key of wanted) {
  const load = all[key];
  if (!load) {
    console.error(`unknown benchmark ${key}; choose from ${Object.keys(all).join(', ')}`);
    process.exitCode = 1;
    continue;
  }
  const { run } = await load();
  const result = await run();
  console.log(`\n== ${result.name}`);
  for (const line of result.lines) console.log(`   ${line}`);
}
