/**
 * Static lists the synthetic dataset draws from. Names are common Norwegian names and made-up companies; addresses use
 * invented street names with real post codes and municipalities (so postnummer/fylke filters behave realistically).
 * Code values follow SVV's code lists as real answers show them (docs/upstreams.md §3); the rest are plausible and
 * marked synthetic.
 */

export type VehicleClass = 'M1' | 'N1' | 'N3' | 'M3' | 'L3e' | 'O1' | 'O2';

export interface ClassInfo {
  navn: string;
  /** `tekniskKode.kodeBeskrivelse`: M1's text is from a real answer, the others are written in its style. */
  beskrivelse: string;
  /** kjoretoyAvgiftsKode: 101 (Personbil) and 314 (Varebil klasse 1) are seen in real answers, with these
   *  `[kodeNavn, kodeBeskrivelse]`; the other codes and texts are synthetic. */
  avgiftsKode: string;
  avgift: [string, string];
  /** Ordinary plate with 4 digits (MC, trailers) rather than 5. */
  shortPlate: boolean;
  /** Gets periodic inspection (EU-kontroll). */
  inspected: boolean;
  /** Years to the first inspection, then the interval. */
  inspectionYears: [number, number];
}

export const CLASSES: Record<VehicleClass, ClassInfo> = {
  M1: {
    navn: 'Personbil',
    beskrivelse: 'Bil for persontransport med høyst 8 sitteplasser i tillegg til førersetet (Personbil)',
    avgiftsKode: '101',
    avgift: ['Personbil', 'Personbil, unntatt ambulanse'],
    shortPlate: false,
    inspected: true,
    inspectionYears: [4, 2],
  },
  N1: {
    navn: 'Varebil',
    beskrivelse: 'Bil for godsbefordring med tillatt totalvekt ikke over 3 500 kg',
    avgiftsKode: '314',
    avgift: ['Varebil Klasse 1 - etter 31.3.2001', 'Varebil (Klasse 1),- fortollet etter 31.3.2001'],
    shortPlate: false,
    inspected: true,
    inspectionYears: [4, 2],
  },
  N3: {
    navn: 'Lastebil',
    beskrivelse: 'Bil for godsbefordring med tillatt totalvekt over 12 000 kg',
    avgiftsKode: '520',
    avgift: ['Lastebil', 'Lastebil med tillatt totalvekt over 12 000 kg'],
    shortPlate: false,
    inspected: true,
    inspectionYears: [1, 1],
  },
  M3: {
    navn: 'Buss',
    beskrivelse: 'Bil for persontransport med mer enn 8 sitteplasser og tillatt totalvekt over 5 000 kg (Buss)',
    avgiftsKode: '410',
    avgift: ['Buss', 'Buss'],
    shortPlate: false,
    inspected: true,
    inspectionYears: [1, 1],
  },
  L3e: {
    navn: 'Motorsykkel',
    beskrivelse: 'Tohjuls motorsykkel (Motorsykkel)',
    avgiftsKode: '302',
    avgift: ['Motorsykkel', 'Motorsykkel'],
    shortPlate: true,
    inspected: false,
    inspectionYears: [4, 2],
  },
  O1: {
    navn: 'Tilhenger (lett)',
    beskrivelse: 'Tilhenger med tillatt totalvekt ikke over 750 kg',
    avgiftsKode: '602',
    avgift: ['Tilhenger', 'Tilhenger med tillatt totalvekt ikke over 750 kg'],
    shortPlate: true,
    inspected: false,
    inspectionYears: [0, 0],
  },
  O2: {
    navn: 'Tilhenger',
    beskrivelse: 'Tilhenger med tillatt totalvekt over 750 kg og ikke over 3 500 kg',
    avgiftsKode: '603',
    avgift: ['Tilhenger', 'Tilhenger med tillatt totalvekt over 750 kg'],
    shortPlate: true,
    inspected: false,
    inspectionYears: [0, 0],
  },
};

export const CLASS_WEIGHTS: [VehicleClass, number][] = [
  ['M1', 68],
  ['N1', 10],
  ['N3', 2],
  ['M3', 1],
  ['L3e', 8],
  ['O1', 7],
  ['O2', 4],
];

export type Powertrain = 'PETROL' | 'DIESEL' | 'ELECTRIC' | 'HYBRID' | 'PLUGIN' | 'NONE';

export interface FuelInfo {
  kodeVerdi: string;
  kodeNavn: string;
}
/** drivstoffKode values: 1 Bensin, 2 Diesel and 5 Elektrisk are seen in real answers; 4 and 7 are plausible [I]. */
export const FUELS = {
  PETROL: { kodeVerdi: '1', kodeNavn: 'Bensin' },
  DIESEL: { kodeVerdi: '2', kodeNavn: 'Diesel' },
  ELECTRIC: { kodeVerdi: '5', kodeNavn: 'Elektrisk' },
  GAS: { kodeVerdi: '4', kodeNavn: 'Gass' },
  HYDROGEN: { kodeVerdi: '7', kodeNavn: 'Hydrogen' },
} satisfies Record<string, FuelInfo>;

export interface ModelSpec {
  make: string;
  makeCode: string;
  /** World manufacturer identifier, the first three VIN characters. */
  wmi: string;
  model: string;
  typebetegnelse: string;
  klass: VehicleClass;
  powertrains: Powertrain[];
  /** Net power range in kW. */
  kw: [number, number];
  /** Engine displacement in cm3 (0 for electric and trailers). */
  cc: number;
  cylinders: number;
  /** Kerb mass range in kg. */
  egenvekt: [number, number];
  /** Permitted total mass minus kerb mass, kg. */
  payload: number;
  seats: number;
  /** Length, width, height in mm. */
  dims: [number, number, number];
  doors: number;
  karosseri: [string, string];
  /** First model year. */
  fromYear: number;
  /** Relative popularity within its class. */
  weight: number;
}

const SEDAN: [string, string] = ['AB', 'Stasjonsvogn'];
const HATCH: [string, string] = ['AA', 'Kombi 5-dørs'];
const SUV: [string, string] = ['AF', 'Flerbruksbil'];
const VAN: [string, string] = ['BB', 'Varebil'];
const TRUCK: [string, string] = ['BD', 'Lastebil med lasteplan'];
const BUS: [string, string] = ['CA', 'Buss klasse I'];
const MC: [string, string] = ['MC', 'Motorsykkel'];
const TRAILER: [string, string] = ['DA', 'Tilhenger med lasteplan'];

// prettier-ignore
export const MODELS: ModelSpec[] = [
  { make: 'VOLKSWAGEN', makeCode: '5750', wmi: 'WVW', model: 'GOLF', typebetegnelse: 'AU', klass: 'M1', powertrains: ['PETROL', 'DIESEL'], kw: [63, 110], cc: 1498, cylinders: 4, egenvekt: [1200, 1400], payload: 520, seats: 5, dims: [4258, 1799, 1492], doors: 5, karosseri: HATCH, fromYear: 1995, weight: 10 },
  { make: 'VOLKSWAGEN', makeCode: '5750', wmi: 'WVW', model: 'PASSAT', typebetegnelse: '3C', klass: 'M1', powertrains: ['DIESEL', 'PETROL', 'PLUGIN'], kw: [88, 140], cc: 1968, cylinders: 4, egenvekt: [1450, 1650], payload: 550, seats: 5, dims: [4767, 1832, 1477], doors: 5, karosseri: SEDAN, fromYear: 1996, weight: 8 },
  { make: 'VOLKSWAGEN', makeCode: '5750', wmi: 'WVG', model: 'ID.4', typebetegnelse: 'E2', klass: 'M1', powertrains: ['ELECTRIC'], kw: [109, 220], cc: 0, cylinders: 0, egenvekt: [2050, 2250], payload: 500, seats: 5, dims: [4584, 1852, 1640], doors: 5, karosseri: SUV, fromYear: 2021, weight: 9 },
  { make: 'VOLKSWAGEN', makeCode: '5750', wmi: 'WV1', model: 'TRANSPORTER', typebetegnelse: 'SGA', klass: 'N1', powertrains: ['DIESEL'], kw: [75, 150], cc: 1968, cylinders: 4, egenvekt: [1850, 2100], payload: 1000, seats: 3, dims: [4904, 1904, 1990], doors: 4, karosseri: VAN, fromYear: 1995, weight: 10 },
  { make: 'TOYOTA', makeCode: '5330', wmi: 'SB1', model: 'COROLLA', typebetegnelse: 'E21', klass: 'M1', powertrains: ['PETROL', 'HYBRID'], kw: [72, 135], cc: 1798, cylinders: 4, egenvekt: [1250, 1420], payload: 480, seats: 5, dims: [4650, 1790, 1460], doors: 5, karosseri: SEDAN, fromYear: 1995, weight: 9 },
  { make: 'TOYOTA', makeCode: '5330', wmi: 'JTM', model: 'RAV4', typebetegnelse: 'XA5', klass: 'M1', powertrains: ['HYBRID', 'PLUGIN'], kw: [131, 225], cc: 2487, cylinders: 4, egenvekt: [1650, 1900], payload: 500, seats: 5, dims: [4600, 1855, 1685], doors: 5, karosseri: SUV, fromYear: 2006, weight: 8 },
  { make: 'TOYOTA', makeCode: '5330', wmi: 'JTD', model: 'YARIS', typebetegnelse: 'XP21', klass: 'M1', powertrains: ['PETROL', 'HYBRID'], kw: [53, 85], cc: 1490, cylinders: 3, egenvekt: [1000, 1150], payload: 430, seats: 5, dims: [3940, 1745, 1500], doors: 5, karosseri: HATCH, fromYear: 1999, weight: 6 },
  { make: 'TOYOTA', makeCode: '5330', wmi: 'JTF', model: 'HIACE', typebetegnelse: 'H30', klass: 'N1', powertrains: ['DIESEL'], kw: [88, 120], cc: 2755, cylinders: 4, egenvekt: [1900, 2150], payload: 1100, seats: 3, dims: [5300, 1950, 1990], doors: 4, karosseri: VAN, fromYear: 1995, weight: 5 },
  { make: 'TESLA', makeCode: '5390', wmi: '5YJ', model: 'MODEL 3', typebetegnelse: '003', klass: 'M1', powertrains: ['ELECTRIC'], kw: [208, 393], cc: 0, cylinders: 0, egenvekt: [1750, 1900], payload: 430, seats: 5, dims: [4694, 1849, 1443], doors: 4, karosseri: SEDAN, fromYear: 2019, weight: 10 },
  { make: 'TESLA', makeCode: '5390', wmi: 'XP7', model: 'MODEL Y', typebetegnelse: '005', klass: 'M1', powertrains: ['ELECTRIC'], kw: [220, 393], cc: 0, cylinders: 0, egenvekt: [1900, 2050], payload: 450, seats: 5, dims: [4751, 1921, 1624], doors: 5, karosseri: SUV, fromYear: 2021, weight: 12 },
  { make: 'VOLVO', makeCode: '5730', wmi: 'YV1', model: 'V60', typebetegnelse: 'Z', klass: 'M1', powertrains: ['DIESEL', 'PETROL', 'PLUGIN'], kw: [110, 235], cc: 1969, cylinders: 4, egenvekt: [1650, 2050], payload: 500, seats: 5, dims: [4761, 1850, 1427], doors: 5, karosseri: SEDAN, fromYear: 2011, weight: 7 },
  { make: 'VOLVO', makeCode: '5730', wmi: 'YV1', model: 'XC40', typebetegnelse: 'X', klass: 'M1', powertrains: ['PETROL', 'ELECTRIC', 'PLUGIN'], kw: [120, 300], cc: 1477, cylinders: 3, egenvekt: [1600, 2150], payload: 480, seats: 5, dims: [4425, 1863, 1652], doors: 5, karosseri: SUV, fromYear: 2018, weight: 6 },
  { make: 'VOLVO', makeCode: '5730', wmi: 'YV2', model: 'FH', typebetegnelse: 'FH4', klass: 'N3', powertrains: ['DIESEL'], kw: [338, 551], cc: 12777, cylinders: 6, egenvekt: [8200, 9800], payload: 16000, seats: 2, dims: [9800, 2550, 3800], doors: 2, karosseri: TRUCK, fromYear: 1995, weight: 6 },
  { make: 'BMW', makeCode: '5090', wmi: 'WBA', model: '320D', typebetegnelse: '3L', klass: 'M1', powertrains: ['DIESEL'], kw: [110, 140], cc: 1995, cylinders: 4, egenvekt: [1450, 1600], payload: 520, seats: 5, dims: [4709, 1827, 1435], doors: 4, karosseri: SEDAN, fromYear: 1998, weight: 5 },
  { make: 'BMW', makeCode: '5090', wmi: 'WBY', model: 'I3', typebetegnelse: 'I01', klass: 'M1', powertrains: ['ELECTRIC'], kw: [125, 135], cc: 0, cylinders: 0, egenvekt: [1195, 1345], payload: 440, seats: 4, dims: [4011, 1775, 1598], doors: 5, karosseri: HATCH, fromYear: 2014, weight: 4 },
  { make: 'SKODA', makeCode: '5245', wmi: 'TMB', model: 'OCTAVIA', typebetegnelse: 'NX', klass: 'M1', powertrains: ['PETROL', 'DIESEL'], kw: [81, 140], cc: 1968, cylinders: 4, egenvekt: [1300, 1500], payload: 550, seats: 5, dims: [4689, 1829, 1468], doors: 5, karosseri: SEDAN, fromYear: 1997, weight: 7 },
  { make: 'SKODA', makeCode: '5245', wmi: 'TMB', model: 'ENYAQ', typebetegnelse: '5A', klass: 'M1', powertrains: ['ELECTRIC'], kw: [109, 220], cc: 0, cylinders: 0, egenvekt: [1950, 2250], payload: 550, seats: 5, dims: [4649, 1879, 1616], doors: 5, karosseri: SUV, fromYear: 2021, weight: 8 },
  { make: 'NISSAN', makeCode: '4990', wmi: 'SJN', model: 'LEAF', typebetegnelse: 'ZE1', klass: 'M1', powertrains: ['ELECTRIC'], kw: [80, 160], cc: 0, cylinders: 0, egenvekt: [1480, 1730], payload: 450, seats: 5, dims: [4490, 1790, 1540], doors: 5, karosseri: HATCH, fromYear: 2011, weight: 7 },
  { make: 'AUDI', makeCode: '5060', wmi: 'WAU', model: 'A4', typebetegnelse: 'B9', klass: 'M1', powertrains: ['DIESEL', 'PETROL'], kw: [110, 185], cc: 1968, cylinders: 4, egenvekt: [1450, 1700], payload: 520, seats: 5, dims: [4762, 1847, 1431], doors: 5, karosseri: SEDAN, fromYear: 1995, weight: 5 },
  { make: 'AUDI', makeCode: '5060', wmi: 'WAU', model: 'Q4 E-TRON', typebetegnelse: 'F4', klass: 'M1', powertrains: ['ELECTRIC'], kw: [125, 220], cc: 0, cylinders: 0, egenvekt: [1950, 2200], payload: 520, seats: 5, dims: [4588, 1865, 1632], doors: 5, karosseri: SUV, fromYear: 2021, weight: 5 },
  { make: 'FORD', makeCode: '5150', wmi: 'WF0', model: 'FOCUS', typebetegnelse: 'DEH', klass: 'M1', powertrains: ['PETROL', 'DIESEL'], kw: [74, 134], cc: 1596, cylinders: 4, egenvekt: [1250, 1400], payload: 500, seats: 5, dims: [4378, 1825, 1454], doors: 5, karosseri: HATCH, fromYear: 1998, weight: 5 },
  { make: 'FORD', makeCode: '5150', wmi: 'WF0', model: 'TRANSIT', typebetegnelse: 'FCD', klass: 'N1', powertrains: ['DIESEL', 'ELECTRIC'], kw: [77, 135], cc: 1995, cylinders: 4, egenvekt: [2000, 2400], payload: 1200, seats: 3, dims: [5531, 2059, 2550], doors: 4, karosseri: VAN, fromYear: 2000, weight: 6 },
  { make: 'MERCEDES-BENZ', makeCode: '4520', wmi: 'WDD', model: 'C 220 D', typebetegnelse: '205', klass: 'M1', powertrains: ['DIESEL'], kw: [125, 147], cc: 2143, cylinders: 4, egenvekt: [1550, 1700], payload: 520, seats: 5, dims: [4686, 1810, 1442], doors: 4, karosseri: SEDAN, fromYear: 2000, weight: 4 },
  { make: 'MERCEDES-BENZ', makeCode: '4520', wmi: 'WDB', model: 'CITARO', typebetegnelse: 'O530', klass: 'M3', powertrains: ['DIESEL', 'ELECTRIC'], kw: [220, 260], cc: 7698, cylinders: 6, egenvekt: [11000, 13000], payload: 7000, seats: 30, dims: [12135, 2550, 3120], doors: 3, karosseri: BUS, fromYear: 1998, weight: 5 },
  { make: 'HYUNDAI', makeCode: '5180', wmi: 'KMH', model: 'IONIQ 5', typebetegnelse: 'NE', klass: 'M1', powertrains: ['ELECTRIC'], kw: [125, 239], cc: 0, cylinders: 0, egenvekt: [1900, 2150], payload: 500, seats: 5, dims: [4635, 1890, 1605], doors: 5, karosseri: SUV, fromYear: 2021, weight: 6 },
  { make: 'KIA', makeCode: '5200', wmi: 'KNA', model: 'NIRO', typebetegnelse: 'DE', klass: 'M1', powertrains: ['HYBRID', 'PLUGIN', 'ELECTRIC'], kw: [77, 150], cc: 1580, cylinders: 4, egenvekt: [1400, 1750], payload: 480, seats: 5, dims: [4375, 1805, 1545], doors: 5, karosseri: SUV, fromYear: 2016, weight: 6 },
  { make: 'PEUGEOT', makeCode: '5010', wmi: 'VF3', model: '208', typebetegnelse: 'U', klass: 'M1', powertrains: ['PETROL', 'ELECTRIC'], kw: [55, 100], cc: 1199, cylinders: 3, egenvekt: [1050, 1450], payload: 450, seats: 5, dims: [4055, 1745, 1430], doors: 5, karosseri: HATCH, fromYear: 2012, weight: 4 },
  { make: 'SCANIA', makeCode: '5240', wmi: 'YS2', model: 'R 500', typebetegnelse: 'R', klass: 'N3', powertrains: ['DIESEL'], kw: [338, 397], cc: 12742, cylinders: 6, egenvekt: [8000, 9500], payload: 17000, seats: 2, dims: [9500, 2550, 3900], doors: 2, karosseri: TRUCK, fromYear: 1995, weight: 5 },
  { make: 'YAMAHA', makeCode: '5800', wmi: 'JYA', model: 'MT-07', typebetegnelse: 'RM04', klass: 'L3e', powertrains: ['PETROL'], kw: [35, 55], cc: 689, cylinders: 2, egenvekt: [180, 190], payload: 180, seats: 2, dims: [2085, 780, 1105], doors: 0, karosseri: MC, fromYear: 2014, weight: 5 },
  { make: 'HONDA', makeCode: '5170', wmi: 'JH2', model: 'CB500F', typebetegnelse: 'PC45', klass: 'L3e', powertrains: ['PETROL'], kw: [35, 35], cc: 471, cylinders: 2, egenvekt: [185, 192], payload: 180, seats: 2, dims: [2080, 800, 1060], doors: 0, karosseri: MC, fromYear: 2013, weight: 4 },
  { make: 'HARLEY-DAVIDSON', makeCode: '5160', wmi: '1HD', model: 'SPORTSTER', typebetegnelse: 'XL', klass: 'L3e', powertrains: ['PETROL'], kw: [40, 50], cc: 1202, cylinders: 2, egenvekt: [250, 265], payload: 180, seats: 2, dims: [2250, 830, 1100], doors: 0, karosseri: MC, fromYear: 1995, weight: 3 },
  { make: 'BRENDERUP', makeCode: '6110', wmi: 'UH2', model: '1205 S', typebetegnelse: '1205', klass: 'O1', powertrains: ['NONE'], kw: [0, 0], cc: 0, cylinders: 0, egenvekt: [160, 190], payload: 550, seats: 0, dims: [3250, 1530, 860], doors: 0, karosseri: TRAILER, fromYear: 1995, weight: 6 },
  { make: 'TYSSE', makeCode: '6220', wmi: 'YT9', model: 'S 2000', typebetegnelse: 'S', klass: 'O2', powertrains: ['NONE'], kw: [0, 0], cc: 0, cylinders: 0, egenvekt: [420, 560], payload: 1500, seats: 0, dims: [4300, 2000, 1200], doors: 0, karosseri: TRAILER, fromYear: 1995, weight: 5 },
];

/** SVV's rFarge codes as seen in real answers (docs/upstreams.md §3). */
export const COLOURS: [string, string][] = [
  ['01', 'Hvit'],
  ['02', 'Rød'],
  ['03', 'Blå'],
  ['04', 'Grønn'],
  ['05', 'Grå'],
  ['06', 'Svart'],
  ['08', 'Brun'],
  ['09', 'Gul'],
  ['10', 'Oransje'],
  ['11', 'Sølv'],
];
export const COLOUR_WEIGHTS = [18, 5, 10, 2, 16, 18, 2, 1, 1, 22];

/** hybridKategori, always present in real answers (docs/upstreams.md §3); the IKKE_LADBAR texts are [I]. */
export const HYBRID_CATEGORIES = {
  NONE: ['INGEN', 'Ingen', 'Ingen eller ikke relevant'],
  HYBRID: ['IKKE_LADBAR', 'Ikke ladbar hybrid', 'Ikke ladbar hybrid'],
  PLUGIN: ['LADBAR', 'Ladbar hybrid', 'Ladbar hybrid'],
} as const;

/** Letter pairs for ordinary plates. E-prefixes are reserved for electric vehicles (docs/upstreams.md §10). */
export const PLATE_PREFIXES = [
  'AB',
  'BR',
  'CU',
  'DN',
  'KH',
  'NF',
  'PR',
  'RK',
  'SU',
  'TT',
  'UE',
  'VH',
  'ZT',
  'LJ',
  'SV',
  'BS',
];
export const ELECTRIC_PLATE_PREFIXES = ['EL', 'EK', 'EV', 'EB', 'EC', 'ED', 'EE', 'EF', 'EH'];
/** 24 pairs × 9000 numbers: room for the MCs and trailers of a 1-million-vehicle dataset (the config maximum). */
export const SHORT_PLATE_PREFIXES = [
  'AB',
  'CU',
  'KH',
  'NF',
  'PR',
  'SU',
  'TT',
  'VH',
  'BR',
  'DN',
  'RK',
  'UE',
  'ZT',
  'LJ',
  'SV',
  'BS',
  'AR',
  'BT',
  'DR',
  'HB',
  'JR',
  'KF',
  'LA',
  'ST',
];

/** Words for personal plates (PERSONLIG): 2–7 characters, Norwegian letters and digits, never "2 letters + digits". */
export const PERSONAL_PLATE_WORDS = [
  'TESLA',
  'ELBIL',
  'HEIDI',
  'BESTEFA',
  'FARFAR',
  'MORMOR',
  'SØRLAND',
  'FJELL',
  'BÅTEN',
  'NORDLYS',
  'TURBO',
  'VIKING',
  'KAPTEIN',
  'LYKKE',
  'SOMMER',
  'VINTER',
  'ÆRLIG',
  'HYTTA',
  'TROLL',
  'STORM',
  'BRUMM',
  'ELG',
  'ØRN',
];

export const FIRST_NAMES = [
  'OLA',
  'KARI',
  'JAN',
  'ANNE',
  'PER',
  'INGER',
  'BJØRN',
  'KARIN',
  'LARS',
  'MARIT',
  'KNUT',
  'LIV',
  'ARNE',
  'EVA',
  'TOR',
  'RANDI',
  'ERIK',
  'ASTRID',
  'GEIR',
  'BERIT',
  'HANS',
  'HILDE',
  'ODD',
  'NINA',
  'TERJE',
  'SIRI',
  'MAGNUS',
  'NORA',
  'JONAS',
  'EMMA',
  'SINDRE',
  'INGRID',
  'ØYVIND',
  'SOLVEIG',
  'ÅSE',
  'HÅKON',
  'TRINE',
  'STEIN',
  'SILJE',
];
export const MIDDLE_NAMES = ['MARIE', 'ANDRE', 'JOHAN', 'ELISABETH', 'KRISTIAN', 'SOFIE', 'EMIL', 'LOUISE'];
export const LAST_NAMES = [
  'HANSEN',
  'JOHANSEN',
  'OLSEN',
  'LARSEN',
  'ANDERSEN',
  'PEDERSEN',
  'NILSEN',
  'KRISTIANSEN',
  'JENSEN',
  'KARLSEN',
  'JOHNSEN',
  'PETTERSEN',
  'ERIKSEN',
  'BERG',
  'HAUGEN',
  'HAGEN',
  'JOHANNESSEN',
  'ANDREASSEN',
  'JACOBSEN',
  'DAHL',
  'JØRGENSEN',
  'HALVORSEN',
  'HENRIKSEN',
  'LUND',
  'SØRENSEN',
  'STRAND',
  'MOEN',
  'SOLBERG',
  'BAKKEN',
  'LIE',
  'ØDEGÅRD',
  'EIDE',
  'RUUD',
  'KVAM',
  'FJELDSTAD',
  'TVEIT',
  'SKOGLUND',
  'NYGÅRD',
  'AAS',
  'BRATLI',
];
/** A few full names shared by many synthetic persons, so name search has large result sets. */
export const POPULAR_NAMES: [string, string][] = [
  ['TESTE', 'PERSONSEN'],
  ['OLA', 'NORDMANN'],
  ['KARI', 'NORDMANN'],
];

export const STREETS = [
  'Testvegen',
  'Fjordgata',
  'Storgata',
  'Kirkeveien',
  'Skogveien',
  'Bjørkelia',
  'Elvebakken',
  'Sjøgata',
  'Hageveien',
  'Furuåsen',
  'Måkeveien',
  'Liavegen',
  'Brugata',
  'Solhaugen',
  'Engveien',
  'Stasjonsveien',
];

export interface PostPlace {
  postnummer: string;
  poststed: string;
  kommunenummer: string;
  kommunenavn: string;
}
/** Real post codes and municipality numbers (2024 numbering). The first two digits of kommunenummer are the fylke. */
export const POST_PLACES: PostPlace[] = [
  { postnummer: '0150', poststed: 'OSLO', kommunenummer: '0301', kommunenavn: 'OSLO' },
  { postnummer: '0603', poststed: 'OSLO', kommunenummer: '0301', kommunenavn: 'OSLO' },
  { postnummer: '0870', poststed: 'OSLO', kommunenummer: '0301', kommunenavn: 'OSLO' },
  { postnummer: '5003', poststed: 'BERGEN', kommunenummer: '4601', kommunenavn: 'BERGEN' },
  { postnummer: '5145', poststed: 'FYLLINGSDALEN', kommunenummer: '4601', kommunenavn: 'BERGEN' },
  { postnummer: '7010', poststed: 'TRONDHEIM', kommunenummer: '5001', kommunenavn: 'TRONDHEIM' },
  { postnummer: '4006', poststed: 'STAVANGER', kommunenummer: '1103', kommunenavn: 'STAVANGER' },
  { postnummer: '9008', poststed: 'TROMSØ', kommunenummer: '5501', kommunenavn: 'TROMSØ' },
  { postnummer: '3015', poststed: 'DRAMMEN', kommunenummer: '3301', kommunenavn: 'DRAMMEN' },
  { postnummer: '1706', poststed: 'SARPSBORG', kommunenummer: '3105', kommunenavn: 'SARPSBORG' },
  { postnummer: '2317', poststed: 'HAMAR', kommunenummer: '3403', kommunenavn: 'HAMAR' },
  { postnummer: '8006', poststed: 'BODØ', kommunenummer: '1804', kommunenavn: 'BODØ' },
  { postnummer: '6002', poststed: 'ÅLESUND', kommunenummer: '1508', kommunenavn: 'ÅLESUND' },
  { postnummer: '4612', poststed: 'KRISTIANSAND S', kommunenummer: '4204', kommunenavn: 'KRISTIANSAND' },
  { postnummer: '1337', poststed: 'SANDVIKA', kommunenummer: '3201', kommunenavn: 'BÆRUM' },
  { postnummer: '2000', poststed: 'LILLESTRØM', kommunenummer: '3205', kommunenavn: 'LILLESTRØM' },
  { postnummer: '3510', poststed: 'HØNEFOSS', kommunenummer: '3305', kommunenavn: 'RINGERIKE' },
  { postnummer: '6800', poststed: 'FØRDE', kommunenummer: '4647', kommunenavn: 'SUNNFJORD' },
];
export const POST_PLACE_WEIGHTS = [9, 7, 6, 7, 3, 6, 5, 3, 4, 3, 3, 2, 2, 3, 4, 3, 2, 1];

/** Fylke names by their two-digit number (2024 division), for the `fylke` search filter. */
export const FYLKER: Record<string, string> = {
  '03': 'OSLO',
  '11': 'ROGALAND',
  '15': 'MØRE OG ROMSDAL',
  '18': 'NORDLAND',
  '31': 'ØSTFOLD',
  '32': 'AKERSHUS',
  '33': 'BUSKERUD',
  '34': 'INNLANDET',
  '42': 'AGDER',
  '46': 'VESTLAND',
  '50': 'TRØNDELAG',
  '55': 'TROMS',
};

/** Parts for synthetic company names. */
export const COMPANY_WORDS = [
  'FJORD',
  'NORD',
  'VEST',
  'SØR',
  'ØST',
  'BERG',
  'DAL',
  'TIND',
  'ELV',
  'SKOG',
  'HAV',
  'BRE',
  'LYS',
  'STEIN',
  'NES',
];
export const COMPANY_TRADES = [
  'TRANSPORT',
  'BYGG',
  'RØR',
  'ELEKTRO',
  'MASKIN',
  'HANDEL',
  'EIENDOM',
  'REGNSKAP',
  'VVS',
  'TAXI',
  'SERVICE',
];
export const COMPANY_FORMS = ['AS', 'AS', 'AS', 'ANS', 'DA', 'SA'];

/** Fixed organisations that own or lease many vehicles, so org search and paging have large result sets. */
export const FLEET_OWNERS = ['TESTBILUTLEIE AS', 'NORDISK TESTTRANSPORT AS', 'SYNTETISK KOMMUNEFLÅTE KF'];
export const LEASING_COMPANIES = ['TESTLEASING AS', 'SYNTETISK FINANS ASA'];

export const IMPORT_COUNTRIES: [string, string][] = [
  ['Tyskland', 'DEU'],
  ['Sverige', 'SWE'],
  ['Danmark', 'DNK'],
  ['Nederland', 'NLD'],
];
