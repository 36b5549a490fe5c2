import { isValidKjennemerke } from '../../../src/domain/identifiers';
import type { DatasetSample } from '../../../emulator';
import { osloDateTime } from '../../../emulator/time';
import { moveWallClockForward } from '../../helpers/clock';
import { ORG_ID, startTestEmulator, type TestEmulator } from './helpers';

/**
 * Fiks Kjøretøyregister routes over HTTP: auth, both bulk wrappers, limits, quota, VIN lookup and search. The answers
 * have the shapes of real ones (docs/upstreams.md §3): no kuid and no fødselsnummer in bulk answers, 1-based search.
 */

let t: TestEmulator;
let sample: DatasetSample;
beforeAll(async () => {
  t = await startTestEmulator({ vehicles: 1500, bulkMaxIds: 25 });
  sample = await t.admin('sample?count=10');
});
afterAll(() => t.close());
afterEach(() => t.admin('config', { body: { wrapper: 'A', dailyQuota: null, bulkMaxIds: 25 } }));

const fiksError = {
  timestamp: expect.any(Number),
  status: expect.any(Number),
  error: expect.any(String),
  errorId: expect.stringMatching(/^[0-9a-f-]{36}$/),
  path: expect.stringContaining('/kjoretoyregister/api/'),
  message: expect.any(String),
};

describe('access control', () => {
  const body = [{ kjennemerke: 'CU10942' }];

  it('401 without integration headers, or with a wrong password', async () => {
    for (const headers of [
      { IntegrasjonId: undefined, IntegrasjonPassord: undefined },
      { IntegrasjonPassord: 'wrong' },
      { IntegrasjonId: '00000000-0000-4000-8000-000000000000' },
    ]) {
      const res = await t.fiks('bulk/kjennemerke', { body, headers });
      expect(res.status).toBe(401);
      const json = (await res.json()) as any;
      expect(json).toEqual({ ...fiksError, status: 401, error: 'Unauthorized' });
      expect(json.message).toMatch(/^Autentisering feilet for integrasjon med id/);
      expect(JSON.stringify(json)).not.toContain(t.integration.password);
    }
  });

  it('401 without a token, with an unknown token, or with a token lacking ks:fiks', async () => {
    const ecocOnly = await t.token('svv:kjoretoy/ecoc');
    for (const authorization of [undefined, 'Bearer not-issued-here', `Bearer ${ecocOnly}`]) {
      const res = await t.fiks('bulk/kjennemerke', { body, headers: { Authorization: authorization } });
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).message).toBe('Klarte ikke å validere access_token');
    }
  });

  it('401 with an expired token', async () => {
    const short = await startTestEmulator({ vehicles: 20, tokenTtlSeconds: 1 });
    try {
      await short.token();
      // The emulator runs in this process: moving the wall clock past the token's expiry stands in for waiting.
      moveWallClockForward(2000);
      const res = await short.fiks('bulk/kuid', { body: [{ kuid: '1' }] });
      expect(res.status).toBe(401);
    } finally {
      jest.useRealTimers();
      await short.close();
    }
  });

  it('400 when fiksOrgId is not a UUID', async () => {
    const res = await t.fiks(`${t.emulator.fiksBaseUrl}/kommune-x/rest/distribusjon/kjoretoy/v2.0/bulk/kjennemerke`, {
      body,
    });
    expect(res.status).toBe(400);
    expect((await res.json()) as any).toEqual({ ...fiksError, status: 400, error: 'Bad Request' });
  });

  it('403 for an organisation that has not granted the integration access, 200 for the one that has', async () => {
    const other = '0b6c1d52-0000-4000-8000-0000000000aa';
    const denied = await t.fiks(`${t.emulator.fiksBaseUrl}/${other}/rest/distribusjon/kjoretoy/v2.0/bulk/kjennemerke`, {
      body,
    });
    expect(denied.status).toBe(403);
    expect((await denied.json()) as any).toEqual({ ...fiksError, status: 403, error: 'Forbidden' });
    const granted = await t.fiks(
      `${t.emulator.fiksBaseUrl}/${ORG_ID.toUpperCase()}/rest/distribusjon/kjoretoy/v2.0/bulk/kjennemerke`,
      {
        body,
      },
    );
    expect(granted.status).toBe(200);
  });

  it('404 for unknown paths and 405 for the wrong method', async () => {
    expect((await t.fiks('bulk/ukjent', { body })).status).toBe(404);
    expect((await t.fiks('bulk/kjennemerke')).status).toBe(405);
  });
});

describe('POST bulk/kjennemerke and bulk/kuid, wrapper A', () => {
  it('answers one item per id, in order, echoing the request', async () => {
    const [a, b] = sample.vehicles;
    const res = await t.fiks('bulk/kjennemerke', {
      body: [
        { kjennemerke: a.kjennemerke },
        { kjennemerke: 'ZZ99999', dtg: '2023-06-01T12:00:00.000+02:00' },
        { kjennemerke: `${b.kjennemerke.slice(0, 2)} ${b.kjennemerke.slice(2)}`.toLowerCase() },
        { kjennemerke: a.kjennemerke, dtg: 'yesterday' },
        { kjennemerke: '!' },
      ],
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as any;
    expect(json.gjenstaendeKvote).toEqual(expect.any(Number));
    expect(json.responser).toHaveLength(5);
    const [found, unknown, spaced, badDtg, badPlate] = json.responser;
    expect(found.request).toEqual({ kjennemerke: a.kjennemerke });
    expect(found.feilmelding).toBeUndefined();
    // As real bulk answers: no kuid, the plate with a space.
    expect(found.kjoretoydata.kjoretoyId).toEqual({
      kjennemerke: `${a.kjennemerke.slice(0, 2)} ${a.kjennemerke.slice(2)}`,
      understellsnummer: a.understellsnummer,
    });
    expect(unknown).toEqual({
      request: { kjennemerke: 'ZZ99999', dtg: '2023-06-01T12:00:00.000+02:00' },
      feilmelding: 'KJENNEMERKE_UKJENT',
    });
    expect(spaced.kjoretoydata.kjoretoyId.understellsnummer).toBe(b.understellsnummer);
    expect(badDtg.feilmelding).toBe('DTG_UGYLDIG');
    expect(badPlate.feilmelding).toBe('KJENNEMERKE_UGYLDIG');
  });

  it('returns the v2 vehicle tree with Kodeverk values', async () => {
    const res = await t.fiks('bulk/kuid', { body: [{ kuid: sample.vehicles[0].kuid }] });
    const v = ((await res.json()) as any).responser[0].kjoretoydata;
    expect(v.forstegangsregistrering.registrertForstegangNorgeDato).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(v.registrering.registreringsstatus).toEqual(
      expect.objectContaining({ kodeVerdi: expect.any(String), tidligereKodeVerdi: [] }),
    );
    expect(v.kjennemerke[0]).toEqual(
      expect.objectContaining({
        kjennemerkekategori: 'KJORETOY',
        kjennemerketype: expect.objectContaining({ kodeVerdi: 'ORDINART' }),
      }),
    );
    expect(v.kjennemerke[0].fomTidspunkt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0[12]:00$/);
    const teknisk = v.godkjenning.tekniskGodkjenning;
    expect(teknisk.kjoretoyklassifisering.tekniskKode.kodeVerdi).toMatch(/^(M1|N1|N3|M3|L3e|O1|O2)$/);
    expect(teknisk.tekniskeData.generelt.merke[0].merke).toEqual(expect.any(String));
    expect(v.eierskap.eier.fomTidspunkt).toEqual(expect.any(String));
    expect(v.eierskap.eier.person ?? v.eierskap.eier.enhet).toBeDefined();
  });

  it('resolves kuids, unknown kuids and dtg before first registration', async () => {
    const v = sample.withOwnershipHistory[0];
    const beforeFirst = osloDateTime(Date.parse(v.owners[0].fom) - 86_400_000);
    const res = await t.fiks('bulk/kuid', {
      body: [{ kuid: v.kuid }, { kuid: '9999999999' }, { kuid: v.kuid, dtg: beforeFirst }, { kuid: 'abc' }],
    });
    const [found, unknown, tooEarly, invalid] = ((await res.json()) as any).responser;
    expect(found.request).toEqual({ kuid: v.kuid });
    expect(found.kjoretoydata.kjoretoyId).toEqual({
      kjennemerke: `${v.kjennemerke.slice(0, 2)} ${v.kjennemerke.slice(2)}`,
      understellsnummer: v.understellsnummer,
    });
    expect(unknown.feilmelding).toBe('KUID_UKJENT');
    expect(tooEarly).toEqual({ request: { kuid: v.kuid, dtg: beforeFirst }, feilmelding: 'KUID_UKJENT' });
    expect(invalid.feilmelding).toBe('KUID_UGYLDIG');
  });

  it('answers as the vehicle was at dtg: past owners carry tilTidspunkt', async () => {
    const v = sample.withOwnershipHistory[0];
    const first = v.owners[0];
    const during = osloDateTime(Date.parse(first.fom) + (Date.parse(first.til as string) - Date.parse(first.fom)) / 2);
    const res = await t.fiks('bulk/kuid', { body: [{ kuid: v.kuid, dtg: during }, { kuid: v.kuid }] });
    const [then, now] = ((await res.json()) as any).responser.map((r: any) => r.kjoretoydata);
    expect(then.eierskap.eier.fomTidspunkt).toBe(first.fom);
    expect(then.eierskap.eier.tilTidspunkt).toBe(first.til);
    const last = v.owners[v.owners.length - 1];
    expect(now.eierskap.eier.fomTidspunkt).toBe(last.fom);
    expect(now.eierskap.eier.tilTidspunkt).toBeUndefined();
    expect(then.periodiskKjoretoyKontroll).toEqual(now.periodiskKjoretoyKontroll);
  });

  it('finds personal plates, and a moved personal plate resolves to whoever carried it at dtg', async () => {
    const personal = sample.personalPlates[0];
    const res = await t.fiks('bulk/kjennemerke', { body: [{ kjennemerke: personal.kjennemerke }] });
    const item = ((await res.json()) as any).responser[0];
    const vinOf = (kuid: string) => t.emulator.dataset.findByKuid(kuid)!.vin;
    expect(item.kjoretoydata.kjoretoyId.understellsnummer).toBe(vinOf(personal.kuid));
    expect(item.kjoretoydata.kjennemerke).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kjennemerke: personal.kjennemerke, kjennemerkekategori: 'PERSONLIG' }),
      ]),
    );

    // Find a plate that moved between two vehicles in the dataset itself.
    const carriers = new Map<string, { kuid: string; fom: number; tom?: number }[]>();
    for (const r of t.emulator.dataset.all()) {
      if (r.withheld) continue;
      for (const p of r.plates)
        if (p.kategori === 'PERSONLIG')
          carriers.set(p.plate, [...(carriers.get(p.plate) ?? []), { kuid: r.kuid, fom: p.fom, tom: p.tom }]);
    }
    const moved = [...carriers.entries()].find(
      ([, list]) => list.length > 1 && list.some((c) => c.tom !== undefined) && list.some((c) => c.tom === undefined),
    );
    expect(moved).toBeDefined();
    const [plate, list] = moved!;
    const old = list.find((c) => c.tom !== undefined)!;
    const current = list.find((c) => c.tom === undefined)!;
    const answer = await t.fiks('bulk/kjennemerke', {
      body: [{ kjennemerke: plate, dtg: osloDateTime(old.tom! - 3_600_000) }, { kjennemerke: plate }],
    });
    const [then, now] = ((await answer.json()) as any).responser;
    expect(then.kjoretoydata.kjoretoyId.understellsnummer).toBe(vinOf(old.kuid));
    expect(now.kjoretoydata.kjoretoyId.understellsnummer).toBe(vinOf(current.kuid));
  });

  it('400 over the id limit, still in the bulk-response shape', async () => {
    const body = Array.from({ length: 26 }, (_, i) => ({ kjennemerke: `AB${10000 + i}` }));
    const res = await t.fiks('bulk/kjennemerke', { body });
    expect(res.status).toBe(400);
    const json = (await res.json()) as any;
    expect(json).toEqual({
      gjenstaendeKvote: expect.any(Number),
      responser: [],
      feilmelding: 'Antall elementer i request overstiger maks antall lovlig',
    });
    expect((await t.fiks('bulk/kjennemerke', { body: body.slice(0, 25) })).status).toBe(200);
  });

  it('415 for a body sent without Content-Type: application/json', async () => {
    const body = new TextEncoder().encode(JSON.stringify([{ kjennemerke: sample.vehicles[0].kjennemerke }]));
    for (const contentType of [undefined, 'text/plain']) {
      const res = await t.fiks('bulk/kjennemerke', { body, headers: { 'content-type': contentType } });
      expect(res.status).toBe(415);
      expect((await res.json()) as any).toEqual({ ...fiksError, status: 415, error: 'Unsupported Media Type' });
    }
    const charset = await t.fiks('bulk/kjennemerke', {
      body,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(charset.status).toBe(200);
  });

  it('400 for a body that is not a JSON array', async () => {
    const res = await t.fiks('bulk/kuid', { body: '{"kuid":"1"}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).responser).toEqual([]);
  });

  it('counts the quota down by vehicles returned and answers 422 with Retry-After when it would be exceeded', async () => {
    await t.admin('reset', { method: 'POST' });
    await t.admin('config', { body: { dailyQuota: 3 } });
    const ids = sample.vehicles.slice(0, 3).map((v) => ({ kuid: v.kuid }));
    const first = (await (await t.fiks('bulk/kuid', { body: [ids[0], { kuid: '9999999999' }] })).json()) as any;
    expect(first.gjenstaendeKvote).toBe(2);
    const over = await t.fiks('bulk/kuid', { body: ids });
    expect(over.status).toBe(422);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(over.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await over.text()).toMatch(/Kvoten/);
    const fits = (await (await t.fiks('bulk/kuid', { body: ids.slice(1) })).json()) as any;
    expect(fits.gjenstaendeKvote).toBe(0);
  });
});

describe('vehicles SVV withholds', () => {
  it('answer OPPLYSNINGER_UTILGJENGELIG by plate, kuid and VIN, and use no quota', async () => {
    const withheld = sample.withheld[0];
    expect(withheld).toBeDefined();
    await t.admin('reset', { method: 'POST' });
    await t.admin('config', { body: { dailyQuota: 10 } });
    const byPlate = (await (
      await t.fiks('bulk/kjennemerke', { body: [{ kjennemerke: withheld.kjennemerke }] })
    ).json()) as any;
    expect(byPlate.responser).toEqual([
      { request: { kjennemerke: withheld.kjennemerke }, feilmelding: 'OPPLYSNINGER_UTILGJENGELIG' },
    ]);
    expect(byPlate.gjenstaendeKvote).toBe(10);
    const byKuid = (await (await t.fiks('bulk/kuid', { body: [{ kuid: withheld.kuid }] })).json()) as any;
    expect(byKuid.responser[0].feilmelding).toBe('OPPLYSNINGER_UTILGJENGELIG');
    const byVin = (await (await t.fiks(`bulk/understellsnummer/${withheld.understellsnummer}`)).json()) as any;
    expect(byVin.responser[0].kjoretoydataListe).toEqual([{ feilmelding: 'OPPLYSNINGER_UTILGJENGELIG' }]);
  });
});

describe('wrapper B', () => {
  it('answers a bare array of {kjoretoy, responskoder} without echoed requests', async () => {
    await t.admin('config', { body: { wrapper: 'B' } });
    const res = await t.fiks('bulk/kjennemerke', {
      body: [{ kjennemerke: sample.vehicles[0].kjennemerke }, { kjennemerke: 'ZZ99999' }],
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as any;
    expect(Array.isArray(json)).toBe(true);
    expect(json[0]).toEqual({
      kjoretoy: expect.objectContaining({ kjoretoyId: expect.any(Object) }),
      responskoder: [],
    });
    expect(json[1]).toEqual({ responskoder: [{ kode: 'KJENNEMERKE_UKJENT', beskrivelse: expect.any(String) }] });
    expect(json[0].request).toBeUndefined();

    const tooMany = await t.fiks('bulk/kuid', { body: Array.from({ length: 26 }, () => ({ kuid: '1' })) });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as any).responskoder[0].kode).toBe('FORESPORSEL_UGYLDIG');
  });
});

describe('wrapper B on the other lookup routes', () => {
  it('bulk/kuid and understellsnummer answer bare arrays of KjoretoyResponse', async () => {
    await t.admin('config', { body: { wrapper: 'B' } });
    const v = sample.vehicles[2];
    const byKuid = (await (
      await t.fiks('bulk/kuid', { body: [{ kuid: '9999999999' }, { kuid: v.kuid }] })
    ).json()) as any;
    const sameVehicle = expect.objectContaining({
      kjoretoyId: { kjennemerke: expect.any(String), understellsnummer: v.understellsnummer },
    });
    expect(byKuid).toEqual([
      { responskoder: [{ kode: 'KUID_UKJENT', beskrivelse: expect.any(String) }] },
      { kjoretoy: sameVehicle, responskoder: [] },
    ]);
    const byVin = (await (await t.fiks(`bulk/understellsnummer/${v.understellsnummer}`)).json()) as any;
    expect(byVin).toEqual([{ kjoretoy: sameVehicle, responskoder: [] }]);
    const unknown = (await (await t.fiks('bulk/understellsnummer/TESTDIGDIR0000016')).json()) as any;
    expect(unknown).toEqual([
      { responskoder: [{ kode: 'UNDERSTELLSNUMMER_UKJENT', beskrivelse: expect.any(String) }] },
    ]);
  });
});

describe('GET bulk/understellsnummer/:vin', () => {
  it('answers kjoretoydataListe, and an empty list with feilmelding for unknown VINs', async () => {
    const v = sample.vehicles[1];
    const json = (await (
      await t.fiks(`bulk/understellsnummer/${encodeURIComponent(v.understellsnummer.toLowerCase())}`)
    ).json()) as any;
    expect(json.responser).toHaveLength(1);
    expect(json.responser[0].request).toEqual({ understellsnummer: v.understellsnummer.toLowerCase() });
    expect(json.responser[0].kjoretoydataListe).toHaveLength(1);
    expect(json.responser[0].kjoretoydataListe[0].kjoretoydata.kjoretoyId).toEqual({
      kjennemerke: `${v.kjennemerke.slice(0, 2)} ${v.kjennemerke.slice(2)}`,
      understellsnummer: v.understellsnummer,
    });
    expect(json.responser[0].feilmelding).toBeUndefined();

    const unknown = (await (await t.fiks('bulk/understellsnummer/TESTDIGDIR0000016')).json()) as any;
    expect(unknown.responser[0]).toEqual({
      request: { understellsnummer: 'TESTDIGDIR0000016' },
      kjoretoydataListe: [],
      feilmelding: 'UNDERSTELLSNUMMER_UKJENT',
    });
  });

  it('lists every vehicle that shares an irregular VIN', async () => {
    const shared = (await t.admin('sample?count=5')).sharedVins[0];
    expect(shared).toBeDefined();
    const json = (await (await t.fiks(`bulk/understellsnummer/${shared.understellsnummer}`)).json()) as any;
    const plates = shared.kuids.map((kuid: string) => {
      const plate = t.emulator.dataset.findByKuid(kuid)!.plates.find((p) => p.tom === undefined)?.plate;
      return plate && (/^[A-Z]{2}\d+$/.test(plate) ? `${plate.slice(0, 2)} ${plate.slice(2)}` : plate);
    });
    const listed = json.responser[0].kjoretoydataListe.map((k: any) => k.kjoretoydata.kjoretoyId);
    expect(listed).toHaveLength(shared.kuids.length);
    for (const id of listed) expect(id.understellsnummer).toBe(shared.understellsnummer);
    expect(listed.map((id: any) => id.kjennemerke).sort()).toEqual([...plates].sort());
  });

  it('ignores a dtg query parameter (no source documents one) and answers as the vehicle is now', async () => {
    const v = sample.withOwnershipHistory[0];
    const json = (await (
      await t.fiks(`bulk/understellsnummer/${v.understellsnummer}?dtg=${encodeURIComponent(v.owners[0].fom)}`)
    ).json()) as any;
    const last = v.owners[v.owners.length - 1];
    expect(json.responser[0].kjoretoydataListe[0].kjoretoydata.eierskap.eier.fomTidspunkt).toBe(last.fom);
  });
});

describe('GET sok/eiernavn', () => {
  it('pages with 1-based fra and antall in a stable order', async () => {
    const big = sample.ownerSearch.find((s) => s.hits > 30)!;
    const q = `navn=${encodeURIComponent(big.name.toLowerCase())}`;
    const page1 = (await (await t.fiks(`sok/eiernavn?${q}&fra=1&antall=10`)).json()) as any;
    const page2 = (await (await t.fiks(`sok/eiernavn?${q}&fra=11&antall=10`)).json()) as any;
    expect(page1).toEqual({
      antallTreffTotalt: big.hits,
      antallITreffliste: 10,
      responskoder: [],
      kjoretoyresponser: expect.any(Array),
    });
    const kuids1 = page1.kjoretoyresponser.map((r: any) => r.kjoretoy.kjoretoyId.kuid);
    const kuids2 = page2.kjoretoyresponser.map((r: any) => r.kjoretoy.kjoretoyId.kuid);
    expect(new Set([...kuids1, ...kuids2]).size).toBe(20);
    const all = (await (await t.fiks(`sok/eiernavn?${q}&antall=20`)).json()) as any;
    expect(all.kjoretoyresponser.map((r: any) => r.kjoretoy.kjoretoyId.kuid)).toEqual([...kuids1, ...kuids2]);
    for (const r of page1.kjoretoyresponser) {
      const eier = r.kjoretoy.eierskap.eier.person;
      expect(`${eier.fornavn} ${eier.etternavn}`).toBe(big.name);
      expect(r.responskoder).toEqual([]);
    }
    const tail = (await (await t.fiks(`sok/eiernavn?${q}&fra=${big.hits}&antall=50`)).json()) as any;
    expect(tail.antallITreffliste).toBe(1);
  });

  it("search answers (v2) carry kuid, erUverifisert and adressestatus; the owner's fødselsnummer only when the integration's roles allow it", async () => {
    const big = sample.ownerSearch[0];
    const search = async () =>
      (await (await t.fiks(`sok/eiernavn?navn=${encodeURIComponent(big.name)}&antall=5`)).json()) as any;
    // As the recorded search answer: person { etternavn, fodselsdato, fornavn }, no fødselsnummer.
    for (const r of (await search()).kjoretoyresponser) {
      const { kjoretoyId, eierskap } = r.kjoretoy;
      expect(kjoretoyId.kuid).toMatch(/^\d{10}$/);
      expect(t.emulator.dataset.findByKuid(kjoretoyId.kuid)!.vin).toBe(kjoretoyId.understellsnummer);
      expect(eierskap.eier.person).not.toHaveProperty('fodselsnummer');
      expect(eierskap.eier).toMatchObject({ erUverifisert: false, adressestatus: { kodeVerdi: 'VANLIG_BOSATT' } });
    }
    t.emulator.configure({ searchFodselsnummer: true });
    try {
      for (const r of (await search()).kjoretoyresponser) {
        expect(r.kjoretoy.eierskap.eier.person.fodselsnummer).toMatch(/^\d{11}$/);
      }
    } finally {
      t.emulator.configure({ searchFodselsnummer: false });
    }
  });

  it('defaults to 20 rows and caps antall at 100', async () => {
    const big = sample.ownerSearch[0];
    const def = (await (await t.fiks(`sok/eiernavn?navn=${encodeURIComponent(big.name)}`)).json()) as any;
    expect(def.antallITreffliste).toBe(Math.min(20, big.hits));
    const org = sample.organisations.find((o) => o.vehicles > 100)!;
    const capped = (await (
      await t.fiks(`sok/organisasjonsnummer?organisasjonsnummer=${org.organisasjonsnummer}&antall=500`)
    ).json()) as any;
    expect(capped.antallITreffliste).toBe(100);
    expect(capped.antallTreffTotalt).toBe(org.vehicles);
  });

  it('applies the erPerson filter', async () => {
    const name = sample.ownerSearch[0].name;
    expect((await t.fiks(`sok/eiernavn?navn=${encodeURIComponent(name)}&erPerson=false`)).status).toBe(204);
    expect((await t.fiks(`sok/eiernavn?navn=${encodeURIComponent(name)}&erPerson=true`)).status).toBe(200);
  });

  it('204 with an empty body when nothing matches', async () => {
    const res = await t.fiks('sok/eiernavn?navn=Ingen%20Slikperson');
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it('400 with responskoder when navn is missing or paging is invalid', async () => {
    const res = await t.fiks('sok/eiernavn?postnummer=0150');
    expect(res.status).toBe(400);
    expect((await res.json()) as any).toEqual({
      responskoder: [{ kode: 'PARAMETER_MANGLER', beskrivelse: expect.any(String) }],
    });
    expect((await t.fiks('sok/eiernavn?navn=Ola&fra=-1')).status).toBe(400);
    // Rows count from 1: a 0-based client is told so.
    expect((await t.fiks('sok/eiernavn?navn=Ola&fra=0')).status).toBe(400);
    expect((await t.fiks('sok/eiernavn?navn=Ola&erPerson=kanskje')).status).toBe(400);
  });
});

describe('GET sok/organisasjonsnummer', () => {
  it('pages through the vehicles an organisation owns or leases', async () => {
    const org = sample.organisations.find((o) => o.vehicles > 100)!;
    const seen = new Set<string>();
    for (let fra = 1; fra <= org.vehicles; fra += 100) {
      const page = (await (
        await t.fiks(`sok/organisasjonsnummer?organisasjonsnummer=${org.organisasjonsnummer}&fra=${fra}&antall=100`)
      ).json()) as any;
      for (const r of page.kjoretoyresponser) {
        seen.add(r.kjoretoy.kjoretoyId.kuid);
        const { eier, leasingtaker } = r.kjoretoy.eierskap;
        expect([eier.enhet?.organisasjonsnummer, leasingtaker?.enhet?.organisasjonsnummer]).toContain(
          org.organisasjonsnummer,
        );
      }
    }
    expect(seen.size).toBe(org.vehicles);
  });

  it('204 for an organisation without vehicles, 400 for an invalid number', async () => {
    expect((await t.fiks('sok/organisasjonsnummer?organisasjonsnummer=923456783')).status).toBe(204);
    expect((await t.fiks('sok/organisasjonsnummer?organisasjonsnummer=923456784')).status).toBe(400);
  });
});

describe('stats', () => {
  it('counts requests, ids and statuses per route', async () => {
    await t.admin('reset', { method: 'POST' });
    await t.fiks('bulk/kjennemerke', {
      body: [{ kjennemerke: 'AB12345' }, { kjennemerke: 'AB12346' }, { kjennemerke: 'AB12347' }],
    });
    await t.fiks('bulk/kjennemerke', { body: [{ kjennemerke: 'AB12345' }] });
    await t.fiks('bulk/understellsnummer/ABC');
    await t.fiks('sok/eiernavn?navn=Ingen');
    const stats = await t.admin('stats');
    expect(Object.keys(stats.routes).sort()).toEqual(
      ['bulk/kjennemerke', 'bulk/kuid', 'ecoc/opprette', 'ecoc/slette', 'sok', 'token', 'understellsnummer'].sort(),
    );
    expect(stats.routes['bulk/kjennemerke']).toMatchObject({
      requests: 2,
      inFlight: 0,
      maxInFlight: 1,
      idsRequested: 4,
      statuses: { '200': 2 },
    });
    expect(stats.batchSizes['bulk/kjennemerke']).toEqual([3, 1]);
    expect(stats.routes.understellsnummer).toMatchObject({ requests: 1, idsRequested: 1 });
    expect(stats.routes.sok.statuses).toEqual({ '204': 1 });
    expect(stats.routes['bulk/kuid'].requests).toBe(0);
  });

  it('sample plates are normalised and valid', () => {
    for (const v of sample.vehicles) expect(isValidKjennemerke(v.kjennemerke)).toBe(true);
  });
});
