import { Dataset, vehicleAt } from '../emulator';
import { parseJsonChunks } from '../src/datasources/json-body';
import { median } from './load';

/**
 * `npx tsx bench/json-body.ts`: reading one 50-vehicle Fiks bulk answer (about 500 KB, in the 64 KB chunks a socket
 * delivers), the obvious way (concatenate, decode to one string, JSON.parse) against src/datasources/json-body.ts
 * (element by element, no string in V8's large-object space). CPU time per answer, the two taking turns in one
 * process; medians of 15 rounds of 100. Numbers for docs/performance.md; not part of `npm run bench`.
 */
const dataset = new Dataset({ seed: 20261123, vehicles: 3000 });
const records = dataset.sample(100).vehicles.map((v) => dataset.findByPlate(v.kjennemerke.replace(/\s/g, ''))!);
const answer = Buffer.from(
  JSON.stringify({
    gjenstaendeKvote: 1000,
    responser: records
      .slice(0, 50)
      .map((r) => ({ request: { kjennemerke: 'X' }, kjoretoydata: vehicleAt(dataset, r) })),
  }),
);
const chunks: Buffer[] = [];
for (let at = 0; at < answer.length; at += 65536) chunks.push(Buffer.from(answer.subarray(at, at + 65536)));

const ways = {
  'concat + toString + JSON.parse': () => JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
  parseJsonChunks: () => parseJsonChunks(chunks),
};
const cpuUsPerCall = (fn: () => unknown, calls: number) => {
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
};
for (const fn of Object.values(ways)) cpuUsPerCall(fn, 200); // warm-up
const results = new Map<string, number[]>(Object.keys(ways).map((name) => [name, []]));
for (let round = 0; round < 15; round++) {
  for (const [name, fn] of Object.entries(ways)) results.get(name)!.push(cpuUsPerCall(fn, 100));
}
process.stdout.write(`${answer.length} bytes in ${chunks.length} chunks, node ${process.version}\n`);
for (const [name, values] of results) process.stdout.write(`${name.padEnd(32)} ${median(values).toFixed(0)} µs\n`);
