import { spawnSync } from 'node:child_process';
import { parseArgs, resultsFile } from '../../../bench/run';
import { ROOT } from '../../helpers/npm-script';

describe('npm run bench arguments and where results go', () => {
  it('--help is a request for the usage, not an error', () => {
    expect(parseArgs(['--help']).help).toBe(true);
    expect(parseArgs(['-h']).help).toBe(true);
  });

  it('refuses an unknown argument or scenario with a message (no stack trace)', () => {
    expect(() => parseArgs(['--bogus'])).toThrow('unknown argument: --bogus');
    expect(() => parseArgs(['--only=nope'])).toThrow(/unknown scenario\(s\): nope; known: batching/);
  });

  it('only a full run refreshes the committed bench/results.json; --quick writes an untracked file', () => {
    expect(resultsFile(parseArgs([]))).toBe('bench/results.json');
    expect(resultsFile(parseArgs(['--quick']))).toBe('bench/results.quick.json');
    expect(resultsFile(parseArgs(['--only=ivi']))).toBeUndefined();
    const ignored = spawnSync('git', ['check-ignore', '-q', 'bench/results.quick.json'], { cwd: ROOT });
    expect(ignored.status).toBe(0);
    const tracked = spawnSync('git', ['check-ignore', '-q', 'bench/results.json'], { cwd: ROOT });
    expect(tracked.status).toBe(1);
  });
});
