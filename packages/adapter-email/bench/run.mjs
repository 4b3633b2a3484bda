// `pnpm bench`: the email benchmarks, each against a baseline measured in the same run. Needs `pnpm build`
// first (it imports dist/) and the real mail servers (tooling/ci/install-mail-servers.sh, run as root).
const all = { 'round-trip': () => import('./round-trip.mjs') };
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(all);
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
