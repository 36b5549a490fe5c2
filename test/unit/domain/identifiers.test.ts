import {
  fodselsnummerFrom,
  formatKjennemerkeSvv,
  isOrdinaryKjennemerke,
  isSyntheticFodselsnummer,
  isValidFodselsnummer,
  isValidIsoDate,
  isValidIsoDateTime,
  isValidKjennemerke,
  isValidKuid,
  isValidOrganisasjonsnummer,
  isValidVin,
  normaliseKjennemerke,
  normaliseVin,
  organisasjonsnummerFrom,
} from '../../../src/domain/identifiers';

describe('kjennemerke', () => {
  it.each([
    ['ab 12345', 'AB12345'],
    ['AB-12345', 'AB12345'],
    ['  cu 11306 ', 'CU11306'],
    ['æøå 1', 'ÆØÅ1'],
  ])('normalises %p to %p', (raw, normalised) => {
    expect(normaliseKjennemerke(raw)).toBe(normalised);
    expect(isValidKjennemerke(normaliseKjennemerke(raw))).toBe(true);
  });

  it.each(['A', 'ABCDEFGH', 'AB_123', 'AB.12345', '', 'AB12345;DROP', 'ÄB12345'])('rejects %p', (raw) => {
    expect(isValidKjennemerke(normaliseKjennemerke(raw))).toBe(false);
  });

  it('tells ordinary plates from personal ones and formats them as SVV does', () => {
    expect(isOrdinaryKjennemerke('AB12345')).toBe(true);
    expect(isOrdinaryKjennemerke('AB1234')).toBe(true);
    expect(isOrdinaryKjennemerke('TESLA')).toBe(false);
    expect(formatKjennemerkeSvv('CU11306')).toBe('CU 11306');
    expect(formatKjennemerkeSvv('TESLA')).toBe('TESLA');
  });
});

describe('understellsnummer (VIN)', () => {
  it('accepts non-ISO VINs as SVV does (1–19 alphanumerics)', () => {
    expect(isValidVin(normaliseVin(' sisdinky35995054 '))).toBe(true);
    expect(isValidVin('TESTDIGDIR0000016')).toBe(true);
    expect(isValidVin('A')).toBe(true);
  });
  it('rejects what cannot be a VIN', () => {
    expect(isValidVin('')).toBe(false);
    expect(isValidVin('A'.repeat(20))).toBe(false);
    expect(isValidVin('YS3-TEST')).toBe(false);
  });
});

describe('kuid', () => {
  it('is digits, otherwise opaque', () => {
    expect(isValidKuid('3378119709')).toBe(true);
    expect(isValidKuid('33781x9709')).toBe(false);
    expect(isValidKuid('1'.repeat(21))).toBe(false);
  });
});

describe('organisasjonsnummer', () => {
  it('checks mod 11', () => {
    expect(isValidOrganisasjonsnummer('923456783')).toBe(true);
    expect(isValidOrganisasjonsnummer('923456784')).toBe(false);
    expect(isValidOrganisasjonsnummer('92345678')).toBe(false);
    expect(organisasjonsnummerFrom('92345678')).toBe('923456783');
  });
});

describe('fødselsnummer', () => {
  it('validates check digits of the synthetic SVV example', () => {
    expect(isValidFodselsnummer('63888700414')).toBe(true);
    expect(isSyntheticFodselsnummer('63888700414')).toBe(true);
    expect(isValidFodselsnummer('63888700415')).toBe(false);
  });
  it('builds numbers that validate', () => {
    const fnr = fodselsnummerFrom('150885100');
    if (fnr) expect(isValidFodselsnummer(fnr)).toBe(true);
  });
});

describe('ISO dates', () => {
  it.each(['2024-02-29', '2023-12-31'])('accepts %p', (d) => expect(isValidIsoDate(d)).toBe(true));
  it.each(['2023-02-29', '2023-13-01', '2023-1-01', '01.01.2023', '2023-01-01T00:00:00Z'])('rejects %p', (d) =>
    expect(isValidIsoDate(d)).toBe(false),
  );
  it.each(['2023-06-01T12:00:00+02:00', '2018-11-15T23:00:00.000+01:00', '2023-06-01T10:00:00Z'])(
    'accepts date-time %p',
    (d) => expect(isValidIsoDateTime(d)).toBe(true),
  );
  it.each(['2023-06-01', '2023-06-01T12:00:00', '2023-06-01T25:00:00Z', '2023-02-30T10:00:00Z', 'yesterday'])(
    'rejects date-time %p',
    (d) => expect(isValidIsoDateTime(d)).toBe(false),
  );
});
