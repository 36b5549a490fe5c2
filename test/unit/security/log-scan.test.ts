import { isValidFodselsnummer } from '../../../src/domain/identifiers';
import { datasetOwnerNames, scanLogText } from '../../helpers/log-scan';

const FNR = '01818000282'; // synthetic, valid check digits

describe('the log scan used by the global teardown', () => {
  it('finds a valid fødselsnummer, but not other 11-digit numbers or longer digit runs', () => {
    expect(isValidFodselsnummer(FNR)).toBe(true);
    expect(scanLogText(`{"msg":"x","id":"${FNR}"}`).map((f) => f.kind)).toEqual(['fodselsnummer']);
    expect(scanLogText(`{"id":"fnr${FNR}"}`).map((f) => f.kind)).toEqual(['fodselsnummer']);
    expect(scanLogText('{"id":"01818000283"}')).toEqual([]); // bad check digit
    expect(scanLogText('{"time":1732360000000,"kuid":"1000000001"}')).toEqual([]);
  });

  it('does not take the digits of a random UUID or trace id for a fødselsnummer, but still finds one beside them', () => {
    // A correlation UUID whose last group holds the eleven digits by chance (this failed a CI run).
    const uuid = `5cb6ee52-3432-4516-8062-e${FNR}`;
    expect(scanLogText(`{"correlationId":"${uuid}"}`)).toEqual([]);
    expect(scanLogText(`{"traceId":"abc${FNR}def0123456789"}`)).toEqual([]);
    expect(scanLogText(`{"correlationId":"${uuid}","fnr":"${FNR}"}`).map((f) => f.kind)).toEqual(['fodselsnummer']);
  });

  it('finds bearer tokens, JWTs, private keys and configured secrets', () => {
    const text = [
      '{"h":"Bearer abc"}',
      '{"t":"eyJhbGciOiJSUzI1NiJ9"}',
      '{"k":"-----BEGIN PRIVATE KEY-----"}',
      '{"p":"pw-s3cr3t-value"}',
    ].join('\n');
    expect(
      scanLogText(text, { secrets: ['pw-s3cr3t-value', undefined, 'short'] }).map((f) => [f.line, f.kind]),
    ).toEqual([
      [1, 'bearer'],
      [2, 'jwt'],
      [3, 'private-key'],
      [4, 'secret'],
    ]);
  });

  it('finds owner names as whole words in any case, and reports them masked', () => {
    const findings = scanLogText(
      '{"msg":"lookup","q":"navn=Ola Nordmann&postnummer=0150"}\n{"msg":"Olav Nordmannsen"}',
      {
        names: ['OLA NORDMANN'],
      },
    );
    expect(findings).toEqual([{ line: 1, kind: 'owner-name', hint: 'ola…(12 chars)', msg: 'lookup' }]);
  });

  it('knows the names of the emulator dataset the test stacks serve', () => {
    const names = datasetOwnerNames();
    expect(names.size).toBeGreaterThan(500);
    expect(names.has('TESTE PERSONSEN')).toBe(true);
    for (const name of names) expect(name).toMatch(/^\p{Lu}+( \p{Lu}+){1,2}$/u);
  });
});
