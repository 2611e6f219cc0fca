import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Reader, type Response } from 'maxmind';
import { parseIp } from '../../core/analysis/geo';

/**
 * One MaxMind-format (.mmdb) database, read with the `maxmind` package. The file is read on the first lookup,
 * synchronously (a Buffer handed to maxmind's Reader), so that GeoLookup stays synchronous for the pure
 * analyzers and a process that never geolocates never pays for it. A gzipped file (`.mmdb.gz`, as MaxMind and
 * some mirrors distribute them) is inflated in memory.
 */
export class MmdbFile {
  private reader?: Reader<Response>;

  /**
   * @param only when the file is known to hold a single family (ip-location-db ships one file per family), the
   *   other family is never looked up in it, so an IPv4 lookup never opens the IPv6 file.
   */
  constructor(
    readonly path: string,
    readonly only?: 'ipv4' | 'ipv6',
  ) {}

  private open(): Reader<Response> {
    if (!this.reader) {
      let buffer = readFileSync(this.path);
      if (buffer[0] === 0x1f && buffer[1] === 0x8b) buffer = gunzipSync(buffer);
      this.reader = new Reader<Response>(buffer);
    }
    return this.reader;
  }

  /** IP version of the database's tree: 6 databases answer IPv4 too (MaxMind maps IPv4 into ::/96), 4 only IPv4. */
  get ipVersion(): number {
    return this.open().metadata.ipVersion;
  }

  get databaseType(): string {
    return this.open().metadata.databaseType;
  }

  /** The raw record, or undefined when the database has none or cannot hold this address family. */
  get(ip: string): unknown {
    const address = parseIp(ip);
    if (!address || (this.only && this.only !== address.kind())) return undefined;
    const reader = this.open();
    if (address.kind() === 'ipv6' && reader.metadata.ipVersion === 4) return undefined;
    try {
      return reader.get(address.toString()) ?? undefined;
    } catch {
      return undefined;
    }
  }
}

/** Several files tried in order (e.g. ip-location-db's separate IPv4 and IPv6 files): the first record wins. */
export class MmdbChain {
  constructor(private readonly files: readonly MmdbFile[]) {}

  get(ip: string): unknown {
    for (const file of this.files) {
      const record = file.get(ip);
      if (record !== undefined) return record;
    }
    return undefined;
  }
}
