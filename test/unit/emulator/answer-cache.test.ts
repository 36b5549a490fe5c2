import { serialiseJson, VehicleAnswers } from '../../../emulator/answer-cache';
import { Dataset } from '../../../emulator/dataset';
import { vehicleAt } from '../../../emulator/dto';

describe('emulator answer cache', () => {
  const dataset = new Dataset({ seed: 7, vehicles: 50 });

  it('serialises exactly as JSON.stringify does', () => {
    const values: unknown[] = [
      { a: 1, b: undefined, c: [1, undefined, () => 1, 'x'], d: { e: null, f: 'æøå "q" \n' } },
      [{ deep: { deeper: { deepest: { x: [{ y: [1, { z: 2 }] }] } } } }],
      { when: new Date(0), n: 1.5e-7, t: true },
      'plain',
      42,
      null,
    ];
    for (const value of values) expect(serialiseJson(value).toString('utf8')).toBe(JSON.stringify(value));
  });

  it("builds a vehicle's current answer once and splices its bytes into replies", () => {
    const answers = new VehicleAnswers(dataset);
    const record = dataset.get(3)!;
    const first = answers.at(record)!;
    expect(answers.at(record)).toBe(first);
    expect(first).toEqual(vehicleAt(dataset, record));
    expect(Object.isFrozen(first)).toBe(true);
    const reply = { gjenstaendeKvote: 9, responser: [{ request: { kjennemerke: 'X' }, kjoretoydata: first }] };
    expect(JSON.parse(serialiseJson(reply).toString('utf8'))).toEqual(JSON.parse(JSON.stringify(reply)));
  });

  it('builds answers at a past time afresh, and forgets the oldest current answers beyond its bound', () => {
    const answers = new VehicleAnswers(dataset, 2);
    const record = dataset.get(1)!;
    const at = record.existsFrom + 1000;
    expect(answers.at(record, at)).toEqual(vehicleAt(dataset, record, at));
    expect(answers.at(record, at)).not.toBe(answers.at(record, at));
    const first = answers.at(dataset.get(1)!);
    answers.at(dataset.get(2)!);
    answers.at(dataset.get(4)!);
    expect(answers.at(dataset.get(1)!)).not.toBe(first);
  });
});
